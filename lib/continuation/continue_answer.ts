import { getLogger } from "@logtape/logtape";
import { RelayError, toRelayError } from "../hub/errors.ts";
import type { RelayEvent, RelayUsage } from "../hub/events.ts";
import type { RelayRequest } from "../hub/request.ts";
import { continuationRequest, toolArgumentsRequest } from "./continuation_request.ts";
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
 * ends the stream with its `error`. An answer cut inside a tool call's JSON arguments is
 * completed by rounds that continue only those arguments; if they still do not parse, the
 * stream ends with an error rather than broken JSON.
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
  const calls: { name: string; arguments: string }[] = [];
  let inToolArguments = false;
  /** The call whose arguments the current round completes, if it is a repair round. */
  let repairing: number | undefined;
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
  const remaining = () => request.maxTokens === undefined ? undefined : request.maxTokens - usage.completionTokens;
  const emitArguments = (controller: ReadableStreamDefaultController<RelayEvent>, index: number, text: string) => {
    if (!text) return false;
    calls[index].arguments += text;
    controller.enqueue({ type: "tool_call_delta", index, arguments: text });
    return true;
  };
  /** Starts the next round; false (after sending the error) if it could not start. */
  const next = async (controller: ReadableStreamDefaultController<RelayEvent>, nextRequest: RelayRequest) => {
    round++;
    try {
      reader = (await options.round(nextRequest)).getReader();
      return true;
    } catch (error) {
      controller.enqueue({ type: "error", error: toRelayError(error) });
      controller.close();
      return false;
    }
  };

  return new ReadableStream<RelayEvent>({
    async pull(controller) {
      while (true) {
        const { done, value: event } = await reader.read();
        if (done) return controller.close();
        switch (event.type) {
          case "text": {
            const text = seam ? seam.push(event.text) : event.text;
            if (repairing !== undefined) {
              if (emitArguments(controller, repairing, text)) return;
              continue;
            }
            inToolArguments = false;
            if (emitText(controller, text)) return;
            continue;
          }
          case "thinking":
          case "thinking_signature":
            if (round > 0) continue;
            controller.enqueue(event);
            return;
          case "tool_call_start":
            if (repairing !== undefined) continue;
            inToolArguments = true;
            calls[toolBase + event.index] = { name: event.name, arguments: "" };
            controller.enqueue({ ...event, index: toolBase + event.index });
            return;
          case "tool_call_delta":
            if (repairing !== undefined) continue;
            calls[toolBase + event.index].arguments += event.arguments;
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
          case "finish": {
            const rest = seam?.end() ?? "";
            if (repairing !== undefined) emitArguments(controller, repairing, rest);
            else emitText(controller, rest);
            const cutCall = repairing ?? (inToolArguments ? calls.length - 1 : undefined);
            if (cutCall !== undefined && !parses(calls[cutCall].arguments)) {
              if (event.reason === "length" && canContinue()) {
                if (!await next(controller, toolArgumentsRequest(request, sent, calls[cutCall], remaining()))) return;
                repairing = cutCall;
                seam = new Seam(calls[cutCall].arguments);
                continue;
              }
              if (repairing !== undefined || canContinue()) {
                const name = calls[cutCall].name;
                controller.enqueue({
                  type: "error",
                  error: new RelayError(
                    502,
                    `the output limit cut off the arguments of a call to ${name}, and they could not be completed`,
                  ),
                });
                return controller.close();
              }
            }
            if (event.reason === "length" && cutCall === undefined && canContinue()) {
              if (!await next(controller, continuationRequest(request, sent, remaining()))) return;
              seam = new Seam(sent);
              toolBase = calls.length;
              continue;
            }
            if (round > 0) log.info("answer completed in {rounds} rounds", { rounds: round + 1 });
            controller.enqueue({ type: "usage", usage });
            controller.enqueue({
              ...event,
              ...(repairing !== undefined ? { reason: "tool_calls" as const } : {}),
              continuations: round,
            });
            return controller.close();
          }
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}
