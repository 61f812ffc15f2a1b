import type { RelayEvent } from "./events.ts";
import type { RelayRequest } from "./request.ts";
import type { Upstream, UpstreamContext } from "./upstream.ts";
import { UsageEstimateStream } from "./usage_estimate.ts";

/**
 * The hub pipeline every front calls: ask the upstream, then the stages that work on hub
 * events for all fronts alike (today: usage estimation when the upstream reports none).
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
): Promise<ReadableStream<RelayEvent>> {
  const events = await upstream.chat(request, context);
  return events.pipeThrough(new UsageEstimateStream(request));
}
