/**
 * Splits a streamed answer into its wire frames as the bytes arrive: server-sent events
 * (a blank line ends each, comments included, as they are on the wire) or JSON lines. The
 * console shows these frames raw and reads the answer out of them.
 *
 * @module
 */

/**
 * Frames from text pushed in pieces of any size.
 *
 * @example
 * ```js
 * import { deepEqual } from "node:assert/strict";
 * import { FrameSplitter } from "./frame_splitter.js";
 * const sse = new FrameSplitter("sse");
 * deepEqual(sse.push('data: {"a":1}\r\n\r\n: keepalive\n\ndata: {"b"'), ['data: {"a":1}', ": keepalive"]);
 * deepEqual(sse.push(":2}\n\n"), ['data: {"b":2}']);
 * const lines = new FrameSplitter("ndjson");
 * deepEqual(lines.push('{"done":false}\n{"done":'), ['{"done":false}']);
 * deepEqual(lines.flush(), ['{"done":']);
 * ```
 */
export class FrameSplitter {
  /** @type {string} */
  #buffer = "";
  /** @type {string} */
  #separator;

  /** @param {"sse" | "ndjson"} format */
  constructor(format) {
    this.#separator = format === "sse" ? "\n\n" : "\n";
  }

  /**
   * The frames completed by `text`.
   *
   * @param {string} text
   * @returns {string[]}
   */
  push(text) {
    this.#buffer += text.replace(/\r\n?/g, "\n");
    const parts = this.#buffer.split(this.#separator);
    this.#buffer = parts.pop() ?? "";
    return parts.filter((part) => part.trim());
  }

  /**
   * What is left once the body ended (a last frame without its terminator).
   *
   * @returns {string[]}
   */
  flush() {
    const rest = this.#buffer.trim();
    this.#buffer = "";
    return rest ? [rest] : [];
  }
}

/**
 * The `event:` name and the joined `data:` lines of an SSE frame (a comment has neither).
 *
 * @example
 * ```js
 * import { deepEqual } from "node:assert/strict";
 * import { sseFields } from "./frame_splitter.js";
 * deepEqual(sseFields('event: message_stop\ndata: {"type":"message_stop"}'), { event: "message_stop", data: '{"type":"message_stop"}' });
 * deepEqual(sseFields(": keepalive"), { event: "", data: "" });
 * ```
 *
 * @param {string} frame
 * @returns {{ event: string, data: string }}
 */
export function sseFields(frame) {
  let event = "";
  const data = [];
  for (const line of frame.split("\n")) {
    const colon = line.indexOf(":");
    if (colon === 0) continue;
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return { event, data: data.join("\n") };
}
