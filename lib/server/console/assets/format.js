/**
 * How the console writes figures: durations, times of day, token counts. Plain functions
 * for the browser, checked by Deno's doc tests.
 *
 * @module
 */

/**
 * Milliseconds as a short duration (`–` for none).
 *
 * @example
 * ```js
 * import { equal } from "node:assert/strict";
 * import { duration } from "./format.js";
 * equal(duration(850), "850 ms");
 * equal(duration(1234), "1.2 s");
 * equal(duration(185_000), "3 m 5 s");
 * equal(duration(90_000_000), "1 d 1 h");
 * equal(duration(null), "–");
 * ```
 *
 * @param {number | null | undefined} ms
 * @returns {string}
 */
export function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  const [d, h, m, s] = [
    Math.floor(seconds / 86_400),
    Math.floor(seconds / 3600) % 24,
    Math.floor(seconds / 60) % 60,
    seconds % 60,
  ];
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} m`;
  return `${m} m ${s} s`;
}

/**
 * A moment as the local time of day, `HH:MM:SS`.
 *
 * @example
 * ```js
 * import { match } from "node:assert/strict";
 * import { timeOfDay } from "./format.js";
 * match(timeOfDay(Date.now()), /^\d\d:\d\d:\d\d$/);
 * ```
 *
 * @param {number} epochMs
 * @returns {string}
 */
export function timeOfDay(epochMs) {
  const time = new Date(epochMs);
  return [time.getHours(), time.getMinutes(), time.getSeconds()].map((part) => String(part).padStart(2, "0")).join(":");
}

/**
 * Tokens read and written, `in / out`, with `≈` when the relay estimated them (`–` for none).
 *
 * @example
 * ```js
 * import { equal } from "node:assert/strict";
 * import { tokenPair } from "./format.js";
 * equal(tokenPair({ in: 12, out: 3400, estimated: false }), "12 / 3,400");
 * equal(tokenPair({ in: 12, out: 40, estimated: true }), "≈ 12 / 40");
 * equal(tokenPair(null), "–");
 * ```
 *
 * @param {{ in: number, out: number, estimated: boolean } | null} tokens
 * @returns {string}
 */
export function tokenPair(tokens) {
  if (!tokens) return "–";
  return `${tokens.estimated ? "≈ " : ""}${count(tokens.in)} / ${count(tokens.out)}`;
}

/**
 * A whole number with thousands separated.
 *
 * @example
 * ```js
 * import { equal } from "node:assert/strict";
 * import { count } from "./format.js";
 * equal(count(1234567), "1,234,567");
 * ```
 *
 * @param {number} value
 * @returns {string}
 */
export function count(value) {
  return Math.round(value).toLocaleString("en-US");
}
