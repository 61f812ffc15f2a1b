/**
 * `check-config --explain`: the effective configuration, one value a line, secrets
 * redacted, each with where it came from.
 *
 * @module
 */
import { quotable } from "../config/quotable.ts";
import type { Origin } from "../config/resolve_settings.ts";
import { describedKeys, isInstanceSetting, SETTINGS } from "../config/setting_list.ts";
import { INSTANCE_UPSTREAM, UpstreamSchema } from "../config/settings_schema.ts";
import { valueAt } from "../config/value_at.ts";
import type { RelayConfig } from "./relay_config.ts";
import { upstreamSettings } from "./upstream_settings.ts";

/** One line of the explanation. */
export interface ExplainedSetting {
  /** The key, e.g. `server.port`, `upstreams.cody.endpoint`. */
  key: string;
  /** Its value as it may be shown (credentials `[redacted]`), or the default in words in parentheses. */
  value: string;
  /** Where it came from: `flag --port`, `env PORT`, `file PATH` or `default`. */
  origin: string;
}

/**
 * Every setting's effective value and where it came from (`flag --port`, `env PORT`,
 * `file PATH`, `default`), then every upstream's keys as built (the instance's flags and
 * variables applied) and the model routing table. Credentials show as `[redacted]`, URLs
 * without their query or user info; unset settings with a default in words show it in
 * parentheses.
 *
 * @example
 * ```ts
 * import { match } from "node:assert/strict";
 * import { explainConfig } from "./explain.ts";
 * import { parseConfig } from "./config.ts";
 * const argv = ["--port", "9000", "--endpoint", "https://sg.example"];
 * const text = explainConfig(parseConfig(argv, { SRC_ACCESS_TOKEN: "sgp_secret" }));
 * match(text, /^server\.port +9000 +flag --port$/m);
 * match(text, /^server\.host +127\.0\.0\.1 +default$/m);
 * match(text, /^upstreams\.cody\.accessToken +\[redacted\] +env SRC_ACCESS_TOKEN$/m);
 * ```
 */
export function explainConfig(config: RelayConfig): string {
  const lines = explainedSettings(config);
  const width = Math.max(...lines.map((line) => line.key.length)) + 2;
  const valueWidth = Math.min(Math.max(...lines.map((line) => line.value.length)), 48) + 2;
  return lines.map((line) => `${line.key.padEnd(width)}${line.value.padEnd(valueWidth)}${line.origin}`.trimEnd())
    .join("\n");
}

/**
 * The lines {@link explainConfig} prints, as records (the console's Status page shows them).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { explainedSettings } from "./explain.ts";
 * import { parseConfig } from "./config.ts";
 * const settings = explainedSettings(parseConfig(["--no-ui", "--endpoint", "https://sg.example"], { SRC_ACCESS_TOKEN: "sgp_secret" }));
 * deepEqual(settings.find((line) => line.key === "server.ui"), { key: "server.ui", value: "false", origin: "flag --no-ui" });
 * deepEqual(settings.find((line) => line.key === "upstreams.cody.accessToken")?.value, "[redacted]");
 * ```
 */
export function explainedSettings(config: RelayConfig): ExplainedSetting[] {
  return [...settingLines(config), ...upstreamLines(config), ...modelLines(config)];
}

function settingLines(config: RelayConfig): ExplainedSetting[] {
  return SETTINGS.filter((setting) => !isInstanceSetting(setting)).map(({ key, path, meta }) => {
    const origin = config.origins.get(key);
    const value = valueAt(config, path);
    if (value === undefined || !origin) return { key, value: `(${meta.defaultText ?? "not set"})`, origin: "default" };
    return { key, value: shown(value, path), origin: originText(origin) };
  });
}

/** Each upstream's keys as built, and where each came from: a flag or variable of the instance, the file, or a default. */
function upstreamLines(config: RelayConfig): ExplainedSetting[] {
  return Object.entries(upstreamSettings(config)).flatMap(([name, settings]) => {
    const schema = UpstreamSchema.options.find((option) => option.shape.type.value === settings.type)!;
    return ["type", ...describedKeys(schema).map(({ key }) => key)].flatMap((key): ExplainedSetting[] => {
      const path = key.split(".");
      const value = valueAt(settings, path);
      if (value === undefined) {
        const fallback = upstreamDefault(config, settings.type, key);
        return fallback === undefined ? [] : [{ key: `upstreams.${name}.${key}`, value: fallback, origin: "default" }];
      }
      const origin = upstreamOrigin(config, name, path, value);
      return [{ key: `upstreams.${name}.${key}`, value: shown(value, [name, ...path]), origin }];
    });
  });
}

/**
 * Where an upstream's key got its value: for the upstream named cody, a flag or variable
 * of the instance before the file; for the others, the file before them.
 */
function upstreamOrigin(config: RelayConfig, name: string, path: string[], value: unknown): string {
  const file = config.upstreams?.[name];
  const fromFile = file !== undefined && valueAt(file, path) === value;
  // Without the upstream in the file, its type is the --endpoint instance's, or the simulator's.
  const key = path[0] === "type" && !file ? "endpoint" : path.join(".");
  const origin = config.origins.get(`upstreams.${INSTANCE_UPSTREAM}.${key}`);
  const given = origin && (key === "endpoint" && path[0] === "type" || valueAt(config.instance, path) === value);
  const instance = given ? originText(origin) : undefined;
  const filed = fromFile ? originText({ source: "file", name: config.configFile ?? "the config file" }) : undefined;
  return (name === INSTANCE_UPSTREAM ? instance ?? filed : filed ?? instance) ?? "default";
}

/** What an upstream uses for a key nothing set: the transport the environment chooses, or the schema's default. */
function upstreamDefault(config: RelayConfig, type: string, key: string): string | undefined {
  if (key === "transport" && type !== "simulator") return config.defaultUpstreamTransport;
  const setting = SETTINGS.find((entry) => isInstanceSetting(entry) && entry.path.slice(2).join(".") === key);
  const meta = setting?.meta;
  if (!meta || !(type === "cody" || type === "sourcegraph-llm")) return undefined;
  return meta.default !== undefined ? String(meta.default) : meta.defaultText ? `(${meta.defaultText})` : undefined;
}

function modelLines(config: RelayConfig): ExplainedSetting[] {
  const origin = originText({ source: "file", name: config.configFile ?? "the config file" });
  return leaves(config.models, ["models"]).map(([path, value]) => ({
    key: path.join("."),
    value: shown(value, path),
    origin,
  }));
}

/** Every leaf of a value: objects are walked into, anything else (lists included) is one leaf. */
function leaves(value: unknown, path: string[]): [string[], unknown][] {
  if (value === undefined) return [];
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [[path, value]];
  return Object.entries(value).flatMap(([key, inner]) => leaves(inner, [...path, key]));
}

/** A value as it may be shown: lists item by item, objects key by key, each through {@link quotable}. */
function shown(value: unknown, path: readonly PropertyKey[]): string {
  if (Array.isArray(value)) return `[${value.map((item, index) => shown(item, [...path, index])).join(", ")}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value).map(([key, inner]) => `${key}: ${shown(inner, [...path, key])}`).join(", ")}}`;
  }
  const quoted = quotable(value, path);
  return typeof quoted === "string" ? quoted : JSON.stringify(quoted);
}

/** `flag --port`, `env PORT`, `file cody-relay.json`, `default`. */
function originText(origin: Origin): string {
  return origin.source === "default" ? "default" : `${origin.source} ${origin.name}`;
}
