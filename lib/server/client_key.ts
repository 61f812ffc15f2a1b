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
 * The scope of a client key: its SHA-256, hex (the key itself is never kept). What keeps
 * one client's stored responses and remembered token counts apart from another's; requests
 * without a key share one scope.
 *
 * @example
 * ```ts
 * import { equal, notEqual } from "node:assert/strict";
 * import { keyScope } from "./client_key.ts";
 * equal(keyScope("sk-1").length, 64);
 * notEqual(keyScope("sk-1"), keyScope("sk-2"));
 * equal(keyScope(undefined), keyScope(undefined));
 * ```
 */
export function keyScope(key: string | undefined): string {
  // The text hashed is the one the response stores have always used: their keys in Redis stay the same.
  return createHash("sha256").update(`cody-relay responses\0${key ?? ""}`).digest("hex");
}
