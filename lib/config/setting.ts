/**
 * What a key of the settings schema says about itself beyond its type: one line of
 * description, and the flag and environment variables that set it besides the config file.
 *
 * @module
 */
import { z } from "zod";

/** An environment variable read its own way, e.g. `SOURCEGRAPH_DOMAIN`, where a bare domain means `https://DOMAIN`. */
export interface EnvAlias {
  /** The variable's name. */
  name: string;
  /** Its text as the setting takes it. */
  read: (text: string) => string;
  /** How it is read, for the documentation, e.g. `a bare domain means https://DOMAIN`. */
  note: string;
}

/** The description of a setting, and where else than the config file it can be set. */
export interface SettingMeta {
  /** One line: what it does. */
  description: string;
  /** The command-line flag, without its dashes (e.g. `port` for `--port`). */
  flag?: string;
  /** The environment variables that set it, the first set one winning. */
  env?: readonly (string | EnvAlias)[];
  /** What a number counts, e.g. `seconds`. */
  unit?: string;
  /** The default where the schema has none of its own: the value the upstream uses. */
  default?: string | number | boolean;
  /** The default in words, where it is not one value (e.g. `off`, `the relay's version`). */
  defaultText?: string;
}

/** The metadata of every setting, by its schema. */
export const SETTINGS_META: z.core.$ZodRegistry<SettingMeta> = z.registry<SettingMeta>();

/**
 * `schema` as a setting described by `meta` (registered in {@link SETTINGS_META}).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { z } from "zod";
 * import { setting, SETTINGS_META } from "./setting.ts";
 * const port = setting(z.number().int().default(8787), { description: "the port", flag: "port", env: ["PORT"] });
 * equal(SETTINGS_META.get(port)?.flag, "port");
 * ```
 */
export function setting<T extends z.ZodType>(schema: T, meta: SettingMeta): T {
  SETTINGS_META.add(schema, meta);
  return schema;
}

/**
 * The name of an environment variable entry.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { envName } from "./setting.ts";
 * equal(envName({ name: "SOURCEGRAPH_DOMAIN", read: (text) => text, note: "" }), "SOURCEGRAPH_DOMAIN");
 * ```
 */
export function envName(variable: string | EnvAlias): string {
  return typeof variable === "string" ? variable : variable.name;
}
