/**
 * The shell every SSE upstream's decoder shares: bytes → `eventsource-parser` → a
 * protocol's answer state machine → hub events, with adjacent deltas of one read merged,
 * as a synchronous decoder, a `TransformStream`, and a pull-based body reader.
 *
 * @module
 */
import { createParser } from "eventsource-parser";
import { byteReader } from "./byte_reader.ts";
import { describeStreamFailure } from "./errors.ts";
import type { RelayEvent } from "./events.ts";

/** One server-sent event, as `eventsource-parser` reads it. */
export interface SseMessage {
  /** The `event:` field, if any. */
  event?: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
  /** The `id:` field, if any. */
  id?: string;
}

/** One protocol's reading of an answer's SSE messages (Cody's, OpenAI's, …). */
export interface SseAnswer {
  /** True once the answer finished or failed. */
  readonly ended: boolean;
  /** Takes one SSE message. */
  accept(message: SseMessage): void;
  /** The upstream closed the stream: emit what that means (an error if the answer had not finished). */
  end(): void;
}

/**
 * A synchronous SSE decoder over a protocol's {@link SseAnswer}: feed it each network read
 * and it returns that read's hub events. Adjacent text, thinking and same-call argument
 * fragments of one read are merged, so a read that brings 200 deltas costs the rest of the
 * pipeline one event. After `finish` or `error` it is `done` and ignores further input.
 *
 * @example
 * ```ts
 * import { SseDecoder } from "./sse_decoder.ts";
 * const decoder = new SseDecoder((emit) => ({
 *   ended: false,
 *   accept(message) { emit({ type: "text", text: message.data }); },
 *   end() { emit({ type: "finish", reason: "stop" }); },
 * }));
 * const events = decoder.feed(new TextEncoder().encode("data: a\n\ndata: b\n\n"));
 * console.assert(events.length === 1 && events[0].type === "text" && events[0].text === "ab");
 * ```
 */
export class SseDecoder {
  readonly #text = new TextDecoder();
  readonly #answer: SseAnswer;
  readonly #parser: ReturnType<typeof createParser>;
  #events: RelayEvent[] = [];

  /** Builds the decoder around the answer `answer(emit)` returns. */
  constructor(answer: (emit: (event: RelayEvent) => void) => SseAnswer) {
    this.#answer = answer((event) => this.#add(event));
    this.#parser = createParser({ onEvent: (message) => this.#answer.accept(message) });
  }

  /** True once the answer finished or failed; later input is ignored. */
  get done(): boolean {
    return this.#answer.ended;
  }

  /** Decodes one read and returns its events. */
  feed(bytes: Uint8Array): RelayEvent[] {
    if (!this.done) this.#parser.feed(this.#text.decode(bytes, { stream: true }));
    return this.#take();
  }

  /** The upstream closed: the last events, with an `error` if the answer had not finished. */
  end(): RelayEvent[] {
    if (!this.done) {
      this.#parser.feed(this.#text.decode());
      this.#parser.reset({ consume: true });
      this.#answer.end();
    }
    return this.#take();
  }

  #add(event: RelayEvent): void {
    const last = this.#events.at(-1);
    if (last?.type === "text" && event.type === "text") last.text += event.text;
    else if (last?.type === "thinking" && event.type === "thinking") last.text += event.text;
    else if (last?.type === "tool_call_delta" && event.type === "tool_call_delta" && last.index === event.index) {
      last.arguments += event.arguments;
    } else this.#events.push(event);
  }

  #take(): RelayEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }
}

/**
 * An {@link SseDecoder} as a `TransformStream` from response bytes to hub events; the
 * stream ends right after `finish` or `error`.
 *
 * @example
 * ```ts
 * import { SseDecoder, SseDecoderStream } from "./sse_decoder.ts";
 * const decoder = new SseDecoder((emit) => ({
 *   ended: false,
 *   accept(message) { emit({ type: "text", text: message.data }); },
 *   end() { emit({ type: "finish", reason: "stop" }); },
 * }));
 * const bytes = ReadableStream.from([new TextEncoder().encode("data: a\n\n")]);
 * const events = await Array.fromAsync(bytes.pipeThrough(new SseDecoderStream(decoder)));
 * console.assert(events.length === 2);
 * ```
 */
export class SseDecoderStream extends TransformStream<Uint8Array, RelayEvent> {
  /** Decodes with `decoder` (one per stream). */
  constructor(decoder: SseDecoder) {
    super({
      transform(chunk, controller) {
        for (const event of decoder.feed(chunk)) controller.enqueue(event);
        if (decoder.done) controller.terminate();
      },
      flush(controller) {
        for (const event of decoder.end()) controller.enqueue(event);
      },
    });
  }
}

/**
 * Decodes a response body with `decoder`, reading it with {@link byteReader} (one reused
 * buffer): the fast path upstreams use. A failing read (a reset connection) ends the
 * events with an `error`; the body is released once the answer is done. `onClose` runs
 * once when the events end or are cancelled.
 *
 * @example
 * ```ts
 * import { decodeSse, SseDecoder } from "./sse_decoder.ts";
 * const decoder = new SseDecoder((emit) => ({
 *   ended: false,
 *   accept(message) { emit({ type: "text", text: message.data }); },
 *   end() { emit({ type: "finish", reason: "stop" }); },
 * }));
 * const events = await Array.fromAsync(decodeSse(new Response("data: a\n\n").body!, decoder));
 * console.assert(events.length === 2 && events[1].type === "finish");
 * ```
 */
export function decodeSse(
  body: ReadableStream<Uint8Array>,
  decoder: SseDecoder,
  onClose?: () => void,
): ReadableStream<RelayEvent> {
  const bytes = byteReader(body);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose?.();
  };
  return new ReadableStream<RelayEvent>({
    async pull(controller) {
      while (true) {
        let events: RelayEvent[];
        let ended = false;
        try {
          const chunk = await bytes.read();
          ended = chunk === undefined;
          events = chunk ? decoder.feed(chunk) : decoder.end();
        } catch (error) {
          [events, ended] = [[{ type: "error", error: describeStreamFailure(error) }], true];
        }
        for (const event of events) controller.enqueue(event);
        if (ended || decoder.done) {
          controller.close();
          close();
          if (!ended) await bytes.cancel();
          return;
        }
        if (events.length) return;
      }
    },
    cancel(reason) {
      close();
      return bytes.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
