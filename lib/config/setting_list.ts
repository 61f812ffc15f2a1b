/**
 * The settings schema as a list of keys, for reading sources into it and for the generated
 * help, reference and explanation.
 *
 * @module
 */
import type { ZodType } from "zod";
import { type SettingMeta, SETTINGS_META } from "./setting.ts";
import { CodyUpstreamSchema, INSTANCE_UPSTREAM, SettingsSchema } from "./settings_schema.ts";

/** One described key of the schema. */
export interface SettingKey {
  /** Its path in the file, e.g. `["server", "port"]`. */
  path: readonly string[];
  /** The path as written in the documentation, e.g. `server.port`. */
  key: string;
  /** Its schema (defaults and optionality included). */
  schema: ZodType;
  /** What it says about itself. */
  meta: SettingMeta;
}

/** A schema without its optional, default and prefault wrappers. */
function unwrapped(schema: ZodType): ZodType {
  let inner = schema as ZodType & { def: { type: string; innerType?: ZodType } };
  while (inner.def.innerType && ["optional", "default", "prefault", "nullable"].includes(inner.def.type)) {
    inner = inner.def.innerType as typeof inner;
  }
  return inner;
}

/**
 * Every described key of `schema` under `path`, depth first: objects are walked into, and
 * so are records of objects (their key written `<name>`); anything else is one key.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { z } from "zod";
 * import { describedKeys } from "./setting_list.ts";
 * import { setting } from "./setting.ts";
 * const schema = z.object({ a: z.object({ b: setting(z.number(), { description: "b" }) }), c: z.string() });
 * deepEqual(describedKeys(schema).map((entry) => entry.key), ["a.b"]);
 * ```
 */
export function describedKeys(schema: ZodType, path: readonly string[] = []): SettingKey[] {
  const inner = unwrapped(schema) as ZodType & {
    def: { type: string; shape?: Record<string, ZodType>; valueType?: ZodType };
  };
  if (inner.def.type === "object") {
    return Object.entries(inner.def.shape!).flatMap(([name, child]) => keysOf(child, [...path, name]));
  }
  if (inner.def.type === "record" && unwrapped(inner.def.valueType!).def.type === "object") {
    return describedKeys(inner.def.valueType!, [...path, "<name>"]);
  }
  return [];
}

function keysOf(schema: ZodType, path: readonly string[]): SettingKey[] {
  const inner = unwrapped(schema) as ZodType & { def: { type: string; valueType?: ZodType } };
  const walked = inner.def.type === "object" ||
    (inner.def.type === "record" && unwrapped(inner.def.valueType!).def.type === "object");
  if (walked) return describedKeys(schema, path);
  const meta = SETTINGS_META.get(schema);
  return meta ? [{ path, key: path.join("."), schema, meta }] : [];
}

/**
 * Every setting a flag or environment variable sets, in the schema's order: the relay's
 * (`server.port`, …), then those of the Sourcegraph instance, the upstream named cody
 * (`upstreams.cody.endpoint`, …).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { SETTINGS } from "./setting_list.ts";
 * const keys = SETTINGS.map((setting) => setting.key);
 * ok(keys.includes("server.port") && keys.includes("upstreams.cody.clientName"));
 * ```
 */
export const SETTINGS: readonly SettingKey[] = [
  ...describedKeys(SettingsSchema),
  ...describedKeys(CodyUpstreamSchema, ["upstreams", INSTANCE_UPSTREAM]),
].filter(({ meta }) => meta.flag || meta.env);

/**
 * Whether a setting is the Sourcegraph instance's, laid over the file's upstreams rather than set in place.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { isInstanceSetting, SETTINGS } from "./setting_list.ts";
 * ok(isInstanceSetting(SETTINGS.find((setting) => setting.key === "upstreams.cody.endpoint")!));
 * ```
 */
export function isInstanceSetting(setting: SettingKey): boolean {
  return setting.path[0] === "upstreams";
}
