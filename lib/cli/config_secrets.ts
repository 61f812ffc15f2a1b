/**
 * The credentials a configuration holds, for redaction: whatever shows a log line, an
 * error or a console page replaces them.
 *
 * @module
 */
import type { RelayConfig } from "./relay_config.ts";

/**
 * The credentials a configuration holds: the Sourcegraph token, gateway keys, the Redis
 * store's password, and the upstreams' tokens and keys.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { configSecrets } from "./config_secrets.ts";
 * import { parseConfig } from "./config.ts";
 * const file = { upstreams: { cody: { type: "openai-compatible" as const, baseUrl: "https://api.example/v1", apiKey: "sk-file" } } };
 * const config = parseConfig(["--api-key", "gateway-key"], { SRC_ACCESS_TOKEN: "sgp_env" }, file);
 * deepEqual(configSecrets(config), ["sgp_env", "gateway-key", "sk-file"]);
 * ```
 */
export function configSecrets(config: RelayConfig): string[] {
  const upstreams = Object.values(config.upstreams ?? {}) as { accessToken?: string; apiKey?: string }[];
  const store = config.responses.store;
  return [
    config.instance.accessToken,
    ...config.server.apiKeys ?? [],
    URL.canParse(store) ? decodeURIComponent(new URL(store).password) : "",
    ...upstreams.flatMap((upstream) => [upstream.accessToken, upstream.apiKey]),
  ]
    .filter((secret): secret is string => !!secret);
}
