import { createHash } from "node:crypto";

/**
 * The API key a client sent, from `Authorization: Bearer …` (or `token …`, as coLLaMA
 * sends), `x-api-key` (Anthropic SDK), `api-key` (Azure-style), `x-goog-api-key` (Gemini
 * clients), or, given the request's `url`, a `?key=` query parameter (Gemini REST calls;
 * the relay never logs queries). Placeholder keys that clients send when none is
 * configured (`Bearer `, `Bearer undefined`, `Bearer null`) count as no key.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { clientKey } from "./client_key.ts";
 * equal(clientKey(new Headers({ authorization: "Bearer sgp_abc" })), "sgp_abc");
 * equal(clientKey(new Headers({ authorization: "Bearer undefined" })), undefined);
 * equal(clientKey(new Headers(), "http://relay/v1beta/models?key=AIza123"), "AIza123");
 * ```
 */
export function clientKey(headers: Headers, url?: string): string | undefined {
  const authorization = headers.get("authorization")?.trim();
  const scheme = authorization?.match(/^(?:bearer|token)(?:\s+(.*))?$/i);
  const fromAuthorization = scheme ? scheme[1] : authorization;
  const query = url?.includes("key=") ? new URL(url).searchParams.get("key") : undefined;
  const candidates = [
    fromAuthorization,
    headers.get("x-api-key"),
    headers.get("api-key"),
    headers.get("x-goog-api-key"),
    query,
  ];
  for (const candidate of candidates) {
    const key = candidate?.trim();
    if (key && key !== "undefined" && key !== "null") return key;
  }
  return undefined;
}

/**
 * What keeps one client's remembered figures (token counts) apart from another's: a digest
 * of the key it sent (the key itself is not kept), or `""` for a request without one.
 *
 * @example
 * ```ts
 * import { equal, notEqual } from "node:assert/strict";
 * import { clientScope } from "./client_key.ts";
 * const scope = (key: string) => clientScope(new Headers({ authorization: `Bearer ${key}` }));
 * equal(scope("sgp_abc"), scope("sgp_abc"));
 * notEqual(scope("sgp_abc"), scope("sgp_def"));
 * equal(scope("sgp_abc").includes("abc"), false);
 * equal(clientScope(new Headers()), "");
 * ```
 */
export function clientScope(headers: Headers, url?: string): string {
  const key = clientKey(headers, url);
  return key === undefined ? "" : createHash("sha256").update(key).digest("base64url");
}
