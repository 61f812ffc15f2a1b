/**
 * The shape every front's stream encoder has: a dialect's encoding of hub events as text,
 * run by one synchronous core that owns the rule that an answer ends exactly once, and its
 * `TransformStream` for code that pipes streams.
 *
 * @module
 */
import { RelayError, toRelayError } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";

/** How one dialect writes an answer: text per hub event until `finish`, and the text of a failure. */
export interface AnswerEncoding {
  /** The text that opens the answer, e.g. a role chunk or `message_start`. */
  start?(): string;
  /**
   * The text of one event (`""` for none; never called for `error` or `meta`). `finish`
   * ends the answer; throwing a `RelayError` fails it.
   */
  event(event: Exclude<RelayEvent, { type: "error" | "meta" }>): string;
  /** The text that reports a failure in the stream; nothing follows it. */
  error(error: RelayError): string;
}

/**
 * The synchronous core of every front's stream encoder: hub events in, the dialect's text
 * out. The answer ends exactly once, after `finish` or with the dialect's error (an
 * `error` event, a failure while encoding, or an answer that ends without `finish`, which
 * must never look complete); later events are ignored. `meta` events are not the
 * client's.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { AnswerEncoder } from "./answer_encoder.ts";
 * const encoder = new AnswerEncoder({
 *   event: (event) => event.type === "text" ? event.text : "",
 *   error: (error) => `!${error.message}`,
 * });
 * equal(encoder.start() + encoder.push({ type: "text", text: "Hi" }) + encoder.flush(), "Hi!the answer stream ended before it finished");
 * ```
 */
export class AnswerEncoder {
  readonly #encoding: AnswerEncoding;
  #done = false;

  /** Runs `encoding` (one per answer). */
  constructor(encoding: AnswerEncoding) {
    this.#encoding = encoding;
  }

  /** True once the answer ended. */
  get done(): boolean {
    return this.#done;
  }

  /** The text that opens the answer. */
  start(): string {
    return this.#encoding.start?.() ?? "";
  }

  /** The text of one event. */
  push(event: RelayEvent): string {
    if (this.#done || event.type === "meta") return "";
    if (event.type === "error") return this.#fail(event.error);
    let text: string;
    try {
      text = this.#encoding.event(event);
    } catch (error) {
      return this.#fail(toRelayError(error));
    }
    if (event.type === "finish") this.#done = true;
    return text;
  }

  /** No more events: the dialect's error if the answer had not finished. */
  flush(): string {
    return this.#done ? "" : this.#fail(new RelayError(502, "the answer stream ended before it finished"));
  }

  #fail(error: RelayError): string {
    this.#done = true;
    return this.#encoding.error(error);
  }
}

const utf8 = new TextEncoder();

/**
 * An {@link AnswerEncoder} as a `TransformStream` from hub events to the dialect's bytes.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { EncoderStream } from "./answer_encoder.ts";
 * import type { RelayEvent } from "../hub/events.ts";
 * const bytes = ReadableStream.from<RelayEvent>([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }])
 *   .pipeThrough(new EncoderStream({ event: (event) => event.type === "text" ? event.text : ".", error: () => "!" }))
 *   .pipeThrough(new TextDecoderStream());
 * equal((await Array.fromAsync(bytes)).join(""), "Hi.");
 * ```
 */
export class EncoderStream extends TransformStream<RelayEvent, Uint8Array> {
  /** Encodes with `encoding` (one per stream). */
  constructor(encoding: AnswerEncoding) {
    const encoder = new AnswerEncoder(encoding);
    const send = (controller: TransformStreamDefaultController<Uint8Array>, text: string) => {
      if (text) controller.enqueue(utf8.encode(text));
    };
    super({
      start: (controller) => send(controller, encoder.start()),
      transform: (event, controller) => send(controller, encoder.push(event)),
      flush: (controller) => send(controller, encoder.flush()),
    });
  }
}
