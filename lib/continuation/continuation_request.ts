import type { RelayMessage, RelayRequest } from "../hub/request.ts";

/** The human turn that asks a model without prefill support to go on. */
export const CONTINUE_INSTRUCTION =
  "Your previous answer was cut off by the output limit. Continue exactly where it stopped, even mid-word or mid-line, " +
  "without repeating anything already written and without any preamble. If it stopped inside a code block, continue the " +
  "code without opening a new block.";

/**
 * Whether the model continues a trailing assistant turn (a prefill). Anthropic models do,
 * and a prefill gives the cleanest seam; their thinking variants reject prefills, Gemini
 * rejects a trailing assistant turn, and OpenAI models treat it as a finished turn. An
 * unknown (default) model gets the instruction, which works everywhere.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { supportsPrefill } from "./continuation_request.ts";
 * ok(supportsPrefill("anthropic::2024-10-22::claude-sonnet-4-latest"));
 * ok(!supportsPrefill("anthropic::2024-10-22::claude-sonnet-4-thinking-latest"));
 * ok(!supportsPrefill(undefined));
 * ```
 */
export function supportsPrefill(model: string | undefined): boolean {
  return !!model && /anthropic|claude/i.test(model) && !/thinking|reasoning/i.test(model);
}

/**
 * The request for the next round: the original conversation, the answer so far as an
 * assistant turn (after the client's own prefill, if its conversation ends with one), and
 * (without prefill support) an instruction to continue. `maxTokens` is what is left of the
 * client's budget, if it set one. A fill-in-the-middle request goes on with the answer so far
 * appended to its prefix.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { continuationRequest } from "./continuation_request.ts";
 * const next = continuationRequest(
 *   { model: "openai::2024-02-01::gpt-4.1", messages: [{ role: "user", parts: [{ type: "text", text: "Q" }] }] },
 *   "The answer so f",
 *   undefined,
 * );
 * ok(next.messages.length === 3 && next.messages[2].role === "user");
 * ```
 */
export function continuationRequest(request: RelayRequest, sent: string, remaining: number | undefined): RelayRequest {
  if (request.infill) {
    return withBudget({ ...request, infill: { ...request.infill, prefix: request.infill.prefix + sent } }, remaining);
  }
  const messages = withAnswerSoFar(request.messages, sent);
  if (!supportsPrefill(request.model)) {
    messages.push({ role: "user", parts: [{ type: "text", text: CONTINUE_INSTRUCTION }] });
  }
  return withBudget({ ...request, messages }, remaining);
}

/** How much of cut-off tool arguments the repair instruction quotes. */
const QUOTED_TAIL = 80;

/** The words that introduce the quoted tail in the repair instruction (the simulator reads them). */
export const ARGUMENTS_TAIL_MARKER = "continuing exactly after these characters:";

/**
 * The request for a round that completes a tool call's JSON arguments that the output
 * limit cut off: the answer's text so far as the assistant turn, then an instruction to
 * reply with only the rest of the JSON, quoting where it stopped. Tools stay defined (the
 * conversation may refer to them) but the model is told not to call one. The client's stop
 * sequences are left out: the reply is arguments, which stops never cut.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { toolArgumentsRequest } from "./continuation_request.ts";
 * const next = toolArgumentsRequest(
 *   { messages: [{ role: "user", parts: [{ type: "text", text: "Q" }] }], tools: [{ name: "f" }], stop: ["}"] },
 *   "Calling f.",
 *   { name: "f", arguments: '{"path": "src/ma' },
 *   undefined,
 * );
 * equal(next.toolChoice, "none");
 * equal(next.stop, undefined);
 * ```
 */
export function toolArgumentsRequest(
  request: RelayRequest,
  sent: string,
  call: { name: string; arguments: string },
  remaining: number | undefined,
): RelayRequest {
  const instruction =
    `Your previous reply was cut off by the output limit inside the JSON arguments of your call to the ` +
    `tool \`${call.name}\`. Reply with only the rest of that JSON, no code fence, no explanation, ${ARGUMENTS_TAIL_MARKER}\n` +
    call.arguments.slice(-QUOTED_TAIL);
  const { stop: _stop, ...rest } = request;
  const next: RelayRequest = {
    ...rest,
    messages: [
      ...withAnswerSoFar(request.messages, sent),
      { role: "user", parts: [{ type: "text", text: instruction }] },
    ],
    toolChoice: "none",
  };
  return withBudget(next, remaining);
}

/**
 * `messages` with the answer so far as the assistant turn. If the client's conversation
 * ends with its own assistant turn (a prefill the answer goes on from), `sent` is joined
 * to that turn's text: a second assistant turn would be merged upstream with a paragraph
 * break between the two, which the model never wrote.
 */
function withAnswerSoFar(messages: RelayMessage[], sent: string): RelayMessage[] {
  const last = messages.at(-1);
  const lastPart = last?.parts.at(-1);
  if (last?.role !== "assistant" || lastPart?.type !== "text") {
    return [...messages, { role: "assistant", parts: [{ type: "text", text: sent }] }];
  }
  return [...messages.slice(0, -1), {
    ...last,
    parts: [...last.parts.slice(0, -1), { ...lastPart, text: lastPart.text + sent }],
  }];
}

function withBudget(request: RelayRequest, remaining: number | undefined): RelayRequest {
  if (remaining === undefined) delete request.maxTokens;
  else request.maxTokens = remaining;
  return request;
}
