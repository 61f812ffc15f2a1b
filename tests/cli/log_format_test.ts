/**
 * The CLI's text lines are LogTape's text formatter's lines, written faster: for records
 * logged through LogTape itself (templates with and without placeholders, values of every
 * kind, control characters, templates LogTape reads in ways of its own), both give the
 * same line.
 */
import { deepEqual as assertEquals } from "node:assert/strict";
import {
  configure,
  getLogger,
  getTextFormatter,
  type LogRecord,
  reset,
  sanitizeControlSequences,
} from "@logtape/logtape";
import { logFormatter } from "../../lib/cli/log_format.ts";

/** LogTape's own text formatter with the CLI's value rendering. */
const logTapeLine = getTextFormatter({
  value: (value: unknown) =>
    value === null || value === undefined
      ? "-"
      : typeof value === "string"
      ? sanitizeControlSequences(value, { sgr: "escape", newlines: "escape" })
      : JSON.stringify(value),
});

Deno.test("text lines are LogTape's text lines", async () => {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { keep: (record) => records.push(record) },
    loggers: [
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
      { category: "cody-relay", lowestLevel: "trace", sinks: ["keep"] },
    ],
  });
  try {
    const log = getLogger(["cody-relay", "http"]);
    log.info(
      "{method} {path} → {status} {outcome} in {durationMs} ms (first byte {firstByteMs} ms, model {requestedModel} → {model}) [{requestId}]",
      {
        method: "POST",
        path: "/v1/chat/completions",
        status: 200,
        outcome: "completed",
        durationMs: 12,
        firstByteMs: null,
        requestedModel: undefined,
        model: "模型\nb\u001b[31m",
        requestId: "req_1",
      },
    );
    log.warn("stopped");
    log.error("config reload rejected ({why}): {reason}", { why: "changed", reason: { path: ["a"], ok: false } });
    log.debug("{upstream} {method}", { upstream: "cody" }); // a value not given
    log.info("braces {{kept}} and {path.to} and {*} and { spaced }", { "path": { to: 1 }, " spaced ": 2 });
    log.info("values {a} {b} {c} {d}", { a: 0, b: false, c: [1, "x"], d: "tab\there" });
    log.info("line\nbreak and \u001b[2J in the template {x}", { x: 1 });
    log.info`tagged ${"value"} and ${42}`;
    log.fatal("{only}", { only: "x" });
    getLogger(["cody-relay", "bad\ncategory"]).info("category {x}", { x: 1 });
    log.info("trailing {x}", { x: "y" });
    log.info("unclosed { brace {x}", { x: 1 });
  } finally {
    await reset();
  }
  const format = logFormatter("text");
  assertEquals(records.length, 12);
  for (const record of records) assertEquals(format(record), logTapeLine(record), String(record.rawMessage));
});
