/**
 * The stages each round of an answer passes: the client's stop sequences, then a usage
 * estimate where the upstream reports none.
 *
 * @module
 */
import { isTerminal, type RelayEvent } from "../hub/events.ts";
import { pushEach } from "../hub/stage.ts";
import { StopSequenceCore } from "../hub/stop_sequences.ts";
import { type AnswerCall, type Upstream, wrapUpstream } from "../hub/upstream.ts";
import { loadedTokenCounter, tokenCounter, UsageEstimateCore } from "../hub/usage_estimate.ts";

/**
 * `upstream` with each answer run through a {@link StopSequenceCore} (when the request has
 * stops) and a {@link UsageEstimateCore}, as plain calls on each batch. A stop sequence
 * that matched ends the answer and cancels the upstream request. The tokenizer is loaded
 * only when an answer finishes without the upstream's usage.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { roundStages } from "./round_stages.ts";
 * import { answerStream, streamUpstream } from "../hub/answer_stream.ts";
 * import type { RelayEvent } from "../hub/events.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from<RelayEvent>([{ type: "text", text: "a STOP b" }, { type: "finish", reason: "stop" }])),
 *   models: () => Promise.resolve([]),
 * });
 * const events = await Array.fromAsync(await answerStream(roundStages(upstream), { messages: [], stop: ["STOP"] }, {}));
 * equal(events.map((event) => event.type).join(), "text,usage,finish");
 * ```
 */
export function roundStages(upstream: Upstream): Upstream {
  return wrapUpstream(upstream, async (request, context, sink) => {
    const stop = request.stop?.length ? new StopSequenceCore(request.stop) : undefined;
    const usage = new UsageEstimateCore(request, (text) => loadedTokenCounter()!(text));
    /** The upstream's call, once `open` resolved (batches may come before). */
    const upstreamCall: { current?: AnswerCall } = {};
    let ended = false;
    /** Events from a `finish` on, held while the tokenizer loads: it loads only for an answer that ends without usage. */
    let held: RelayEvent[] | undefined;
    const release = (counted: boolean) => {
      const waiting = held!;
      held = undefined;
      if (counted) estimate(waiting);
      else sink(waiting); // no tokenizer: the answer ends without an estimate
    };
    /** The usage stage on one event: a `finish` that needs the tokenizer, and all after it, wait while it loads. */
    const estimateOne = (event: RelayEvent): readonly RelayEvent[] => {
      if (held) return (held.push(event), []);
      if (event.type === "finish" && !usage.reported && !loadedTokenCounter()) {
        held = [event];
        tokenCounter().then(() => release(true), () => release(false));
        return [];
      }
      return usage.push(event);
    };
    const estimate = (events: readonly RelayEvent[]) => {
      const out = pushEach(events, estimateOne);
      if (out.length) sink(out);
    };
    /** The stop stage on one event; what comes after a match is dropped. */
    const stopOne = (event: RelayEvent): readonly RelayEvent[] => stop!.done ? [] : stop!.push(event);
    const staged = (batch: readonly RelayEvent[]) => {
      if (ended) return;
      const events = stop ? pushEach(batch, stopOne) : batch;
      if (stop?.done || isTerminal(batch[batch.length - 1])) ended = true;
      if (stop?.done) upstreamCall.current?.cancel();
      if (events.length) estimate(events);
    };
    const opened = await upstream.open(request, context, staged);
    upstreamCall.current = opened;
    if (ended) opened.cancel();
    return opened;
  });
}
