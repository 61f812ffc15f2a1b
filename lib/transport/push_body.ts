/**
 * Any response body read by callbacks, one chunk per read: straight from the connection for
 * `http1Fetch` responses, otherwise from the body stream (one reused buffer).
 *
 * @module
 */
import { byteReader } from "./byte_reader.ts";
import { type PushBody, pushBodyOf } from "./http1_fetch.ts";

/**
 * The body of `response` as a {@link PushBody}. A chunk is valid only during its call
 * (its buffer may be reused), as a decoder consumes it.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { bodyOf } from "./push_body.ts";
 * const text: string[] = [];
 * await new Promise<void>((resolve) => {
 *   bodyOf(new Response("Hello")).start((bytes) => text.push(new TextDecoder().decode(bytes)), () => resolve());
 * });
 * equal(text.join(""), "Hello");
 * ```
 */
export function bodyOf(response: Response): PushBody {
  return pushBodyOf(response) ?? streamBody(response.body);
}

/** A body stream read in a loop while not paused. */
function streamBody(stream: ReadableStream<Uint8Array> | null): PushBody {
  const bytes = stream ? byteReader(stream) : undefined;
  let paused = false;
  let reading = false;
  let ended = false;
  let handlers: { chunk(bytes: Uint8Array): void; end(error?: Error): void } | undefined;
  const finish = (error?: Error) => {
    if (ended) return;
    ended = true;
    handlers?.end(error);
  };
  const read = async () => {
    if (!bytes) return finish();
    reading = true;
    try {
      while (!paused && !ended) {
        const chunk = await bytes.read();
        if (ended) return;
        if (!chunk) return finish();
        handlers?.chunk(chunk);
      }
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    } finally {
      reading = false;
    }
  };
  return {
    start(chunk, end) {
      handlers = { chunk, end };
      void read();
    },
    pause: () => void (paused = true),
    resume() {
      paused = false;
      if (handlers && !reading && !ended) void read();
    },
    cancel() {
      if (ended) return;
      ended = true;
      void bytes?.cancel().catch(() => {});
    },
    drain() {
      this.cancel();
    },
  };
}
