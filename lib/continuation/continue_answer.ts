import { getLogger } from "@logtape/logtape";
import { RelayError, toRelayError } from "../hub/errors.ts";
import type { RelayEvent, RelayUsage } from "../hub/events.ts";
import type { RelayRequest } from "../hub/request.ts";
import { continuationRequest } from "./continuation_request.ts";
import { Seam } from "./seam.ts";

const log = getLogger(["cody-relay", "continuation"]);

/** Options of {@link continueAnswer}. */
export interface ContinuationOptions {
  /** Rounds allowed after the first. */
  maxContinuations: number;
  /** Starts one round against the upstream (the first round is passed in already started). */
  round(request: RelayRequest): Promise<ReadableStream<RelayEvent>>;
}

/**
 * Makes an answer that the upstream cut off (`finish` with `length`) arrive whole: while
 * the client's own budget (`maxTokens`) is not used up and rounds remain, it asks the
 * upstream to continue and splices that round into the same stream, through a
 * {@link Seam} that drops repeated text. The client sees one answer: one `finish` (with
 * `continuations`, the extra rounds), one `usage` summing every round. Thinking of later
 * rounds is dropped; their tool calls get indices after the earlier ones. A failing round
 * ends the stream with its `error`. An answer cut inside tool-call arguments ends with an
 * error rather than broken JSON.
 *
 * @example
 * ```ts
 * import { continueAnswer } from "./continue_answer.ts";
 * import type { RelayEvent } from "../hub/events.ts";
 * const round = (events: RelayEvent[]) => Promise.resolve(ReadableStream.from(events));
 * const answer = continueAnswer(
 *   { messages: [{ role: "user", parts: [{ type: "text", text: "Count" }] }] },
 *   ReadableStream.from<RelayEvent>([{ type: "text", text: "one two" }, { type: "finish", reason: "length" }]),
 *   { maxContinuations: 8, round: () => round([{ type: "text", text: " three" }, { type: "finish", reason: "stop" }]) },
 * );
 * const events = await Array.fromAsync(answer);
 * console.assert(events.map((e) => e.type === "text" ? e.text : "").join("") === "one two three");
 * ```
 */
export function continueAnswer(
  request: RelayRequest,
  first: ReadableStream<RelayEvent>,
  options: ContinuationOptions,
): ReadableStream<RelayEvent> {
  let reader = first.getReader();
  let round = 0;
  let sent = "";
  let seam: Seam | undefined;
  let toolBase = 0;
  let toolCount = 0;
  let inToolArguments = false;
  const usage: RelayUsage = { promptTokens: 0, completionTokens: 0 };

  /** Sends text on; false when there was none (a pull must enqueue something before it returns). */
  const emitText = (controller: ReadableStreamDefaultController<RelayEvent>, text: string): boolean => {
    if (!text) return false;
    sent += text;
    controller.enqueue({ type: "text", text });
    return true;
  };

  const canContinue = () =>
    round < options.maxContinuations && (request.maxTokens === undefined || usage.completionTokens < request.maxTokens);

  return new ReadableStream<RelayEvent>({
    async pull(controller) {
      while (true) {
        const { done, value: event } = await reader.read();
        if (done) return controller.close();
        switch (event.type) {
          case "text":
            inToolArguments = false;
            if (emitText(controller, seam ? seam.push(event.text) : event.text)) return;
            continue;
          case "thinking":
          case "thinking_signature":
            if (round > 0) continue;
            controller.enqueue(event);
            return;
          case "tool_call_start":
            inToolArguments = true;
            toolCount = Math.max(toolCount, toolBase + event.index + 1);
            controller.enqueue({ ...event, index: toolBase + event.index });
            return;
          case "tool_call_delta":
            controller.enqueue({ ...event, index: toolBase + event.index });
            return;
          case "usage":
            usage.promptTokens += event.usage.promptTokens;
            usage.completionTokens += event.usage.completionTokens;
            if (event.usage.cachedTokens) usage.cachedTokens = (usage.cachedTokens ?? 0) + event.usage.cachedTokens;
            if (event.usage.estimated) usage.estimated = true;
            continue;
          case "error":
            controller.enqueue(event);
            return controller.close();
          case "finish":
            if (seam) emitText(controller, seam.end());
            if (event.reason === "length" && inToolArguments && canContinue()) {
              controller.enqueue({
                type: "error",
                error: new RelayError(
                  502,
                  "the output limit cut off a tool call's arguments, and they cannot be completed",
                ),
              });
              return controller.close();
            }
            if (event.reason === "length" && canContinue()) {
              round++;
              const remaining = request.maxTokens === undefined
                ? undefined
                : request.maxTokens - usage.completionTokens;
              try {
                reader = (await options.round(continuationRequest(request, sent, remaining))).getReader();
              } catch (error) {
                controller.enqueue({ type: "error", error: toRelayError(error) });
                return controller.close();
              }
              seam = new Seam(sent);
              toolBase = toolCount;
              continue;
            }
            if (round > 0) log.info("answer completed in {rounds} rounds", { rounds: round + 1 });
            controller.enqueue({ type: "usage", usage });
            controller.enqueue({ ...event, continuations: round });
            return controller.close();
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
