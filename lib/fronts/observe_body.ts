import { QuietTimer } from "../hub/quiet_timer.ts";
import type { RequestTrace } from "../hub/trace.ts";

/** The SSE comment sent while the upstream is quiet (never `: ping`, which Continue reads as end of batch). */
const KEEPALIVE = new TextEncoder().encode(": keepalive\n\n");

/** Options of {@link observeBody}. */
export interface ObserveBodyOptions {
  /** Send `: keepalive` after this many milliseconds (up to a quarter more) without a byte; absent = never (NDJSON). */
  keepAliveMs?: number;
  /** Send one keep-alive at once (the response committed before the answer started). */
  keepAliveNow?: boolean;
  /** Gets the first byte's time and the end: finished, or cancelled by the client. */
  trace?: RequestTrace;
}

/**
 * The last stage of a streamed response body: keeps proxies and clients from cutting a
 * quiet stream (an SSE comment between whole events after `keepAliveMs` to
 * `1.25 × keepAliveMs` without a byte, from a {@link QuietTimer}) and tells the request's
 * trace when the first byte went out and how the stream ended.
 *
 * @example
 * ```ts
 * import { observeBody } from "./observe_body.ts";
 * const slow = new ReadableStream<Uint8Array>({
 *   start(c) { setTimeout(() => { c.enqueue(new TextEncoder().encode("data: 1\n\n")); c.close(); }, 60); },
 * });
 * const text = (await Array.fromAsync(observeBody(slow, { keepAliveMs: 25 }).pipeThrough(new TextDecoderStream()))).join("");
 * console.assert(text.startsWith(": keepalive\n\n") && text.endsWith("data: 1\n\n"));
 * ```
 */
export function observeBody(
  source: ReadableStream<Uint8Array>,
  options: ObserveBodyOptions,
): ReadableStream<Uint8Array> {
  const { keepAliveMs, trace } = options;
  const reader = source.getReader();
  let keepAlive: QuietTimer | undefined;
  let ended = false;
  const stop = () => {
    ended = true;
    keepAlive?.stop();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (keepAliveMs === undefined) return;
      if (options.keepAliveNow) controller.enqueue(KEEPALIVE);
      keepAlive = new QuietTimer(keepAliveMs, () => controller.enqueue(KEEPALIVE));
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) {
          stop();
          controller.close();
          return trace?.end();
        }
        trace?.firstByte();
        keepAlive?.touch();
        controller.enqueue(value);
      } catch (error) {
        stop();
        controller.error(error);
        trace?.end("error");
      }
    },
    cancel(reason) {
      stop();
      trace?.end("client_abort");
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
