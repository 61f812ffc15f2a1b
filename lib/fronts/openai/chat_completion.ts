import type { CollectedAnswer } from "../../hub/collect.ts";
import type { FinishReason } from "../../hub/events.ts";
import { openAIUsage, type OpenAIUsageObject } from "./chat_stream.ts";

/** Identity of one response. */
export interface ChatCompletionMeta {
  /** The `chatcmpl-…` id. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model name to report. */
  model: string;
}

/** A `chat.completion` object. */
export interface ChatCompletionObject {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: 0;
    message: {
      role: "assistant";
      content: string | null;
      refusal: null;
      reasoning_content?: string;
      tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
    };
    logprobs: null;
    finish_reason: FinishReason;
  }[];
  usage: OpenAIUsageObject;
}

/**
 * A complete `chat.completion` object for clients that did not stream. `usage` is always
 * present (Zed requires it); `reasoning_content` and `tool_calls` only when there are some.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { toChatCompletion } from "./chat_completion.ts";
 * const completion = toChatCompletion(
 *   { text: "Hi", thinking: "", toolCalls: [], finishReason: "stop", usage: { promptTokens: 1, completionTokens: 1 } },
 *   { id: "chatcmpl-1", created: 0, model: "m" },
 * );
 * equal(completion.choices[0].message.content, "Hi");
 * ```
 */
export function toChatCompletion(answer: CollectedAnswer, meta: ChatCompletionMeta): ChatCompletionObject {
  const toolCalls = answer.toolCalls.map((call) => ({
    id: call.id,
    type: "function" as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id: meta.id,
    object: "chat.completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [{
      index: 0 as const,
      message: {
        role: "assistant" as const,
        content: answer.text || (toolCalls.length ? null : ""),
        refusal: null,
        ...(answer.thinking ? { reasoning_content: answer.thinking } : {}),
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
      },
      logprobs: null,
      finish_reason: answer.finishReason,
    }],
    usage: openAIUsage(answer.usage ?? { promptTokens: 0, completionTokens: 0 }),
  };
}
