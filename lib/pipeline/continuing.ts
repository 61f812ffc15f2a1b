/**
 * Continuation as an upstream wrapper: answers the upstream cut off arrive whole.
 *
 * @module
 */
import { ContinuationMachine } from "../continuation/continuation_machine.ts";
import { toRelayError } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";
import type { RelayRequest } from "../hub/request.ts";
import { pushEach } from "../hub/stage.ts";
import { type AnswerCall, type Upstream, wrapUpstream } from "../hub/upstream.ts";

/** What a batch that gives the client nothing becomes: a sign of life without facts. */
const ALIVE: RelayEvent = { type: "meta", meta: {} };

/**
 * `upstream` with answers cut off by its output limit continued, up to `maxContinuations`
 * rounds after the first (`0`, or a request with `autoContinue: false`, passes answers
 * through): a {@link ContinuationMachine} reads each round's events and says when to ask
 * the next round, which this wrapper opens on the same sink. Flow control and
 * cancellation reach the round that is running. A round that cannot start ends the
 * answer with its error; a round the machine ends early (a stop sequence across a seam) is
 * cancelled. A batch whose events the machine keeps from the client (thinking of a later
 * round, text held at a seam) goes on as an empty `meta` event, so the idle time limit
 * does not take a round that is thinking for a quiet upstream.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { continuing } from "./continuing.ts";
 * import { answerStream, streamUpstream } from "../hub/answer_stream.ts";
 * import type { RelayEvent } from "../hub/events.ts";
 * let rounds = 0;
 * const cutting = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from<RelayEvent>(rounds++ === 0
 *     ? [{ type: "text", text: "one two" }, { type: "finish", reason: "length" }]
 *     : [{ type: "text", text: " three" }, { type: "finish", reason: "stop" }])),
 *   models: () => Promise.resolve([]),
 * });
 * const request = { messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "Count" }] }] };
 * const events = await Array.fromAsync(await answerStream(continuing(cutting, 8), request, {}));
 * equal(events.map((event) => event.type === "text" ? event.text : "").join(""), "one two three");
 * ```
 */
export function continuing(upstream: Upstream, maxContinuations: number): Upstream {
  return wrapUpstream(upstream, async (request, context, sink) => {
    const rounds = request.autoContinue === false ? 0 : maxContinuations;
    if (rounds === 0) return await upstream.open(request, context, sink);
    const machine = new ContinuationMachine(request, rounds);
    let current: AnswerCall | undefined;
    let round = 0;
    let paused = false;
    let cancelled = false;
    /** Opens a round; its call becomes the current one unless a later round started meanwhile. */
    const open = async (roundRequest: RelayRequest) => {
      const mine = ++round;
      current = undefined;
      const call = await upstream.open(roundRequest, context, roundSink);
      if (mine !== round) return;
      current = call;
      if (cancelled) call.cancel();
      else if (paused) call.pause();
    };
    /** The round the machine asks for next, if a step of the batch being read asked for one. */
    let next: RelayRequest | undefined;
    /** Set when a step of the batch being read ended the answer while its round runs on. */
    let cancelRound = false;
    const stepOne = (event: RelayEvent) => {
      const step = machine.step(event);
      next ??= step.next;
      cancelRound ||= step.cancelRound === true;
      return step.events;
    };
    const roundSink = (batch: readonly RelayEvent[]) => {
      if (cancelled || machine.phase === "ended") return;
      const out = pushEach(batch, stepOne);
      const asked = next;
      next = undefined;
      // A batch the client gets nothing of (a later round's thinking, text held at a seam)
      // still shows the upstream is alive: an empty `meta` tells the idle limit so.
      if (out.length) sink(out);
      else if (batch.length) sink([ALIVE]);
      if (cancelRound) {
        cancelled = true; // nothing more goes out; a round still opening is cancelled when it opens
        current?.cancel();
      }
      if (asked) {
        open(asked).catch((error) => {
          if (!cancelled) sink([{ type: "error", error: toRelayError(error) }]);
        });
      }
    };
    await open(request);
    return {
      pause() {
        paused = true;
        current?.pause();
      },
      resume() {
        paused = false;
        current?.resume();
      },
      cancel(reason) {
        cancelled = true;
        current?.cancel(reason);
      },
    };
  });
}
