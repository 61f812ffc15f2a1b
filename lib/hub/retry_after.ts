/**
 * Parses an HTTP `retry-after` value (delta-seconds, an HTTP date such as Sourcegraph's
 * RFC 1123 form, or RFC 3339) into milliseconds from `now`. Returns undefined when absent
 * or unparseable; never negative.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseRetryAfter } from "./retry_after.ts";
 * equal(parseRetryAfter("30"), 30_000);
 * const now = Date.parse("Mon, 02 Jan 2006 15:04:05 GMT");
 * equal(parseRetryAfter("Mon, 02 Jan 2006 15:04:35 GMT", now), 30_000);
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
