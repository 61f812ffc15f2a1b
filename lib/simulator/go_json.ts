/**
 * JSON as Go's `encoding/json` writes it, which is what Sourcegraph sends: `<`, `>`, `&`,
 * U+2028 and U+2029 escaped as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { goJson } from "./go_json.ts";
 * equal(goJson({ t: "<a>" }), '{"t":"\\u003ca\\u003e"}');
 * ```
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
