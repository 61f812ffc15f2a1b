import type { RelayEvent } from "../hub/events.ts";
import { RelayError, toRelayError } from "../hub/errors.ts";

/** How one dialect writes an answer: bytes per hub event until `finish`, and the bytes of a failure. */
export interface AnswerEncoding {
  /** Called once before any event, e.g. for a role chunk or `message_start`. */
  start?(send: (bytes: Uint8Array) => void): void;
  /** Writes one event (never `error`). `finish` ends the answer; throwing a `RelayError` fails it. */
  event(event: Exclude<RelayEvent, { type: "error" }>, send: (bytes: Uint8Array) => void): void;
  /** The bytes that report a failure in the stream; nothing follows them. */
  error(error: RelayError): Uint8Array;
}

/**
 * The transformer every front's stream encoder is built on: it owns the rule that a
 * stream ends exactly once, either after `finish` or with the dialect's error (an `error`
 * event, a failure while encoding, or a stream that ends without `finish`, which must
 * never look complete). Later events are dropped.
 *
 * @example
 * ```ts
 * import { answerEncoder } from "./answer_encoder.ts";
 * import type { RelayEvent } from "../hub/events.ts";
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * const stream = ReadableStream.from<RelayEvent>([{ type: "text", text: "Hi" }]).pipeThrough(
 *   new TransformStream(answerEncoder({
 *     event: (event, send) => event.type === "text" && send(bytes(event.text)),
 *     error: (error) => bytes(`!${error.message}`),
 *   })),
 * ).pipeThrough(new TextDecoderStream());
 * console.assert((await Array.fromAsync(stream)).join("") === "Hi!the answer stream ended before it finished");
 * ```
 */
export function answerEncoder(encoding: AnswerEncoding): Transformer<RelayEvent, Uint8Array> {
  let send: (bytes: Uint8Array) => void = () => {};
  let ended = false;
  const fail = (error: RelayError) => {
    ended = true;
    send(encoding.error(error));
  };
  return {
    start(controller) {
      send = (bytes) => controller.enqueue(bytes);
      encoding.start?.(send);
    },
    transform(event) {
      if (ended) return;
      if (event.type === "error") return fail(event.error);
      try {
        encoding.event(event, send);
      } catch (error) {
        return fail(toRelayError(error));
      }
      if (event.type === "finish") ended = true;
    },
    flush() {
      if (!ended) fail(new RelayError(502, "the answer stream ended before it finished"));
    },
  };
}
