/**
 * How the CLI writes a log record: a text line (the default) or a JSON line.
 *
 * @module
 */
import { getJsonLinesFormatter, getTextFormatter, type LogRecord } from "@logtape/logtape";

/** Log values in text lines: strings as they are, absent figures as `-`. */
function plainValue(value: unknown): string {
  if (value === null || value === undefined) return "-";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The formatter of `--log-format`: `text` lines (values plain, absent ones `-`) or `json`
 * lines (properties flattened into the record).
 *
 * @example
 * ```ts
 * import { match } from "node:assert/strict";
 * import type { LogRecord } from "@logtape/logtape";
 * import { logFormatter } from "./log_format.ts";
 * const record = {
 *   category: ["cody-relay"],
 *   level: "info",
 *   message: ["took ", null, " ms"],
 *   rawMessage: "took {ms} ms",
 *   properties: { ms: null },
 *   timestamp: 0,
 * } as unknown as LogRecord;
 * match(logFormatter("text")(record), /\[INF\] cody-relay: took - ms\n$/);
 * match(logFormatter("json")(record), /"message":"took null ms"/);
 * ```
 */
export function logFormatter(format: "text" | "json"): (record: LogRecord) => string {
  return format === "json" ? getJsonLinesFormatter({ properties: "flatten" }) : getTextFormatter({ value: plainValue });
}
