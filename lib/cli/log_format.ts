/**
 * How the CLI writes a log record: a text line (the default) or a JSON line.
 *
 * @module
 */
import { getJsonLinesFormatter, getTextFormatter, type LogRecord, sanitizeControlSequences } from "@logtape/logtape";

/** Every control character escaped: line breaks and colours included. */
const ESCAPE_ALL = { sgr: "escape", newlines: "escape" } as const;

/**
 * Log values in text lines: strings as they are but for control characters, which are
 * escaped (a model name or an upstream's event name comes from outside: a line break in
 * it would start what looks like a log record of its own, an escape sequence would drive
 * the terminal); other values as JSON, absent ones as `-`.
 */
function plainValue(value: unknown): string {
  if (value === null || value === undefined) return "-";
  return typeof value === "string" ? sanitizeControlSequences(value, ESCAPE_ALL) : JSON.stringify(value);
}

/**
 * The formatter of `--log-format`: `text` lines (values plain, absent ones `-`, control
 * characters escaped) or `json` lines (properties flattened into the record).
 *
 * @example
 * ```ts
 * import { equal, match } from "node:assert/strict";
 * import type { LogRecord } from "@logtape/logtape";
 * import { logFormatter } from "./log_format.ts";
 * const record = (value: unknown) =>
 *   ({
 *     category: ["cody-relay"],
 *     level: "info",
 *     message: ["model ", value, " asked"],
 *     rawMessage: "model {model} asked",
 *     properties: { model: value },
 *     timestamp: 0,
 *   }) as unknown as LogRecord;
 * match(logFormatter("text")(record(null)), /\[INF\] cody-relay: model - asked\n$/);
 * match(logFormatter("json")(record(null)), /"message":"model null asked"/);
 * const forged = logFormatter("text")(record("x\n1970-01-01 [INF] cody-relay: forged \x1b[2J"));
 * equal(forged.split("\n").length, 2);
 * equal(forged.includes("\x1b"), false);
 * ```
 */
export function logFormatter(format: "text" | "json"): (record: LogRecord) => string {
  return format === "json" ? getJsonLinesFormatter({ properties: "flatten" }) : getTextFormatter({ value: plainValue });
}
