/**
 * The kind of value a setting takes, read from its schema: how a flag is parsed, how a
 * variable's text is read, and how `--help` names the value.
 *
 * @module
 */
import { z } from "zod";

/** A switch, a number, a list (comma-separated or a repeated flag), or text. */
export type ValueKind = "boolean" | "integer" | "number" | "list" | "text";

/**
 * The kind of value `schema` takes.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { z } from "zod";
 * import { valueKind } from "./value_kind.ts";
 * equal(valueKind(z.boolean().default(false)), "boolean");
 * equal(valueKind(z.number().int().optional()), "integer");
 * equal(valueKind(z.array(z.string())), "list");
 * equal(valueKind(z.enum(["a", "b"])), "text");
 * ```
 */
export function valueKind(schema: z.ZodType): ValueKind {
  const { type } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { type?: string };
  return type === "boolean" || type === "integer" || type === "number" ? type : type === "array" ? "list" : "text";
}
