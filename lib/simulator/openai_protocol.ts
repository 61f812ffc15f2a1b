/**
 * The simulator's OpenAI protocol ("mock server" mode): OpenAI chat requests read into the
 * simulator's answer planner, and its answers written as `chat.completion.chunk` events or
 * a `chat.completion`, with token counts from the tokenizer.
 *
 * @module
 */
import { countTokens } from "../hub/usage_estimate.ts";
import { messageText, type PlannedAnswer, type SimulatedBody } from "./answer.ts";

/** The parts of an OpenAI chat request the simulator reads (loosely typed: it is what a client sent). */
export interface ReceivedChatBody {
  model?: string;
  messages?: {
    role?: string;
    content?: unknown;
    tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[];
    tool_call_id?: string;
  }[];
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: SimulatedBody["tools"];
}

/**
 * An OpenAI chat request as the simulator's (Cody-shaped) body: roles become speakers, tool
 * results `tool_result` parts of a human turn, tool calls `tool_call` parts.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { simulatedBodyOf } from "./openai_protocol.ts";
 * const body = simulatedBodyOf({ messages: [{ role: "user", content: "Hi" }], max_tokens: 5 });
 * ok(body.messages?.[0].speaker === "human" && body.maxTokensToSample === 5);
 * ```
 */
export function simulatedBodyOf(body: ReceivedChatBody): SimulatedBody {
  const messages = (body.messages ?? []).map((message) => {
    if (message.role === "tool") {
      return {
        speaker: "human",
        content: [{
          type: "tool_result",
          tool_result: { id: message.tool_call_id, content: messageText({ content: message.content }) },
        }],
      };
    }
    const text = messageText({ content: message.content });
    const speaker = message.role === "user" ? "human" : message.role ?? "human";
    if (!message.tool_calls?.length) return { speaker, text };
    return {
      speaker,
      content: [
        ...(text ? [{ type: "text", text }] : []),
        ...message.tool_calls.map((call) => ({ type: "tool_call", tool_call: { id: call.id, ...call.function } })),
      ],
    };
  });
  const stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  return {
    messages,
    maxTokensToSample: body.max_completion_tokens ?? body.max_tokens,
    ...(stop?.length ? { stopSequences: stop } : {}),
    ...(body.tools ? { tools: body.tools } : {}),
  };
}

/** What frames an OpenAI answer besides the plan. */
export interface OpenAIAnswerMeta {
  id: string;
  created: number;
  model: string;
}

const FINISH: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
};

/** Token counts from the tokenizer: the prompt's message texts, and everything answered. */
async function usageOf(body: SimulatedBody, plan: PlannedAnswer) {
  const prompt = (body.messages ?? []).map((message) => messageText(message)).join("\n");
  const answered = [...plan.thinking, ...plan.text, ...plan.toolCall?.arguments ?? []].join("");
  const [promptTokens, completionTokens] = await Promise.all([countTokens(prompt), countTokens(answered)]);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** How a server writes chunks: OpenAI's, or Sourcegraph `/.api/llm`'s (an id per chunk, `""` finish reasons mid-stream, usage on the last chunk). */
export type ChunkStyle = "openai" | "sourcegraph";

/**
 * A planned answer as OpenAI SSE events: a role chunk, reasoning and text deltas, a tool
 * call (id and name, then argument pieces), the `finish_reason` chunk, and usage when asked
 * (its own chunk, or on the last one in Sourcegraph's style). The end (`data: [DONE]`, which
 * Sourcegraph does not send) is the caller's, also after a fault.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { openAIChunks } from "./openai_protocol.ts";
 * const plan = { thinking: [], text: ["Hi"], stopReason: "end_turn", promptTokens: 1, completionTokens: 1 };
 * const events = await openAIChunks(plan, { messages: [] }, { id: "c", created: 0, model: "m" }, false);
 * ok(events.length === 3 && events[1].includes('"content":"Hi"'));
 * ```
 */
export async function openAIChunks(
  plan: PlannedAnswer,
  body: SimulatedBody,
  meta: OpenAIAnswerMeta,
  includeUsage: boolean,
  style: ChunkStyle = "openai",
): Promise<string[]> {
  const sourcegraph = style === "sourcegraph";
  let count = 0;
  const event = (choices: unknown, extra = "") => {
    const id = sourcegraph ? `chat-${meta.id}-${count++}` : meta.id;
    const model = sourcegraph ? "" : meta.model;
    return `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${meta.created},` +
      `"model":${JSON.stringify(model)},"choices":${JSON.stringify(choices)}${extra}}\n\n`;
  };
  const delta = (fields: unknown, finish: string | null = sourcegraph ? "" : null, extra = "") =>
    event([{ index: 0, delta: fields, finish_reason: finish }], extra);
  const events = [delta({ role: "assistant", content: "" })];
  for (const piece of plan.thinking) events.push(delta({ reasoning_content: piece }));
  for (const piece of plan.text) events.push(delta({ content: piece }));
  if (plan.toolCall) {
    const { id, name, arguments: pieces } = plan.toolCall;
    events.push(delta({ tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: "" } }] }));
    for (const piece of pieces) {
      const fragment = sourcegraph ? { id: "", type: "function", function: { name: "", arguments: piece } } : {
        function: { arguments: piece },
      };
      events.push(delta({ tool_calls: [{ index: 0, ...fragment }] }));
    }
  }
  const finish = FINISH[plan.stopReason] ?? "stop";
  const usage = includeUsage ? `,"usage":${JSON.stringify(await usageOf(body, plan))}` : "";
  if (sourcegraph) return [...events, delta({}, finish, usage)];
  events.push(delta({}, finish));
  if (usage) events.push(event([], usage));
  return events;
}

/**
 * A planned answer as one `chat.completion` (for `"stream": false`).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { openAICompletion } from "./openai_protocol.ts";
 * const plan = { thinking: [], text: ["Hi"], stopReason: "max_tokens", promptTokens: 1, completionTokens: 1 };
 * const completion = await openAICompletion(plan, { messages: [] }, { id: "c", created: 0, model: "m" });
 * equal(completion.choices[0].finish_reason, "length");
 * ```
 */
export async function openAICompletion(plan: PlannedAnswer, body: SimulatedBody, meta: OpenAIAnswerMeta) {
  const { toolCall } = plan;
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: plan.text.join("") || null,
        ...(plan.thinking.length ? { reasoning_content: plan.thinking.join("") } : {}),
        ...(toolCall
          ? {
            tool_calls: [{
              id: toolCall.id,
              type: "function",
              function: { name: toolCall.name, arguments: toolCall.arguments.join("") },
            }],
          }
          : {}),
      },
      finish_reason: FINISH[plan.stopReason] ?? "stop",
    }],
    usage: await usageOf(body, plan),
  };
}
