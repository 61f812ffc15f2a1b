/**
 * Faults the simulator can play on a request, scripted by a test (`simulator.script(…)`)
 * or written into the last user message as a directive: `[[sim status=429 retry_after=30]]`.
 *
 * @module
 */

/** What to do wrong (or slowly) for one request. Counts are answer frames sent first. */
export interface SimulatorFault {
  /** Answer with this HTTP status (text/plain, as Sourcegraph does) instead of streaming. */
  status?: number;
  /** With `status: 429`: seconds until the quota resets (sent as an RFC 1123 `retry-after`; 0 sends none). @default 60 */
  retryAfter?: number;
  /** The error text of a `status` or `errorAfter` fault. */
  message?: string;
  /** Send `event: error` (then `done`, HTTP 200) after this many frames. */
  errorAfter?: number;
  /** Stop sending after this many frames and keep the connection open. */
  stallAfter?: number;
  /** Reset the connection after this many frames. */
  dropAfter?: number;
  /** Close cleanly after this many frames, without `done`. */
  truncateAfter?: number;
  /** Answer with an HTML page (a proxy's "Just a moment…" challenge), with `status` or 200. */
  html?: number;
  /** Answer 200 `text/event-stream` with text that is not an event stream, then close. */
  garbage?: number;
  /** After this many frames, send a completion event whose JSON is cut short. */
  badJsonAfter?: number;
  /** Milliseconds before the first frame (the response headers go out at once). */
  delayMs?: number;
  /** After this many frames, pause once for `pauseMs`. */
  pauseAfter?: number;
  /** How long the `pauseAfter` pause lasts, in milliseconds. */
  pauseMs?: number;
  /** Milliseconds between frames. */
  paceMs?: number;
  /** Answer with this many words of deterministic filler text. */
  words?: number;
  /** Answer with a fenced code block of this many lines. */
  code?: number;
  /** When continuing an answer: first repeat its last this-many words. */
  repeatWords?: number;
  /** When continuing an answer: first repeat its unfinished last line (any number but 0). */
  restartLine?: number;
  /** When continuing an answer: first open a new code fence (any number but 0). */
  reopenFence?: number;
  /** Which of the given tools to call, by name, or `none` to answer in text. @default the first tool */
  tool?: string;
}

const DIRECTIVE = /\[\[sim((?:\s+[a-z_]+=(?:"[^"]*"|\S+?))*)\s*\]\]/;
const KEYS: Record<string, keyof SimulatorFault> = {
  status: "status",
  retry_after: "retryAfter",
  message: "message",
  error_after: "errorAfter",
  stall_after: "stallAfter",
  drop_after: "dropAfter",
  truncate_after: "truncateAfter",
  html: "html",
  garbage: "garbage",
  bad_json_after: "badJsonAfter",
  delay_ms: "delayMs",
  pause_after: "pauseAfter",
  pause_ms: "pauseMs",
  pace_ms: "paceMs",
  words: "words",
  code: "code",
  repeat_words: "repeatWords",
  restart_line: "restartLine",
  reopen_fence: "reopenFence",
  tool: "tool",
};

/** Keys whose values are text, not numbers. */
const TEXT_KEYS: ReadonlySet<keyof SimulatorFault> = new Set(["message", "tool"]);

/**
 * Reads a `[[sim key=value …]]` directive from a message and returns it with the
 * message text minus the directive. Unknown keys are ignored.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseDirective } from "./faults.ts";
 * const { fault, text } = parseDirective('Hi [[sim status=503 message="down"]]');
 * ok(fault?.status === 503 && fault.message === "down" && text === "Hi");
 * ```
 */
export function parseDirective(text: string): { fault?: SimulatorFault; text: string } {
  const match = DIRECTIVE.exec(text);
  if (!match) return { text };
  const fault: Record<string, string | number> = {};
  for (const [, key, quoted, bare] of match[1].matchAll(/([a-z_]+)=(?:"([^"]*)"|(\S+))/g)) {
    const name = KEYS[key];
    if (!name) continue;
    fault[name] = TEXT_KEYS.has(name) ? (quoted ?? bare) : Number(quoted ?? bare);
  }
  return { fault: fault as SimulatorFault, text: text.replace(match[0], "").trim() };
}
