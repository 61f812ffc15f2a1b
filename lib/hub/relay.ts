import { continueAnswer } from "../continuation/continue_answer.ts";
import type { RelayAnswer } from "./interruptible.ts";
import type { RelayRequest } from "./request.ts";
import { DEFAULT_RETRY_POLICY, firstRound, type RetryPolicy } from "./retry.ts";
import { StopSequenceStream } from "./stop_sequences.ts";
import { superviseAnswer } from "./supervise.ts";
import { DEFAULT_TIMEOUTS, guardRound, type RelayTimeouts } from "./timeouts.ts";
import type { Upstream, UpstreamContext } from "./upstream.ts";
import { UsageEstimateStream } from "./usage_estimate.ts";

/** Options of {@link relay}. */
export interface RelayOptions {
  /** Continuation rounds allowed after the first; `0` disables continuation. @default 8 */
  maxContinuations?: number;
  /** Time limits. @default DEFAULT_TIMEOUTS */
  timeouts?: Partial<RelayTimeouts>;
  /** Retries of the first round. @default DEFAULT_RETRY_POLICY */
  retry?: Partial<RetryPolicy>;
  /** Models tried in order when the requested one fails with 429 or 5xx before answering. */
  fallbackModels?: string[];
  /** Aborting it ends every running answer with a 503 `shutting_down` error. */
  shutdownSignal?: AbortSignal;
}

/**
 * The hub pipeline every front calls. The upstream may `prepare` the request first. Each round asks the upstream under the
 * first-event and idle limits, cut at the client's stop sequences, with usage estimated
 * when the upstream reports none. The first round is retried (and moved to fallback
 * models) while it failed before its first event; answers cut off are continued into one
 * stream unless the request or the options turn that off. It starts at once, and its
 * `first` event is known before anyone reads (a server decides on it whether to answer
 * with an HTTP error). Every failure, the total time limit and shutdown end the events
 * with an `error` event. The model that answered (after fallbacks) is written to
 * `context.trace`.
 *
 * @example
 * ```ts
 * import { relay } from "./relay.ts";
 * import type { Upstream } from "./upstream.ts";
 * const upstream: Upstream = {
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([]),
 * };
 * const { events } = relay(upstream, { messages: [] }, {});
 * console.assert((await Array.fromAsync(events)).at(-1)?.type === "finish");
 * ```
 */
export function relay(
  upstream: Upstream,
  request: RelayRequest,
  context: UpstreamContext,
  options: RelayOptions = {},
): RelayAnswer {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const abandoned = new AbortController();
  const signal = context.signal ? AbortSignal.any([context.signal, abandoned.signal]) : abandoned.signal;
  const round = (roundRequest: RelayRequest): RelayAnswer => {
    const { events, first } = guardRound(
      (signal) => upstream.chat(roundRequest, { ...context, signal }),
      timeouts,
      signal,
    );
    const stopped = roundRequest.stop?.length ? events.pipeThrough(new StopSequenceStream(roundRequest.stop)) : events;
    return { events: stopped.pipeThrough(new UsageEstimateStream(roundRequest)), first };
  };
  const answer = async () => {
    const prepared = await upstream.prepare?.(request) ?? request;
    const models = [prepared.model, ...(options.fallbackModels ?? []).filter((model) => model !== prepared.model)];
    const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const first = await firstRound((model) => round({ ...prepared, model }), models, {
      policy,
      signal,
      trace: context.trace,
    });
    if (context.trace) context.trace.model = first.model;
    const maxContinuations = prepared.autoContinue === false ? 0 : options.maxContinuations ?? 8;
    if (maxContinuations === 0) return first.events;
    const answered = { ...prepared, model: first.model };
    return continueAnswer(answered, first.events, {
      maxContinuations,
      round: (next) => Promise.resolve(round(next).events),
    });
  };
  return superviseAnswer(answer(), {
    totalMs: timeouts.totalMs,
    shutdownSignal: options.shutdownSignal,
    trace: context.trace,
    onAbandon: () => abandoned.abort(),
  });
}
