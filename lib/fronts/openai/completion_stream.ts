import type { RelayEvent, RelayUsage } from "../../hub/events.ts";
import { answerEncoder } from "../answer_encoder.ts";
import { openAIErrorEvent } from "./errors.ts";
import { openAIUsage } from "./chat_stream.ts";
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

const encoder = new TextEncoder();

/**
 * Hub events → OpenAI legacy `text_completion` SSE: one chunk per text delta with
 * `choices[0].text`, a final chunk with `finish_reason`, a usage chunk only when asked,
 * then `data: [DONE]`. Thinking and tool calls have no place in a completion and are
 * dropped. An `error` event, or a stream that ends without `finish`, becomes one
 * `data: {"error":…}` event and no `[DONE]`.
 *
 * @example
 * ```ts
 * import { TextCompletionStream } from "./completion_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const sse = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "a + b" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new TextCompletionStream({ id: "cmpl-1", created: 0, model: "m", includeUsage: false }))
 *   .pipeThrough(new TextDecoderStream());
 * const text = (await Array.fromAsync(sse)).join("");
 * console.assert(text.includes('"text":"a + b"') && text.endsWith("data: [DONE]\n\n"));
 * ```
 */
export class TextCompletionStream extends TransformStream<RelayEvent, Uint8Array> {
  /** Creates the encoder. */
  constructor(options: CompletionStreamOptions) {
    const head = `data: {"id":${JSON.stringify(options.id)},"object":"text_completion","created":${options.created},` +
      `"model":${JSON.stringify(options.model)},"choices":[`;
    const chunk = (text: string, finishReason: string | null = null) =>
      encoder.encode(
        `${head}{"text":${JSON.stringify(text)},"index":0,"logprobs":null,"finish_reason":${
          JSON.stringify(finishReason)
        }}]}\n\n`,
      );
    let usage: RelayUsage | undefined;
    super(answerEncoder({
      event(event, send) {
        if (event.type === "text") send(chunk(event.text));
        else if (event.type === "usage") usage = event.usage;
        else if (event.type === "finish") {
          send(chunk("", event.reason));
          if (options.includeUsage && usage) {
            send(encoder.encode(`${head}],"usage":${JSON.stringify(openAIUsage(usage))}}\n\n`));
          }
          send(encoder.encode("data: [DONE]\n\n"));
        }
      },
      error: openAIErrorEvent,
    }));
  }
}

/**
 * A whole answer as an OpenAI `text_completion` object (always with `usage`).
 *
 * @example
 * ```ts
 * import { toTextCompletion } from "./completion_stream.ts";
 * const body = toTextCompletion(
 *   { text: "a + b", thinking: "", toolCalls: [], finishReason: "stop" },
 *   { id: "cmpl-1", created: 0, model: "m" },
 * );
 * console.assert(body.choices[0].text === "a + b" && body.usage.total_tokens === 0);
 * ```
 */
export function toTextCompletion(answer: CollectedAnswer, meta: { id: string; created: number; model: string }) {
  return {
    id: meta.id,
    object: "text_completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [{ text: answer.text, index: 0, logprobs: null, finish_reason: answer.finishReason }],
    usage: openAIUsage(answer.usage ?? { promptTokens: 0, completionTokens: 0 }),
  };
}
