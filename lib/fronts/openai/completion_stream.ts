import type { FinishReason, RelayUsage } from "../../hub/events.ts";
import { type AnswerEncoding, EncoderStream } from "../answer_encoder.ts";
import { openAIErrorEvent } from "./errors.ts";
import { openAIUsage, type OpenAIUsageObject } from "./chat_stream.ts";
import type { CollectedAnswer } from "../../hub/collect.ts";

/** What every chunk of one legacy completion repeats. */
export interface CompletionStreamOptions {
  /** The `cmpl-…` id. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model name the client asked for. */
  model: string;
  /** Send a usage-only chunk (`choices: []`) before `[DONE]`. */
  includeUsage: boolean;
}

/**
 * Hub events → OpenAI legacy `text_completion` SSE text: one chunk per text delta with
 * `choices[0].text`, a final chunk with `finish_reason`, a usage chunk only when asked,
 * then `data: [DONE]`. Thinking and tool calls have no place in a completion and are
 * dropped. An `error` event, or an answer that ends without `finish`, becomes one
 * `data: {"error":…}` event and no `[DONE]`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { textCompletionEncoding } from "./completion_stream.ts";
 * import { AnswerEncoder } from "../answer_encoder.ts";
 * const encoder = new AnswerEncoder(textCompletionEncoding({ id: "cmpl-1", created: 0, model: "m", includeUsage: false }));
 * const text = encoder.push({ type: "text", text: "a + b" }) + encoder.push({ type: "finish", reason: "stop" });
 * ok(text.includes('"text":"a + b"') && text.endsWith("data: [DONE]\n\n"));
 * ```
 */
export function textCompletionEncoding(options: CompletionStreamOptions): AnswerEncoding {
  const head = `data: {"id":${JSON.stringify(options.id)},"object":"text_completion","created":${options.created},` +
    `"model":${JSON.stringify(options.model)},"choices":[`;
  const chunk = (text: string, finishReason: string | null = null) =>
    `${head}{"text":${JSON.stringify(text)},"index":0,"logprobs":null,"finish_reason":${
      JSON.stringify(finishReason)
    }}]}\n\n`;
  let usage: RelayUsage | undefined;
  return {
    event(event) {
      if (event.type === "text") return chunk(event.text);
      if (event.type === "usage") usage = event.usage;
      if (event.type !== "finish") return "";
      const usageChunk = options.includeUsage && usage
        ? `${head}],"usage":${JSON.stringify(openAIUsage(usage))}}\n\n`
        : "";
      return `${chunk("", event.reason)}${usageChunk}data: [DONE]\n\n`;
    },
    error: openAIErrorEvent,
  };
}

/**
 * {@link textCompletionEncoding} as a `TransformStream` from hub events to bytes.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { TextCompletionStream } from "./completion_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const sse = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "a + b" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new TextCompletionStream({ id: "cmpl-1", created: 0, model: "m", includeUsage: false }))
 *   .pipeThrough(new TextDecoderStream());
 * ok((await Array.fromAsync(sse)).join("").endsWith("data: [DONE]\n\n"));
 * ```
 */
export class TextCompletionStream extends EncoderStream {
  /** Creates the encoder. */
  constructor(options: CompletionStreamOptions) {
    super(textCompletionEncoding(options));
  }
}

/** A `text_completion` object. */
export interface TextCompletionObject {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: { text: string; index: 0; logprobs: null; finish_reason: FinishReason }[];
  usage: OpenAIUsageObject;
}

/**
 * A whole answer as an OpenAI `text_completion` object (always with `usage`).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { toTextCompletion } from "./completion_stream.ts";
 * const body = toTextCompletion(
 *   { text: "a + b", thinking: "", toolCalls: [], finishReason: "stop" },
 *   { id: "cmpl-1", created: 0, model: "m" },
 * );
 * ok(body.choices[0].text === "a + b" && body.usage.total_tokens === 0);
 * ```
 */
export function toTextCompletion(
  answer: CollectedAnswer,
  meta: { id: string; created: number; model: string },
): TextCompletionObject {
  return {
    id: meta.id,
    object: "text_completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [{ text: answer.text, index: 0 as const, logprobs: null, finish_reason: answer.finishReason }],
    usage: openAIUsage(answer.usage ?? { promptTokens: 0, completionTokens: 0 }),
  };
}
