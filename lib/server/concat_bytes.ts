/**
 * Byte chunks joined into one array.
 *
 * @module
 */

/**
 * `chunks` as one array: the chunk itself when there is one, else a copy of them all in order.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { concatBytes } from "./concat_bytes.ts";
 * deepEqual(concatBytes([new Uint8Array([1, 2]), new Uint8Array([3])]), new Uint8Array([1, 2, 3]));
 * ```
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
