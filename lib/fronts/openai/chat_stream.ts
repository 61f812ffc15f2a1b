import type { RelayEvent, RelayUsage } from "../../hub/events.ts";
import { answerEncoder } from "../answer_encoder.ts";
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

const encoder = new TextEncoder();

/**
 * Hub events → OpenAI `chat.completion.chunk` SSE bytes, exactly as strict clients need
 * (clients.md §0, §11): one single-line `data:` event per write; a first chunk with
 * `role: "assistant"`; `index: 0` everywhere; the same `id`/`created`/`model` on every
 * chunk; `reasoning_content` for thinking; tool-call deltas whose first fragment carries
 * `id`, `type` and `function.name`; one `finish_reason` chunk; a usage chunk only when
 * asked; then `data: [DONE]`. An `error` event becomes one `data: {"error":…}` event and
 * the stream ends without `[DONE]`; so does a stream that ends without `finish`.
 *
 * @example
 * ```ts
 * import { OpenAIChatStream } from "./chat_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const sse = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "Hi" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new OpenAIChatStream({ id: "chatcmpl-1", created: 0, model: "m", includeUsage: false }))
 *   .pipeThrough(new TextDecoderStream());
 * const text = (await Array.fromAsync(sse)).join("");
 * console.assert(text.endsWith("data: [DONE]\n\n"));
 * ```
 */
export class OpenAIChatStream extends TransformStream<RelayEvent, Uint8Array> {
  /** Creates the encoder; the role chunk is sent at once. */
  constructor(options: ChatStreamOptions) {
    const head = `data: {"id":${
      JSON.stringify(options.id)
    },"object":"chat.completion.chunk","created":${options.created},"model":${
      JSON.stringify(options.model)
    },"choices":[`;
    const chunk = (delta: object, finishReason: string | null = null) =>
      encoder.encode(
        `${head}{"index":0,"delta":${JSON.stringify(delta)},"finish_reason":${JSON.stringify(finishReason)}}]}\n\n`,
      );
    let usage: RelayUsage | undefined;
    super(answerEncoder({
      start: (send) => send(chunk({ role: "assistant", content: "" })),
      event(event, send) {
        switch (event.type) {
          case "text":
            return send(chunk({ content: event.text }));
          case "thinking":
            return send(chunk({ reasoning_content: event.text }));
          case "tool_call_start":
            return send(chunk({
              tool_calls: [{
                index: event.index,
                id: event.id,
                type: "function",
                function: { name: event.name, arguments: "" },
              }],
            }));
          case "tool_call_delta":
            return send(chunk({ tool_calls: [{ index: event.index, function: { arguments: event.arguments } }] }));
          case "usage":
            usage = event.usage;
            return;
          case "finish":
            send(chunk({}, event.reason));
            if (options.includeUsage && usage) {
              send(encoder.encode(`${head}],"usage":${JSON.stringify(openAIUsage(usage))}}\n\n`));
            }
            return send(encoder.encode("data: [DONE]\n\n"));
        }
      },
      error: openAIErrorEvent,
    }));
  }
}

/**
 * OpenAI's usage object from hub usage (all three integers always present: Zed requires them).
 *
 * @example
 * ```ts
 * import { openAIUsage } from "./chat_stream.ts";
 * console.assert(openAIUsage({ promptTokens: 2, completionTokens: 3 }).total_tokens === 5);
 * ```
 */
export function openAIUsage(usage: RelayUsage): {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
} {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    ...(usage.cachedTokens ? { prompt_tokens_details: { cached_tokens: usage.cachedTokens } } : {}),
  };
}
