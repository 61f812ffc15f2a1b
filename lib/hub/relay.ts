import { continueAnswer } from "../continuation/continue_answer.ts";
import { catchErrors } from "./catch_errors.ts";
import { toRelayError } from "./errors.ts";
import type { RelayEvent } from "./events.ts";
import type { RelayRequest } from "./request.ts";
import type { Upstream, UpstreamContext } from "./upstream.ts";
import { StopSequenceStream } from "./stop_sequences.ts";
import { UsageEstimateStream } from "./usage_estimate.ts";

/** Options of {@link relay}. */
export interface RelayOptions {
  /** Continuation rounds allowed after the first; `0` disables continuation. @default 8 */
  maxContinuations?: number;
}

/**
 * The hub pipeline every front calls: each round asks the upstream (cut at the client's
 * stop sequences, with usage estimated when it reports none), and answers it cut off are continued into one stream unless the
 * request or the options turn that off. A failure inside the pipeline still ends the
 * stream with an `error` event.
 *
 * @example
 * ```ts
 * import { relay } from "./relay.ts";
 * import type { Upstream } from "./upstream.ts";
 * const upstream: Upstream = {
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([]),
 * };
 * const events = await relay(upstream, { messages: [] }, {});
 * console.assert((await Array.fromAsync(events)).at(-1)?.type === "finish");
 * ```
 */
export async function relay(
  upstream: Upstream,
  request: RelayRequest,
  context: UpstreamContext,
  options: RelayOptions = {},
): Promise<ReadableStream<RelayEvent>> {
  const round = async (roundRequest: RelayRequest) => {
    const events = await upstream.chat(roundRequest, context);
    const stopped = roundRequest.stop?.length ? events.pipeThrough(new StopSequenceStream(roundRequest.stop)) : events;
    return stopped.pipeThrough(new UsageEstimateStream(roundRequest));
  };
  const first = await round(request);
  const maxContinuations = request.autoContinue === false ? 0 : options.maxContinuations ?? 8;
  if (maxContinuations === 0) return first;
  return catchErrors(continueAnswer(request, first, { maxContinuations, round }), toRelayError);
}
