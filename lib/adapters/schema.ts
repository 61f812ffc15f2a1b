/**
 * An adapter's user-settable parameters, in the manner of CodeCompanion's `schema`: each
 * has a zod type, a default, optional choices, a condition and a validation rule, and a
 * mapping that says where in the request body it goes.
 *
 * @module
 */
import { RelayError } from "../hub/errors.ts";
import type { RelayRequest } from "../hub/request.ts";

/** The hub request fields a client sets and a schema entry can take its value from. */
export type SchemaSource = "model" | "temperature" | "topP" | "topK" | "maxTokens" | "stop";

/** What a schema entry's `type` must do: a zod type fits (`z.number().max(2)`). */
export interface ValueType {
  /** Checks a value: the parsed value, or the problems found. */
  safeParse(
    value: unknown,
  ): { success: true; data: unknown } | { success: false; error: { issues: { message: string }[] } };
}

/** One parameter. */
export interface SchemaEntry {
  /** The value's type (a zod type); a client value that does not fit is a 400 naming the field. */
  type: ValueType;
  /** The hub request field the client's value comes from. */
  from?: SchemaSource;
  /** The value when the client gives none (a function sees the values resolved before it). */
  default?: unknown | ((params: Readonly<Record<string, unknown>>) => unknown);
  /** The values allowed. */
  choices?: readonly unknown[];
  /** Where the value goes: `body` (a top-level field) or a dotted path into the body, e.g. `body.options`. @default "body" */
  mapping?: string;
  /** The field name at `mapping`. @default the entry's name */
  key?: string;
  /** When false (e.g. no temperature for models that reject it), the parameter is not sent; a client that set it gets a 400. */
  condition?: (params: Readonly<Record<string, unknown>>) => boolean;
  /** A rule beyond the type: `true`, or the message of a 400. */
  validate?: (value: unknown) => true | string;
  /** What it does, for people. */
  description?: string;
}

/** The parameters of one request: by entry name, and the declared defaults. */
export interface ResolvedParameters {
  /** Every entry that has a value and whose condition holds. */
  params: Record<string, unknown>;
  /** The declared (non-function) defaults, for `schema.<name>.default` env sources. */
  defaults: Record<string, unknown>;
}

/**
 * The parameters of a request under a schema, in declaration order (so a condition or a
 * default function can look at those before it). A client value that breaks a rule is a
 * 400 naming the field and the rule.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { z } from "zod";
 * import { resolveParameters } from "./schema.ts";
 * const schema = {
 *   model: { type: z.string(), from: "model" as const, default: "small", choices: ["small", "large"] },
 *   temperature: { type: z.number(), from: "temperature" as const, condition: (p: Record<string, unknown>) => p.model !== "large" },
 * };
 * const { params } = resolveParameters(schema, { messages: [], temperature: 0.5 });
 * ok(params.model === "small" && params.temperature === 0.5);
 * ```
 */
export function resolveParameters(
  schema: Readonly<Record<string, SchemaEntry>>,
  request: RelayRequest,
): ResolvedParameters {
  const params: Record<string, unknown> = {};
  const defaults: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(schema)) {
    if (entry.default !== undefined && typeof entry.default !== "function") defaults[name] = entry.default;
    const given = entry.from ? request[entry.from] : undefined;
    const value = given ?? (typeof entry.default === "function" ? entry.default(params) : entry.default);
    if (value === undefined) continue;
    const field = entry.from ?? name;
    if (entry.condition && !entry.condition(params)) {
      if (given !== undefined) {
        throw invalid(field, `${field} is not accepted with these settings (${describe(params)})`);
      }
      continue;
    }
    const parsed = entry.type.safeParse(value);
    if (!parsed.success) throw invalid(field, `${field}: ${parsed.error.issues[0]?.message ?? "invalid value"}`);
    if (entry.choices && !entry.choices.includes(parsed.data)) {
      throw invalid(
        field,
        `${field} must be one of ${entry.choices.map((choice) => JSON.stringify(choice)).join(", ")}`,
      );
    }
    const rule = entry.validate?.(parsed.data) ?? true;
    if (rule !== true) throw invalid(field, `${field}: ${rule}`);
    params[name] = parsed.data;
  }
  return { params, defaults };
}

/**
 * Places resolved parameters into a request body by each entry's `mapping` and `key`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { z } from "zod";
 * import { placeParameters } from "./schema.ts";
 * const body = placeParameters(
 *   { num_predict: { type: z.number(), mapping: "body.options" }, model: { type: z.string() } },
 *   { num_predict: 64, model: "m" },
 * );
 * equal(JSON.stringify(body), '{"options":{"num_predict":64},"model":"m"}');
 * ```
 */
export function placeParameters(
  schema: Readonly<Record<string, SchemaEntry>>,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    const entry = schema[name];
    let target = body;
    for (const part of (entry?.mapping ?? "body").split(".").slice(1)) {
      target = (target[part] ??= {}) as Record<string, unknown>;
    }
    target[entry?.key ?? name] = value;
  }
  return body;
}

function invalid(param: string, message: string): RelayError {
  return new RelayError(400, `Invalid request: ${message}`, { param, code: "invalid_request" });
}

function describe(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params).map(([name, value]) => `${name} ${JSON.stringify(value)}`).join(", ") || "none";
}
