/**
 * Flags, environment variables and the config file read into the one settings schema:
 * for every key, a flag beats a variable, which beats the file, which beats the default.
 *
 * @module
 */
import type { z } from "zod";
import { ConfigError } from "./config_error.ts";
import { expected } from "./expected.ts";
import { fromText } from "./from_text.ts";
import { quotable } from "./quotable.ts";
import { envName } from "./setting.ts";
import { isInstanceSetting, type SettingKey, SETTINGS } from "./setting_list.ts";
import { CheckedSettingsSchema, type CodyUpstreamSchema, type ConfigFile, type Settings } from "./settings_schema.ts";
import { valueAt, withValueAt } from "./value_at.ts";

/** Where a value came from: a flag, an environment variable, the config file, or the default. */
export type Origin =
  | { source: "flag"; name: string }
  | { source: "env"; name: string }
  | { source: "file"; name: string }
  | { source: "default" };

/** The values flags gave, by flag name (as `node:util`'s `parseArgs` returns them). */
export type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** The Sourcegraph instance's keys (those of the upstream named cody) that a flag or variable set. */
export type InstanceSettings = Partial<Omit<z.input<typeof CodyUpstreamSchema>, "type">>;

/** The sources to read. */
export interface SettingSources {
  /** Flag values by flag name. */
  flags: FlagValues;
  /** The environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** The config file's contents, validated (`loadConfigFile`). */
  file?: ConfigFile;
  /** The file's name, for origins. @default "the config file" */
  fileName?: string;
}

/** The settings every source gave, and where each value came from. */
export interface ResolvedSettings {
  /** Every setting, defaults filled in; `upstreams` as the file has them. */
  settings: Settings;
  /**
   * The instance's keys a flag or variable set (`--endpoint`, `SRC_ACCESS_TOKEN`, …),
   * laid over the file's upstreams by `upstreamSettings`: they beat the keys of the
   * upstream named cody and fill unset keys of the others.
   */
  instance: InstanceSettings;
  /** Where each set value came from, by key (`server.port`, `upstreams.cody.clientName`). */
  origins: ReadonlyMap<string, Origin>;
}

/**
 * Reads `sources` into the settings schema, per key: flag > environment variable (the first
 * set one of a key's) > config file > default. A flag's or variable's text is read as the
 * key's type (numbers, `true`/`false`, comma-separated lists; repeated flags add up) and
 * checked with the key's schema; the checks between keys run on the result. Throws a
 * {@link ConfigError} listing every problem as `--flag must be …, got "…"` (or the
 * variable's name), never quoting a secret.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { resolveSettings } from "./resolve_settings.ts";
 * const { settings, origins } = resolveSettings({
 *   flags: { port: "9000" },
 *   env: { PORT: "9100", LOG_LEVEL: "debug" },
 *   file: { logging: { level: "error", format: "json" } },
 *   fileName: "relay.json",
 * });
 * equal(settings.server.port, 9000);
 * equal(settings.logging.level, "debug");
 * equal(settings.logging.format, "json");
 * equal(settings.server.host, "127.0.0.1");
 * equal(JSON.stringify(origins.get("server.port")), '{"source":"flag","name":"--port"}');
 * equal(JSON.stringify(origins.get("logging.format")), '{"source":"file","name":"relay.json"}');
 * equal(JSON.stringify(origins.get("server.host")), '{"source":"default"}');
 * throws(() => resolveSettings({ flags: { port: "http" }, env: {} }), /^ConfigError: --port must be an integer from 0 to 65535, got "http"$/);
 * ```
 */
export function resolveSettings(sources: SettingSources): ResolvedSettings {
  const fileName = sources.fileName ?? "the config file";
  let merged: object = sources.file ?? {};
  let instance: InstanceSettings = {};
  const origins = new Map<string, Origin>();
  const problems: string[] = [];
  for (const setting of SETTINGS) {
    const given = fromFlag(setting, sources.flags) ?? fromEnv(setting, sources.env);
    if (given) {
      // The schema's own messages (a URL's, an origin's) win over this one, which only says what the type takes.
      const mustBe = `must be ${expected(setting.schema, setting.meta.unit)}`;
      const checked = setting.schema.safeParse(given.value, { error: () => mustBe });
      if (!checked.success) {
        problems.push(...checked.error.issues.map((issue) => problem(setting, given, issue)));
        continue;
      }
      origins.set(setting.key, given.origin);
      if (isInstanceSetting(setting)) instance = withValueAt(instance, setting.path.slice(2), checked.data);
      else merged = withValueAt(merged, setting.path, checked.data);
    } else if (!isInstanceSetting(setting) && valueAt(sources.file, setting.path) !== undefined) {
      origins.set(setting.key, { source: "file", name: fileName });
    }
  }
  // One value can break a schema twice alike (a huge port is too big and not a safe integer): say it once.
  if (problems.length) throw new ConfigError(undefined, [...new Set(problems)]);
  const checked = CheckedSettingsSchema.safeParse(merged);
  if (!checked.success) {
    throw new ConfigError(undefined, checked.error.issues.map((issue) => issue.message));
  }
  for (const setting of SETTINGS) {
    if (!origins.has(setting.key) && valueAt(checked.data, setting.path) !== undefined) {
      origins.set(setting.key, { source: "default" });
    }
  }
  return { settings: checked.data, instance, origins };
}

/** A value a flag or variable gave: the value read from its text, and where it came from. */
interface Given {
  value: unknown;
  text: string;
  name: string;
  origin: Origin;
}

function fromFlag(setting: SettingKey, flags: FlagValues): Given | undefined {
  const flag = setting.meta.flag;
  const given = flag === undefined ? undefined : flags[flag];
  if (given === undefined) return undefined;
  const name = given === false ? `--no-${flag}` : `--${flag}`;
  const origin = { source: "flag", name } as const;
  if (typeof given === "boolean") return { value: given, text: String(given), name, origin };
  // A repeated flag's values add up, as a variable's comma-separated ones do; an empty value is the schema's to refuse.
  const text = Array.isArray(given) ? given.join(",") : given;
  return { value: fromText(text, setting.schema) ?? (Array.isArray(given) ? [] : text), text, name, origin };
}

function fromEnv(setting: SettingKey, env: Readonly<Record<string, string | undefined>>): Given | undefined {
  for (const variable of setting.meta.env ?? []) {
    const name = envName(variable);
    const text = env[name]?.trim();
    if (!text) continue;
    const value = fromText(typeof variable === "string" ? text : variable.read(text), setting.schema);
    return { value, text, name, origin: { source: "env", name } };
  }
  return undefined;
}

/** One problem of a flag's or variable's value: its name, what it must be, and what it was (never a secret). */
function problem(setting: SettingKey, given: Given, issue: z.core.$ZodIssue): string {
  const got = issue.path.length ? valueAt(given.value, issue.path) : given.text;
  return `${given.name} ${issue.message}, got ${JSON.stringify(quotable(got, [...setting.path, ...issue.path]))}`;
}
