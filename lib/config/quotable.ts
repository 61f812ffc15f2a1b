/**
 * What the relay may show of a setting's value, in an error or in `check-config --explain`:
 * never a credential.
 *
 * @module
 */

/**
 * Keys whose values are credentials, and everything under them (list items, an upstream's
 * `headers`, which exist to carry them); counts of tokens (`maxTokens`) are not.
 */
const SECRET_KEY = /token(?!s)|key|secret|password|authorization|cookie|^headers$/i;

/** Keys whose values are URLs, shown without their query or fragment (where keys and sessions travel). */
const URL_KEY = /^(endpoint|baseUrl|url)$/;

/** A value that is a URL whatever its key, e.g. a Redis URL with a password. */
const URL_TEXT = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * What may be shown of the value at `path`: a number, boolean, null or string, unless a key
 * on its path is a credential's (then `[redacted]`); a URL (by its key or its text) only up
 * to its query, and not at all with user info. Objects and lists are not shown (undefined):
 * they may hold a credential under any name (a misspelt `accessToken`).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { quotable } from "./quotable.ts";
 * equal(quotable(80, ["server", "port"]), 80);
 * equal(quotable("sgp_x", ["upstreams", "cody", "accessToken"]), "[redacted]");
 * equal(quotable("k1", ["server", "apiKeys", 0]), "[redacted]");
 * equal(quotable("https://sg.example/?token=t", ["upstreams", "cody", "endpoint"]), "https://sg.example/?[redacted]");
 * equal(quotable("redis://:pw@cache:6379", ["responses", "store"]), "[redacted]");
 * equal(quotable(4000, ["continuation", "defaultMaxTokens"]), 4000);
 * equal(quotable({ a: 1 }, ["models"]), undefined);
 * ```
 */
export function quotable(value: unknown, path: readonly PropertyKey[]): unknown {
  if (value === undefined || (typeof value === "object" && value !== null)) return undefined;
  if (path.some((key) => typeof key === "string" && SECRET_KEY.test(key))) return "[redacted]";
  if (typeof value !== "string" || !(URL_KEY.test(String(path.at(-1))) || URL_TEXT.test(value))) return value;
  const [address] = value.split(/[?#]/, 1);
  if (address.includes("@")) return "[redacted]";
  return address === value ? value : `${address}?[redacted]`;
}
