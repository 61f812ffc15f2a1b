/**
 * Every time limit of an answer, and shutdown, in one place: an upstream wrapper that ends
 * the answer with an error when the upstream is too slow to start, goes quiet, takes too
 * long in all, or the relay shuts down.
 *
 * @module
 */
import { Deadline } from "../hub/deadline.ts";
import { RelayError, SHUTTING_DOWN, TIMEOUT } from "../hub/errors.ts";
import { isTerminal, type RelayEvent } from "../hub/events.ts";
import { QuietTimer } from "../hub/quiet_timer.ts";
import { settleOnce } from "../hub/settle_once.ts";
import { type AnswerCall, type Upstream, wrapUpstream } from "../hub/upstream.ts";

/** Time limits in milliseconds. */
export interface RelayTimeouts {
  /** From asking to the answer's first event (retries included). @default 60000 */
  firstEventMs: number;
  /** Longest gap between two reads of the answer. @default 60000 */
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
 * import { match } from "node:assert/strict";
 * import { timeoutError } from "./supervising.ts";
 * match(timeoutError("idleMs", 60_000).message, /--idle-timeout/);
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

/** Options of {@link supervising}. */
export interface SupervisingOptions {
  /** Time limits. @default DEFAULT_TIMEOUTS */
  timeouts?: Partial<RelayTimeouts>;
  /** When it aborts, running answers end with a 503 `shutting_down` error. */
  shutdownSignal?: AbortSignal;
}

/**
 * `upstream` under the answer's time limits and the relay's shutdown: to its first event
 * (`firstEventMs`), between reads (`idleMs`, a {@link QuietTimer} that costs nothing per
 * read), and in total (`totalMs`). When one expires, or the shutdown signal aborts, the
 * answer ends at once with the error (or `open` rejects with it, if the answer had not
 * started), whatever the upstream is doing, and the upstream request is aborted.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { supervising } from "./supervising.ts";
 * const stalled = { open: () => new Promise<never>(() => {}), models: () => Promise.resolve([]) };
 * const error = await supervising(stalled, { timeouts: { firstEventMs: 10 } })
 *   .open({ messages: [] }, {}, () => {})
 *   .catch((error) => error);
 * equal(error.status, 504);
 * ```
 */
export function supervising(upstream: Upstream, options: SupervisingOptions = {}): Upstream {
  const limits = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const { shutdownSignal } = options;
  return wrapUpstream(upstream, (request, context, sink) => {
    // The upstream's signal: aborted when the client leaves or this ends the answer. One
    // controller the client's abort is forwarded to (by `clientLeft`), not `AbortSignal.any`,
    // whose dependent-signal bookkeeping costs each open stream about a kilobyte.
    const abandoned = new AbortController();
    let call: AnswerCall | undefined;
    /** Whether the caller has the answer: `open` resolved, or events went out. */
    let answering = false;
    let ended = false;
    let idle: QuietTimer | undefined;
    /** What `open` answers: the upstream's call, or the error that ended the answer first (the first wins). */
    const { promise: opened, resolve: answerWith, reject: refuse } = settleOnce<AnswerCall>();
    /** Nothing more to time: the answer ended, or the client left (the upstream sees the same signal and ends it). */
    const disarm = () => {
      firstEvent?.cancel();
      total.cancel();
      idle?.stop();
      shutdownSignal?.removeEventListener("abort", onShutdown);
      context.signal?.removeEventListener("abort", clientLeft);
    };
    const clientLeft = () => {
      disarm();
      abandoned.abort(context.signal!.reason);
    };
    const stop = () => {
      ended = true;
      disarm();
    };
    /** Ends the answer with `error`: as its last event, or as `open`'s rejection while the caller has nothing. */
    const end = (error: RelayError) => {
      if (ended) return;
      stop();
      call?.cancel(error);
      abandoned.abort(error);
      if (answering) sink([{ type: "error", error }]);
      else refuse(error);
    };
    const onShutdown = () =>
      end(new RelayError(503, "the relay is shutting down; send the request again", { code: SHUTTING_DOWN }));
    let firstEvent: Deadline | undefined = new Deadline(
      limits.firstEventMs,
      () => end(timeoutError("firstEventMs", limits.firstEventMs)),
    );
    const total = new Deadline(limits.totalMs, () => end(timeoutError("totalMs", limits.totalMs)));
    if (shutdownSignal?.aborted) onShutdown();
    else shutdownSignal?.addEventListener("abort", onShutdown, { once: true });
    if (context.signal?.aborted) clientLeft();
    else context.signal?.addEventListener("abort", clientLeft, { once: true });
    const watched = (batch: readonly RelayEvent[]) => {
      if (ended) return;
      answering = true;
      if (idle) idle.touch();
      else if (!context.signal?.aborted) {
        firstEvent?.cancel();
        firstEvent = undefined;
        idle = new QuietTimer(limits.idleMs, () => end(timeoutError("idleMs", limits.idleMs)));
      }
      if (isTerminal(batch[batch.length - 1])) stop();
      sink(batch);
    };
    upstream.open(request, { ...context, signal: abandoned.signal }, watched).then((answer) => {
      call = answer;
      answering = true;
      if (ended) answer.cancel();
      answerWith({
        pause: () => answer.pause(),
        resume: () => answer.resume(),
        cancel(reason) {
          stop();
          answer.cancel(reason);
        },
      });
    }, (error) => {
      if (!ended) stop();
      if (answering) answerWith({ pause() {}, resume() {}, cancel() {} });
      else refuse(error);
    });
    return opened;
  });
}
