import type { RelayUsage } from "../../hub/events.ts";
import { type AnswerEncoding, EncoderStream } from "../answer_encoder.ts";
import { openAIErrorEvent } from "./errors.ts";

/** What every chunk of one response repeats. */
export interface ChatStreamOptions {
  /** The `chatcmpl-…` id. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model name the client asked for. */
  model: string;
  /** Send a usage-only chunk (`choices: []`) before `[DONE]`, as `stream_options.include_usage` asks. */
  includeUsage: boolean;
}

/**
 * Hub events → OpenAI `chat.completion.chunk` SSE text, exactly as strict clients need
 * (clients.md §0, §11): one single-line `data:` event per write; a first chunk with
 * `role: "assistant"`; `index: 0` everywhere; the same `id`/`created`/`model` on every
 * chunk (written once, not per chunk); `reasoning_content` for thinking; tool-call deltas
 * whose first fragment carries `id`, `type` and `function.name`; one `finish_reason`
 * chunk; a usage chunk only when asked; then `data: [DONE]`. An `error` event becomes one
 * `data: {"error":…}` event and the stream ends without `[DONE]`; so does an answer that
 * ends without `finish`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { openAIChatEncoding } from "./chat_stream.ts";
 * import { AnswerEncoder } from "../answer_encoder.ts";
 * const encoder = new AnswerEncoder(openAIChatEncoding({ id: "chatcmpl-1", created: 0, model: "m", includeUsage: false }));
 * const text = encoder.start() + encoder.push({ type: "text", text: "Hi" }) + encoder.push({ type: "finish", reason: "stop" });
 * ok(text.includes('"delta":{"content":"Hi"}') && text.endsWith("data: [DONE]\n\n"));
 * ```
 */
export function openAIChatEncoding(options: ChatStreamOptions): AnswerEncoding {
  const head =
    `data: {"id":${JSON.stringify(options.id)},"object":"chat.completion.chunk","created":${options.created},` +
    `"model":${JSON.stringify(options.model)},"choices":[{"index":0,"delta":`;
  const tail = `,"finish_reason":null}]}\n\n`;
  const chunk = (delta: string) => `${head}${delta}${tail}`;
  let usage: RelayUsage | undefined;
  return {
    start: () => chunk(`{"role":"assistant","content":""}`),
    event(event) {
      switch (event.type) {
        case "text":
          return chunk(`{"content":${JSON.stringify(event.text)}}`);
        case "thinking":
          return chunk(`{"reasoning_content":${JSON.stringify(event.text)}}`);
        case "thinking_signature":
          return "";
        case "tool_call_start":
          return chunk(JSON.stringify({
            tool_calls: [{
              index: event.index,
              id: event.id,
              type: "function",
              function: { name: event.name, arguments: "" },
            }],
          }));
        case "tool_call_delta":
          return chunk(
            `{"tool_calls":[{"index":${event.index},"function":{"arguments":${JSON.stringify(event.arguments)}}}]}`,
          );
        case "usage":
          usage = event.usage;
          return "";
        case "finish": {
          const usageChunk = options.includeUsage && usage
            ? `${head.slice(0, head.indexOf('[{"index"'))}[],"usage":${JSON.stringify(openAIUsage(usage))}}\n\n`
            : "";
          return `${head}{},"finish_reason":${JSON.stringify(event.reason)}}]}\n\n${usageChunk}data: [DONE]\n\n`;
        }
      }
    },
    error: openAIErrorEvent,
  };
}

/**
 * {@link openAIChatEncoding} as a `TransformStream` from hub events to bytes.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { OpenAIChatStream } from "./chat_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const sse = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "Hi" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new OpenAIChatStream({ id: "chatcmpl-1", created: 0, model: "m", includeUsage: false }))
 *   .pipeThrough(new TextDecoderStream());
 * ok((await Array.fromAsync(sse)).join("").endsWith("data: [DONE]\n\n"));
 * ```
 */
export class OpenAIChatStream extends EncoderStream {
  /** Creates the encoder; the role chunk is sent at once. */
  constructor(options: ChatStreamOptions) {
    super(openAIChatEncoding(options));
  }
}

/** OpenAI's `usage` object. */
export interface OpenAIUsageObject {
  /** Tokens read. */
  prompt_tokens: number;
  /** Tokens written. */
  completion_tokens: number;
  /** Their sum. */
  total_tokens: number;
  /** Tokens read from the prompt cache, when the upstream reports them. */
  prompt_tokens_details?: { cached_tokens: number };
}

/**
 * OpenAI's usage object from hub usage (all three integers always present: Zed requires them).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { openAIUsage } from "./chat_stream.ts";
 * equal(openAIUsage({ promptTokens: 2, completionTokens: 3 }).total_tokens, 5);
 * ```
 */
export function openAIUsage(usage: RelayUsage): OpenAIUsageObject {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    ...(usage.cachedTokens ? { prompt_tokens_details: { cached_tokens: usage.cachedTokens } } : {}),
  };
}
