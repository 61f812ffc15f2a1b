/**
 * The API key a client sent, from `Authorization: Bearer …` (or `token …`, as coLLaMA
 * sends), `x-api-key` (Anthropic SDK) or `api-key` (Azure-style). Placeholder keys that
 * clients send when none is configured (`Bearer `, `Bearer undefined`, `Bearer null`)
 * count as no key.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { clientKey } from "./client_key.ts";
 * equal(clientKey(new Headers({ authorization: "Bearer sgp_abc" })), "sgp_abc");
 * equal(clientKey(new Headers({ authorization: "Bearer undefined" })), undefined);
 * ```
 */
export function clientKey(headers: Headers): string | undefined {
  const authorization = headers.get("authorization")?.trim();
  const scheme = authorization?.match(/^(?:bearer|token)(?:\s+(.*))?$/i);
  const fromAuthorization = scheme ? scheme[1] : authorization;
  for (const candidate of [fromAuthorization, headers.get("x-api-key"), headers.get("api-key")]) {
    const key = candidate?.trim();
    if (key && key !== "undefined" && key !== "null") return key;
  }
  return undefined;
}
