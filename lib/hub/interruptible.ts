import { describeStreamFailure, type RelayError } from "./errors.ts";
import type { RelayEvent } from "./events.ts";

/** Why an {@link interruptible} stream ended. */
export type InterruptibleEnd = "finished" | "interrupted" | "cancelled";

/** Options of {@link interruptible}. */
export interface InterruptibleOptions {
  /** Sees every event passed on (including a final `error`). */
  onEvent?(event: RelayEvent): void;
  /** Called once when the stream ends, with why. */
  onEnd?(end: InterruptibleEnd): void;
}

/** Hub events that started flowing, with the first one known ahead of any reader. */
export interface RelayAnswer {
  /** The events, the first one included. */
  readonly events: ReadableStream<RelayEvent>;
  /** The first event (still in `events`); undefined if the stream ended without one. */
  readonly first: Promise<RelayEvent | undefined>;
}

/** A stream of hub events that starts at once and can be ended from outside (a timer, a shutdown). */
export interface Interruptible extends RelayAnswer {
  /** Ends the stream now (its last event is then `error`) and cancels the source; ignored once the stream ended. */
  interrupt(error: RelayError): void;
}

/**
 * Wraps a stream of hub events (or the promise of one, e.g. `upstream.chat(…)`) so that it
 * always ends with `finish` or `error`: a rejected start or a failed read becomes a final
 * `error` event, and {@link Interruptible.interrupt} ends it early, from a timer or a
 * signal, without waiting for the source's next event. It reads one event ahead, so its
 * `first` event is known before anyone reads (a caller can decide on it, e.g. retry,
 * without an extra stage); beyond that, backpressure and cancellation pass straight through.
 *
 * @example
 * ```ts
 * import { interruptible } from "./interruptible.ts";
 * import { RelayError } from "./errors.ts";
 * const stalled = new ReadableStream({ start(c) { c.enqueue({ type: "text", text: "Hel" } as const); } });
 * const guarded = interruptible(stalled);
 * setTimeout(() => guarded.interrupt(new RelayError(504, "too slow")), 10);
 * const events = await Array.fromAsync(guarded.events);
 * console.assert(events.length === 2 && events[1].type === "error");
 * ```
 */
export function interruptible(
  source: ReadableStream<RelayEvent> | Promise<ReadableStream<RelayEvent>>,
  options: InterruptibleOptions = {},
): Interruptible {
  let controller!: ReadableStreamDefaultController<RelayEvent>;
  let reader: ReadableStreamDefaultReader<RelayEvent> | undefined;
  let ended = false;
  let resolveFirst: ((event: RelayEvent | undefined) => void) | undefined;
  const first = new Promise<RelayEvent | undefined>((resolve) => resolveFirst = resolve);
  const pass = (event: RelayEvent) => {
    if (resolveFirst) {
      resolveFirst(event);
      resolveFirst = undefined;
    }
    options.onEvent?.(event);
    controller.enqueue(event);
  };
  const end = (how: InterruptibleEnd, error?: RelayError) => {
    if (ended) return false;
    ended = true;
    if (error) pass({ type: "error", error });
    resolveFirst?.(undefined);
    if (how !== "cancelled") controller.close();
    options.onEnd?.(how);
    return true;
  };
  // Before the source opened there is nothing to wait for: `opened` cancels it when it does.
  const cancelSource = (reason: unknown) => reader?.cancel(reason).catch(() => {});
  const opened = Promise.resolve(source).then((stream) => {
    if (ended) return void stream.cancel().catch(() => {});
    return reader = stream.getReader();
  }, (error) => void end("finished", describeStreamFailure(error)));

  const events = new ReadableStream<RelayEvent>({
    start(streamController) {
      controller = streamController;
    },
    async pull() {
      const from = reader ?? await opened;
      if (!from || ended) return;
      try {
        const { done, value } = await from.read();
        if (ended) return;
        if (done) return void end("finished");
        pass(value);
      } catch (error) {
        end("finished", describeStreamFailure(error));
      }
    },
    cancel(reason) {
      if (end("cancelled")) return cancelSource(reason);
    },
  }, { highWaterMark: 1 });

  return {
    events,
    first,
    interrupt(error) {
      if (end("interrupted", error)) void cancelSource(error);
    },
  };
}
