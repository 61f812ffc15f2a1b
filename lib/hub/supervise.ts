import { RelayError } from "./errors.ts";
import type { RelayEvent } from "./events.ts";
import { interruptible, type RelayAnswer } from "./interruptible.ts";
import { timeoutError } from "./timeouts.ts";
import type { RequestTrace } from "./trace.ts";

/** The `code` of the error that ends answers still running when the relay shuts down. */
export const SHUTTING_DOWN = "shutting_down";

/** Options of {@link superviseAnswer}. */
export interface SuperviseOptions {
  /** The whole answer's time limit in milliseconds. */
  totalMs: number;
  /** When it aborts, the answer ends with a 503 `shutting_down` error. */
  shutdownSignal?: AbortSignal;
  /** Receives usage, continuations and the final error as they pass. */
  trace?: RequestTrace;
  /** Called once when the answer ended early (interrupted or cancelled), to stop the work behind it. */
  onAbandon?(): void;
}

/**
 * The outermost stage of an answer: ends it with an error when the total time limit
 * expires or the relay shuts down, turns any failure into a final `error` event, and
 * writes what passes into the request's trace.
 *
 * @example
 * ```ts
 * import { superviseAnswer } from "./supervise.ts";
 * const shutdown = new AbortController();
 * const stalled = new Promise<ReadableStream<never>>(() => {});
 * const { events } = superviseAnswer(stalled, { totalMs: 60_000, shutdownSignal: shutdown.signal });
 * shutdown.abort();
 * const [event] = await Array.fromAsync(events);
 * console.assert(event.type === "error" && event.error.code === "shutting_down");
 * ```
 */
export function superviseAnswer(
  source: ReadableStream<RelayEvent> | Promise<ReadableStream<RelayEvent>>,
  options: SuperviseOptions,
): RelayAnswer {
  const { shutdownSignal, trace } = options;
  const onShutdown = () =>
    supervised.interrupt(
      new RelayError(503, "the relay is shutting down; send the request again", { code: SHUTTING_DOWN }),
    );
  const supervised = interruptible(source, {
    onEvent(event) {
      if (!trace) return;
      if (event.type === "usage") trace.usage = event.usage;
      else if (event.type === "finish") {
        trace.continuations = event.continuations;
        trace.answeredModel = event.model;
      } else if (event.type === "error") trace.error = event.error;
    },
    onEnd(end) {
      clearTimeout(timer);
      shutdownSignal?.removeEventListener("abort", onShutdown);
      if (end !== "finished") options.onAbandon?.();
    },
  });
  const timer = setTimeout(() => supervised.interrupt(timeoutError("totalMs", options.totalMs)), options.totalMs);
  if (shutdownSignal?.aborted) onShutdown();
  else shutdownSignal?.addEventListener("abort", onShutdown, { once: true });
  return { events: supervised.events, first: supervised.first };
}
