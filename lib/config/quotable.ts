/**
 * What the relay may show of a setting's value, in an error or in `check-config --explain`:
 * never a credential.
 *
 * @module
 */
import { redactor } from "../server/redact.ts";

/** Token shapes (`sgp_…`, `sk-…`, `Bearer …`) in any value, e.g. an access token given as the endpoint by mistake. */
const tokenShapes = redactor([]);

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
 * to its query, and not at all with user info; a token's shape anywhere (`sgp_…`) redacted. Objects and lists are not shown (undefined):
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
 * equal(quotable("sgp_0123456789abcdef", ["upstreams", "cody", "endpoint"]), "sgp_[redacted]");
 * ```
 */
export function quotable(value: unknown, path: readonly PropertyKey[]): unknown {
  if (value === undefined || (typeof value === "object" && value !== null)) return undefined;
  if (path.some((key) => typeof key === "string" && SECRET_KEY.test(key))) return "[redacted]";
  if (typeof value !== "string") return value;
  if (!(URL_KEY.test(String(path.at(-1))) || URL_TEXT.test(value))) return tokenShapes(value);
  const [address] = value.split(/[?#]/, 1);
  if (address.includes("@")) return "[redacted]";
  return tokenShapes(address === value ? value : `${address}?[redacted]`);
}
