/**
 * Reads a config file: JSON with comments and trailing commas, `${ENV_VAR}` replaced in
 * every string, validated with precise errors (path, expected, got).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { jsonErrorPosition } from "../hub/json_error_position.ts";
import { argumentOptions } from "./argument_options.ts";
import { COMMAND_OPTIONS, DEFAULT_CONFIG_FILE } from "./command_options.ts";
import { ConfigError } from "./config_error.ts";
import { quotable } from "./quotable.ts";
import { type ConfigFile, SettingsSchema } from "./settings_schema.ts";
import { valueAt } from "./value_at.ts";

/**
 * JSON with `//` and `/* *\/` comments and trailing commas (JSONC, as editors write it).
 * Comments become spaces, so a syntax error's position is the file's own.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseJsonc } from "./load_config.ts";
 * const value = parseJsonc('{\n  // the port\n  "port": 8787, /* not 80 *\/\n}');
 * equal((value as { port: number }).port, 8787);
 * ```
 */
export function parseJsonc(text: string): unknown {
  let json = "";
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char === '"') {
      const end = stringEnd(text, at);
      json += text.slice(at, end);
      at = end - 1;
    } else if (char === "/" && text[at + 1] === "/") {
      const end = text.indexOf("\n", at);
      const stop = end < 0 ? text.length : end;
      json += " ".repeat(stop - at);
      at = stop - 1;
    } else if (char === "/" && text[at + 1] === "*") {
      const end = text.indexOf("*/", at + 2);
      const stop = end < 0 ? text.length : end + 2;
      json += text.slice(at, stop).replace(/[^\n]/g, " ");
      at = stop - 1;
    } else if (char === "," && /^\s*[}\]]/.test(text.slice(at + 1).replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ""))) {
      json += " ";
    } else json += char;
  }
  try {
    return JSON.parse(json);
  } catch {
    throw new SyntaxError(`not valid JSON: it breaks at ${jsonErrorPosition(json)}`);
  }
}

function stringEnd(text: string, start: number): number {
  for (let at = start + 1; at < text.length; at++) {
    if (text[at] === "\\") at++;
    else if (text[at] === '"') return at + 1;
  }
  return text.length;
}

/**
 * Replaces `${NAME}` (upper-case names only: lower-case ones such as `${query}` are an
 * adapter's own placeholders) in every string of `value` with that environment variable.
 * An unset variable is a problem naming where it is used.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { interpolateEnv } from "./load_config.ts";
 * const { value } = interpolateEnv({ key: "${KEY}", url: "http://h/?q=${query}" }, { KEY: "k1" });
 * equal(JSON.stringify(value), '{"key":"k1","url":"http://h/?q=${query}"}');
 * ```
 */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  path = "",
): { value: unknown; problems: string[] } {
  const problems: string[] = [];
  const walk = (item: unknown, at: string): unknown => {
    if (typeof item === "string") {
      return item.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) => {
        if (env[name] !== undefined) return env[name]!;
        problems.push(`${at || "(top)"}: \${${name}} is not set in the environment`);
        return whole;
      });
    }
    if (Array.isArray(item)) return item.map((entry, index) => walk(entry, `${at}[${index}]`));
    if (item && typeof item === "object") {
      return Object.fromEntries(
        Object.entries(item).map(([key, entry]) => [key, walk(entry, at ? `${at}.${key}` : key)]),
      );
    }
    return item;
  };
  return { value: walk(value, path), problems };
}

/**
 * Validates parsed file contents against the settings schema: the file as it is (its
 * defaults not filled in, since it is one source of several), or a {@link ConfigError}
 * listing every problem as `path: message (got value)`. The value quoted is the one
 * `written` in the file (before `${VAR}` interpolation, so a variable's secret is never
 * quoted), and only what {@link quotable} allows: never a credential, an object or a list,
 * a URL only up to its query.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { validateConfig } from "./load_config.ts";
 * const problems = (value: unknown) => {
 *   try {
 *     validateConfig(value, "x.json");
 *   } catch (error) {
 *     return (error as Error).message;
 *   }
 * };
 * ok(problems({ server: { port: "80" } })?.includes('server.port: Invalid input: expected number, received string (got "80")'));
 * ok(problems({ server: { apiKeys: ["k1,k2"] } })?.endsWith('server.apiKeys[0]: must not contain a comma (got "[redacted]")'));
 * ```
 */
export function validateConfig(value: unknown, source: string, written: unknown = value): ConfigFile {
  const parsed = SettingsSchema.safeParse(value);
  if (parsed.success) return value as ConfigFile;
  throw new ConfigError(
    source,
    parsed.error.issues.map((issue) => {
      const path = issue.path.map((key) => typeof key === "number" ? `[${key}]` : `.${String(key)}`).join("").slice(1);
      const got = quotable(valueAt(written, issue.path), issue.path);
      return `${path || "(top)"}: ${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}`;
    }),
  );
}

/**
 * Reads, interpolates and validates a config file.
 *
 * @example
 * ```ts ignore
 * import { loadConfigFile } from "./load_config.ts";
 * const file = await loadConfigFile("cody-relay.json", Deno.env.toObject());
 * ```
 */
export async function loadConfigFile(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${error instanceof Error ? error.message : error}`]);
  }
  let parsed: unknown;
  try {
    parsed = parseJsonc(text);
  } catch (error) {
    throw new ConfigError(path, [(error as Error).message]);
  }
  const { value, problems } = interpolateEnv(parsed, env);
  if (problems.length) throw new ConfigError(path, problems);
  return validateConfig(value, path, parsed);
}

/**
 * Which config file to read: `check-config PATH`, `--config PATH`, `CODY_RELAY_CONFIG`, or
 * `cody-relay.json` in the working directory if there is one; undefined for none. The
 * command line is read as the relay reads it, so `check-config --explain PATH` names PATH
 * too (a flag's value is never taken for it); a command line that does not parse names none.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { configPath } from "./load_config.ts";
 * equal(configPath(["--config", "a.json"], {}), "a.json");
 * equal(configPath(["check-config", "b.json"], {}), "b.json");
 * equal(configPath(["check-config", "--explain", "--port", "9000", "b.json"], {}), "b.json");
 * equal(configPath([], { CODY_RELAY_CONFIG: "c.json" }), "c.json");
 * ```
 */
export function configPath(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: argumentOptions(), allowPositionals: true, allowNegative: true });
  } catch {
    return undefined; // a bad command line: no file is read, and the full parse (parseConfig) says what is wrong
  }
  const { values, positionals } = parsed;
  if (positionals[0] === "check-config" && positionals[1]) return positionals[1];
  if (typeof values.config === "string") return values.config;
  if (env[COMMAND_OPTIONS.config.env]) return env[COMMAND_OPTIONS.config.env];
  return existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}
