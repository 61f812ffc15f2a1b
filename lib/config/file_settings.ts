import type { ConfigFile } from "./file_schema.ts";

/**
 * Each setting of the file and the environment variable it stands in for. The file is read
 * as if it set these variables, beneath the real environment, so the precedence is
 * flags > environment > file > defaults with one parser for all three.
 */
export const FILE_SETTINGS: readonly (readonly [path: string, variable: string])[] = [
  ["server.host", "HOST"],
  ["server.port", "PORT"],
  ["server.cors", "CORS_ORIGINS"],
  ["server.tlsCert", "TLS_CERT_FILE"],
  ["server.tlsKey", "TLS_KEY_FILE"],
  ["server.apiKeys", "RELAY_API_KEYS"],
  ["server.allowOpen", "RELAY_ALLOW_OPEN"],
  ["server.maxBodyBytes", "RELAY_MAX_BODY_BYTES"],
  ["server.keepAliveInterval", "RELAY_KEEPALIVE_INTERVAL"],
  ["server.shutdownGrace", "RELAY_SHUTDOWN_GRACE"],
  ["server.metrics", "RELAY_METRICS"],
  ["logging.level", "LOG_LEVEL"],
  ["logging.format", "LOG_FORMAT"],
  ["logging.bodies", "RELAY_LOG_BODIES"],
  ["limits.connectTimeout", "CODY_CONNECT_TIMEOUT"],
  ["limits.firstEventTimeout", "CODY_FIRST_EVENT_TIMEOUT"],
  ["limits.idleTimeout", "CODY_IDLE_TIMEOUT"],
  ["limits.totalTimeout", "CODY_TOTAL_TIMEOUT"],
  ["retry.maxRetries", "CODY_MAX_RETRIES"],
  ["retry.maxWait", "CODY_MAX_RETRY_WAIT"],
  ["retry.fallbackModels", "CODY_FALLBACK_MODELS"],
  ["continuation.maxContinuations", "CODY_MAX_CONTINUATIONS"],
  ["continuation.defaultMaxTokens", "CODY_DEFAULT_MAX_TOKENS"],
  ["anthropicDefaultModel", "CODY_ANTHROPIC_DEFAULT_MODEL"],
  ["responses.store", "RELAY_RESPONSES_STORE"],
];

/**
 * The value at `path` inside `value`, or undefined where the path leaves it.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { valueAt } from "./file_settings.ts";
 * ok(valueAt({ a: [{ b: 1 }] }, ["a", 0, "b"]) === 1 && valueAt({ a: 1 }, ["a", "b"]) === undefined);
 * ```
 */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (item, key) => item && typeof item === "object" ? (item as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );
}

/**
 * The file's settings as environment variables (lists comma-joined, numbers and booleans
 * as text), to lay beneath the real environment.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { fileAsEnv } from "./file_settings.ts";
 * const env = fileAsEnv({ server: { port: 9000, apiKeys: ["a", "b"] }, logging: { bodies: true } });
 * ok(env.PORT === "9000" && env.RELAY_API_KEYS === "a,b" && env.RELAY_LOG_BODIES === "true");
 * ```
 */
export function fileAsEnv(file: ConfigFile): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [path, variable] of FILE_SETTINGS) {
    const value = valueAt(file, path.split("."));
    if (value !== undefined) env[variable] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return env;
}
