/**
 * How the CLI writes a log record: a text line (the default) or a JSON line.
 *
 * @module
 */
import { getJsonLinesFormatter, type LogLevel, type LogRecord, sanitizeControlSequences } from "@logtape/logtape";

/** Every control character escaped: line breaks and colours included. */
const ESCAPE_ALL = { sgr: "escape", newlines: "escape" } as const;

/** What LogTape escapes in a message's own text and in categories: line breaks are kept. */
const ESCAPE_TEXT = { sgr: "escape" } as const;

/** A text line's level, as LogTape's text formatter writes it. */
const LEVELS: Record<LogLevel, string> = {
  trace: "TRC",
  debug: "DBG",
  info: "INF",
  warning: "WRN",
  error: "ERR",
  fatal: "FTL",
};

/** Message templates kept split; others are split by LogTape for each record. */
const TEMPLATES_KEPT = 128;

/**
 * Message templates split at their `{name}` placeholders: text, name, text, …, text, the
 * text already escaped as LogTape escapes it. `null` for a template LogTape reads differently (`{{` escapes,
 * property paths, `{*}`, spaces), which is left to it.
 */
const templates = new Map<string, readonly string[] | null>();

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

/** `raw` split at its placeholders (see {@link templates}), kept for the next record while there is room. */
function splitTemplate(raw: string): readonly string[] | null {
  let pieces = templates.get(raw);
  if (pieces !== undefined) return pieces;
  pieces = raw.split(/\{(\w+)\}/);
  const plain = pieces.every((piece, index) => index % 2 === 1 || !/[{}]/.test(piece));
  pieces = plain
    ? pieces.map((piece, index) => index % 2 ? piece : sanitizeControlSequences(piece, ESCAPE_TEXT))
    : null;
  if (templates.size < TEMPLATES_KEPT) templates.set(raw, pieces);
  return pieces;
}

/** A record's message with its values written by {@link plainValue}. */
function messageText(record: LogRecord): string {
  const pieces = typeof record.rawMessage === "string" ? splitTemplate(record.rawMessage) : null;
  if (pieces) {
    let text = pieces[0];
    for (let index = 1; index < pieces.length; index += 2) {
      text += plainValue(record.properties[pieces[index]]) + pieces[index + 1];
    }
    return text;
  }
  let text = "";
  record.message.forEach((part, index) => {
    text += index % 2 ? plainValue(part) : sanitizeControlSequences(String(part), ESCAPE_TEXT);
  });
  return text;
}

/**
 * A text line as LogTape's default text formatter writes one
 * (`2026-12-05 02:11:10.123 +00:00 [INF] cody-relay·http: message`), its values written by
 * {@link plainValue}. A request's line is written for every request, so a template is
 * split once, not for each record.
 */
function textLine(record: LogRecord): string {
  const time = new Date(record.timestamp).toISOString();
  const category = record.category.map((part) => sanitizeControlSequences(part, ESCAPE_TEXT)).join("·");
  return `${time.slice(0, 10)} ${time.slice(11, 23)} +00:00 [${LEVELS[record.level]}] ${category}: ${
    messageText(record)
  }\n`;
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
 * equal(logFormatter("text")(record(null)), "1970-01-01 00:00:00.000 +00:00 [INF] cody-relay: model - asked\n");
 * match(logFormatter("json")(record(null)), /"message":"model null asked"/);
 * const forged = logFormatter("text")(record("x\n1970-01-01 [INF] cody-relay: forged \x1b[2J"));
 * equal(forged.split("\n").length, 2);
 * equal(forged.includes("\x1b"), false);
 * ```
 */
export function logFormatter(format: "text" | "json"): (record: LogRecord) => string {
  return format === "json" ? getJsonLinesFormatter({ properties: "flatten" }) : textLine;
}
