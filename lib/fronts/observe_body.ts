import type { RequestTrace } from "../hub/trace.ts";

/** The SSE comment sent while the upstream is quiet (never `: ping`, which Continue reads as end of batch). */
const KEEPALIVE = new TextEncoder().encode(": keepalive\n\n");

/** Options of {@link observeBody}. */
export interface ObserveBodyOptions {
  /** Send `: keepalive` after this many milliseconds without a byte; absent = never (NDJSON). */
  keepAliveMs?: number;
  /** Send one keep-alive at once (the response committed before the answer started). */
  keepAliveNow?: boolean;
  /** Gets the first byte's time and the end: finished, or cancelled by the client. */
  trace?: RequestTrace;
}

/**
 * The last stage of a streamed response body: keeps proxies and clients from cutting a
 * quiet stream (SSE comments between whole events; one timer per stream, re-armed only
 * when it fires) and tells the request's trace when the first byte went out and how the
 * stream ended.
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
  let lastSent = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;
  const stop = () => {
    ended = true;
    clearTimeout(timer);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (keepAliveMs === undefined) return;
      const tick = () => {
        if (ended) return;
        const left = lastSent + keepAliveMs - performance.now();
        if (left <= 0) {
          controller.enqueue(KEEPALIVE);
          lastSent = performance.now();
        }
        timer = setTimeout(tick, left > 0 ? left : keepAliveMs);
      };
      if (options.keepAliveNow) controller.enqueue(KEEPALIVE);
      timer = setTimeout(tick, keepAliveMs);
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
        lastSent = performance.now();
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
