/**
 * Time limits on an upstream answer: to its first event, between events, and in total.
 *
 * @module
 */
import { RelayError } from "./errors.ts";
import type { RelayEvent } from "./events.ts";
import { interruptible, type RelayAnswer } from "./interruptible.ts";
import { QuietTimer } from "./quiet_timer.ts";

/** The `code` of every error caused by a time limit. */
export const TIMEOUT = "upstream_timeout";

/** Time limits in milliseconds. */
export interface RelayTimeouts {
  /** From sending a round's request to its first event. @default 60000 */
  firstEventMs: number;
  /** Longest gap between two events of a round. @default 60000 */
  idleMs: number;
  /** The whole answer, every round and retry included. @default 900000 (15 minutes) */
  totalMs: number;
}

/** The limits used where none are given. */
export const DEFAULT_TIMEOUTS: Readonly<RelayTimeouts> = { firstEventMs: 60_000, idleMs: 60_000, totalMs: 900_000 };

/**
 * The error of an expired limit: a 504 naming the limit and the flag that sets it.
 *
 * @example
 * ```ts
 * import { timeoutError } from "./timeouts.ts";
 * console.assert(timeoutError("idleMs", 60_000).message.includes("--idle-timeout"));
 * ```
 */
export function timeoutError(limit: keyof RelayTimeouts, ms: number): RelayError {
  const seconds = `${ms / 1000} s`;
  const message = limit === "firstEventMs"
    ? `the upstream sent no answer within ${seconds} (time-to-first-event limit, --first-event-timeout)`
    : limit === "idleMs"
    ? `the upstream stream went quiet for ${seconds} mid-answer (idle limit, --idle-timeout)`
    : `the answer took longer than ${seconds} (total limit, --total-timeout)`;
  return new RelayError(504, message, { code: TIMEOUT });
}

/**
 * Runs one upstream round under the first-event and idle limits: `open` is called with a
 * signal that aborts when a limit expires (or `signal` aborts, or the reader cancels), and
 * an expired limit ends the stream with a {@link timeoutError} at once, whatever the
 * upstream is doing. The idle limit is a {@link QuietTimer}: it expires after between
 * `idleMs` and `1.25 × idleMs` without an event, and costs nothing per event.
 * The round starts at once; its `first` event is known before anyone reads it.
 *
 * @example
 * ```ts
 * import { guardRound } from "./timeouts.ts";
 * const stalled = () => new Promise<ReadableStream<never>>(() => {});
 * const { events } = guardRound(stalled, { firstEventMs: 10, idleMs: 10 });
 * const [event] = await Array.fromAsync(events);
 * console.assert(event.type === "error" && event.error.status === 504);
 * ```
 */
export function guardRound(
  open: (signal: AbortSignal) => Promise<ReadableStream<RelayEvent>>,
  limits: Pick<RelayTimeouts, "firstEventMs" | "idleMs">,
  signal?: AbortSignal,
): RelayAnswer {
  const abort = new AbortController();
  let idle: QuietTimer | undefined;
  const firstEvent = setTimeout(
    () => guarded.interrupt(timeoutError("firstEventMs", limits.firstEventMs)),
    limits.firstEventMs,
  );
  const guarded = interruptible(open(signal ? AbortSignal.any([signal, abort.signal]) : abort.signal), {
    onEvent() {
      if (idle) return idle.touch();
      clearTimeout(firstEvent);
      idle = new QuietTimer(limits.idleMs, () => guarded.interrupt(timeoutError("idleMs", limits.idleMs)));
    },
    onEnd(end) {
      clearTimeout(firstEvent);
      idle?.stop();
      if (end !== "finished") abort.abort();
    },
  });
  return { events: guarded.events, first: guarded.first };
}
