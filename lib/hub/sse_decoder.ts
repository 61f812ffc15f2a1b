/**
 * The shell every SSE upstream's decoder shares: bytes → `eventsource-parser` → a
 * protocol's answer state machine → hub events, with adjacent deltas of one read merged,
 * as a synchronous stage core (wrap it in a `CoreStream` to pipe bytes through it).
 *
 * @module
 */
import { createParser } from "eventsource-parser";
import type { RelayEvent } from "./events.ts";
import type { StageCore } from "./stage.ts";

/** One server-sent event, as `eventsource-parser` reads it. */
export interface SseMessage {
  /** The `event:` field, if any. */
  event?: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
  /** The `id:` field, if any. */
  id?: string;
}

/** How a read that may end inside a character is decoded: the decoder keeps the cut bytes for the next. */
const STREAM: TextDecodeOptions = { stream: true };

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
 * A synchronous SSE decoder over a protocol's {@link SseAnswer}: push it each network read
 * and it returns that read's hub events. Adjacent text, thinking and same-call argument
 * fragments of one read are merged, so a read that brings 200 deltas costs the rest of the
 * pipeline one event. After `finish` or `error` it is `done` and ignores further input;
 * `flush` (the upstream closed) ends an unfinished answer with an `error`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { SseDecoder } from "./sse_decoder.ts";
 * const decoder = new SseDecoder((emit) => ({
 *   ended: false,
 *   accept(message) { emit({ type: "text", text: message.data }); },
 *   end() { emit({ type: "finish", reason: "stop" }); },
 * }));
 * const events = decoder.push(new TextEncoder().encode("data: a\n\ndata: b\n\n"));
 * equal(events.length, 1);
 * equal(events[0].type === "text" && events[0].text, "ab");
 * ```
 */
export class SseDecoder implements StageCore<Uint8Array, RelayEvent> {
  readonly #text = new TextDecoder("utf-8", { ignoreBOM: true });
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
  push(bytes: Uint8Array): RelayEvent[] {
    if (!this.done) this.#parser.feed(this.#decode(bytes));
    return this.#take();
  }

  /**
   * The text of one read. A read that ends in an ASCII byte (an SSE read nearly always ends
   * in a newline) leaves no character cut, so it is decoded as a last piece: the decoder
   * still completes a character the read before cut, and the `{ stream: true }` options
   * it no longer needs cost an allocation per read. (A last piece starts the decoder over,
   * which would drop a byte order mark at the start of the next read: the decoder keeps
   * them all, and the SSE parser drops the stream's leading one, as the spec has it.)
   */
  #decode(bytes: Uint8Array): string {
    return bytes[bytes.length - 1] < 0x80 ? this.#text.decode(bytes) : this.#text.decode(bytes, STREAM);
  }

  /** The upstream closed: the last events, with an `error` if the answer had not finished. */
  flush(): RelayEvent[] {
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
