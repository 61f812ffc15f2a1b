/**
 * Where an adapter's `${var}` values come from, as in CodeCompanion's adapters: a command's
 * output, a file, an environment variable, a function, a path into the adapter's schema, or
 * the text itself.
 *
 * @module
 */
import { exec } from "node:child_process";
import { readFile } from "node:fs/promises";
import process from "node:process";
import { RelayError } from "../hub/errors.ts";

/** What an env source may look at: the process environment and the request's resolved parameters. */
export interface EnvScope {
  /** Environment variables. @default the process's */
  environment?: Record<string, string | undefined>;
  /** The schema's values for this request, for `schema.<name>` sources. */
  params?: Record<string, unknown>;
  /** The schema's declared defaults, for `schema.<name>.default` sources. */
  defaults?: Record<string, unknown>;
}

/**
 * One source: `cmd:<command>` (run it; its trimmed stdout), `file:<path>` (the trimmed
 * file), `schema.<name>` or `schema.<name>.default` (the request's value or the declared
 * default), the name of a set environment variable, a function, or otherwise the text itself.
 */
export type EnvSource = string | ((scope: EnvScope) => string | Promise<string>);

/** How long a `cmd:` source may run. */
const COMMAND_TIMEOUT_MS = 10_000;

/**
 * Resolves one source for the variable `name`. Failures are 500s that name the variable and
 * the source, never its value (a command's stdout may be a secret, so only stderr is quoted).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { resolveEnvSource } from "./env.ts";
 * equal(await resolveEnvSource("api_key", "MY_KEY", { environment: { MY_KEY: "k1" } }), "k1");
 * equal(await resolveEnvSource("greeting", "hello there", { environment: {} }), "hello there");
 * equal(await resolveEnvSource("model", "schema.model.default", { defaults: { model: "m" } }), "m");
 * ```
 */
export async function resolveEnvSource(name: string, source: EnvSource, scope: EnvScope = {}): Promise<string> {
  if (typeof source === "function") {
    try {
      return String(await source(scope));
    } catch (error) {
      throw envError(name, "its function failed", error);
    }
  }
  if (source.startsWith("cmd:")) return await runCommand(name, source.slice(4).trim());
  if (source.startsWith("file:")) {
    const path = source.slice(5).trim();
    try {
      return (await readFile(path, "utf8")).trim();
    } catch (error) {
      throw envError(name, `cannot read file ${path}`, error);
    }
  }
  const schemaPath = /^schema\.([A-Za-z0-9_]+)(\.default)?$/.exec(source);
  if (schemaPath) {
    const [, key, isDefault] = schemaPath;
    const value = isDefault ? scope.defaults?.[key] : scope.params?.[key] ?? scope.defaults?.[key];
    if (value === undefined) throw envError(name, `${source} has no value`);
    return String(value);
  }
  const environment = scope.environment ?? process.env;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(source) && environment[source] !== undefined) return environment[source]!;
  return source;
}

/**
 * Resolves every variable of an adapter's `env`, with the ones named in `cached` resolved
 * once per `cache` and reused (a credential fetched by a slow command).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { resolveEnv } from "./env.ts";
 * const cache = new Map<string, Promise<string>>();
 * const vars = await resolveEnv({ a: "literal", b: () => "computed" }, {}, { cache, cached: ["b"] });
 * ok(vars.a === "literal" && vars.b === "computed" && cache.has("b"));
 * ```
 */
export async function resolveEnv(
  env: Record<string, EnvSource>,
  scope: EnvScope,
  options: { cache?: Map<string, Promise<string>>; cached?: readonly string[] } = {},
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(env).map(async ([name, source]) => {
      if (!options.cache || !options.cached?.includes(name)) return [name, await resolveEnvSource(name, source, scope)];
      let value = options.cache.get(name);
      if (!value) {
        value = resolveEnvSource(name, source, scope);
        options.cache.set(name, value);
        value.catch(() => options.cache!.delete(name));
      }
      return [name, await value];
    }),
  );
  return Object.fromEntries(entries);
}

function runCommand(name: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // The platform's shell runs it (sh, or cmd.exe on Windows), as in CodeCompanion.
    exec(command, { timeout: COMMAND_TIMEOUT_MS, encoding: "utf8" }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout.trim());
      const why = error.killed ? `timed out after ${COMMAND_TIMEOUT_MS / 1000} s` : `exited with ${error.code}`;
      const detail = stderr.trim() ? `: ${stderr.trim().slice(0, 300)}` : "";
      reject(envError(name, `command "${command.split(/\s+/)[0]}" ${why}${detail}`));
    });
  });
}

function envError(name: string, why: string, cause?: unknown): RelayError {
  return new RelayError(500, `adapter variable "${name}": ${why}`, { cause, retryable: false, code: "adapter_env" });
}
