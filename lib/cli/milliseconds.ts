/**
 * Settings count time in seconds (fractions allowed); the library counts milliseconds.
 *
 * @module
 */

/**
 * `seconds` in whole milliseconds.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { milliseconds } from "./milliseconds.ts";
 * equal(milliseconds(0.25), 250);
 * equal(milliseconds(60), 60_000);
 * ```
 */
export function milliseconds(seconds: number): number {
  return Math.round(seconds * 1000);
}
