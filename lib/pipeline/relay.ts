/**
 * The composition of the pipeline: one upstream wrapped in every stage an answer passes.
 *
 * @module
 */
import { type Upstream, wrapUpstream } from "../hub/upstream.ts";
import { continuing } from "./continuing.ts";
import { retrying, type RetryPolicy } from "./retrying.ts";
import { roundStages } from "./round_stages.ts";
import { type RelayTimeouts, supervising } from "./supervising.ts";

/** Continuation rounds allowed after the first where no number is given. */
export const DEFAULT_MAX_CONTINUATIONS = 8;

/** Options of {@link relayUpstream}. */
export interface RelayOptions {
  /** Continuation rounds allowed after the first; `0` disables continuation. @default DEFAULT_MAX_CONTINUATIONS */
  maxContinuations?: number;
  /** Time limits. @default DEFAULT_TIMEOUTS */
  timeouts?: Partial<RelayTimeouts>;
  /** Retries of a failed start. @default DEFAULT_RETRY_POLICY */
  retry?: Partial<RetryPolicy>;
  /** Models tried in order when the requested one fails with 429 or 5xx before answering. */
  fallbackModels?: string[];
  /** Aborting it ends every running answer with a 503 `shutting_down` error. */
  shutdownSignal?: AbortSignal;
}

/**
 * The upstream the relay answers from: `upstream`, each request first `prepare`d by it,
 * with every round cut at the client's stop sequences and given a usage estimate
 * ({@link roundStages}), answers cut off by the output limit continued ({@link continuing}),
 * failed starts retried and moved to fallback models ({@link retrying}), and the whole
 * under the time limits and the shutdown signal ({@link supervising}). Every stage works on
 * each batch of events as a plain call, so a network read costs one pass through them.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { relayUpstream } from "./relay.ts";
 * import { answerStream, streamUpstream } from "../hub/answer_stream.ts";
 * import type { RelayEvent } from "../hub/events.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from<RelayEvent>([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }])),
 *   models: () => Promise.resolve([]),
 * });
 * const events = await Array.fromAsync(await answerStream(relayUpstream(upstream), { messages: [] }, {}));
 * equal(events.map((event) => event.type).join(), "text,usage,finish");
 * ```
 */
export function relayUpstream(upstream: Upstream, options: RelayOptions = {}): Upstream {
  const staged = continuing(roundStages(upstream), options.maxContinuations ?? DEFAULT_MAX_CONTINUATIONS);
  const answered = supervising(retrying(staged, { policy: options.retry, fallbackModels: options.fallbackModels }), {
    timeouts: options.timeouts,
    shutdownSignal: options.shutdownSignal,
  });
  return wrapUpstream(upstream, async (request, context, sink) => {
    const prepared = await upstream.prepare?.(request) ?? request;
    return await answered.open(prepared, context, sink);
  });
}
