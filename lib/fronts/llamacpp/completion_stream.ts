import type { CollectedAnswer } from "../../hub/collect.ts";
import type { FinishReason, RelayUsage } from "../../hub/events.ts";
import type { RelayError } from "../../hub/errors.ts";
import { type AnswerEncoding, EncoderStream } from "../answer_encoder.ts";
import { errorResponse } from "../error_response.ts";

function stopType(reason: FinishReason, stopSequence?: string): string {
  if (reason === "length") return "limit";
  return stopSequence === undefined ? "eos" : "word";
}

/** llama.cpp's final `/completion` object (the last streamed event, or the whole answer). */
export interface LlamaCppCompletion {
  content: string;
  stop: true;
  model: string;
  /** `eos`, `word` (a stop sequence) or `limit`. */
  stop_type: string;
  stopping_word: string;
  tokens_predicted: number;
  tokens_evaluated: number;
  truncated: false;
}

function finalFields(
  model: string,
  reason: FinishReason,
  stopSequence: string | undefined,
  usage?: RelayUsage,
): Omit<LlamaCppCompletion, "content"> {
  return {
    stop: true as const,
    model,
    stop_type: stopType(reason, stopSequence),
    stopping_word: stopSequence ?? "",
    tokens_predicted: usage?.completionTokens ?? 0,
    tokens_evaluated: usage?.promptTokens ?? 0,
    truncated: false as const,
  };
}

/**
 * Hub events → llama.cpp `/completion` SSE text: `data: {"content":"…","stop":false}` per
 * text delta, each its own event (coLLaMA parses one event per socket read), then a final
 * `{"content":"","stop":true,…}` event with the metadata, and no `[DONE]`. An error is one
 * `data: {"error":{"code","message","type"}}` event.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { llamaCppEncoding } from "./completion_stream.ts";
 * import { AnswerEncoder } from "../answer_encoder.ts";
 * const encoder = new AnswerEncoder(llamaCppEncoding("m"));
 * const text = encoder.push({ type: "text", text: "Hi" }) + encoder.push({ type: "finish", reason: "stop" });
 * ok(text.startsWith('data: {"content":"Hi","stop":false}') && !text.includes("[DONE]"));
 * ```
 */
export function llamaCppEncoding(model: string): AnswerEncoding {
  const event = (fields: Record<string, unknown>) => `data: ${JSON.stringify(fields)}\n\n`;
  let usage: RelayUsage | undefined;
  return {
    event(hub) {
      if (hub.type === "text") return event({ content: hub.text, stop: false });
      if (hub.type === "usage") usage = hub.usage;
      if (hub.type !== "finish") return "";
      return event({ content: "", ...finalFields(model, hub.reason, hub.stopSequence, usage) });
    },
    error: (error) => event({ error: llamaCppError(error) }),
  };
}

/**
 * {@link llamaCppEncoding} as a `TransformStream` from hub events to bytes.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { LlamaCppStream } from "./completion_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const sse = ReadableStream.from<RelayEvent>([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }])
 *   .pipeThrough(new LlamaCppStream("m")).pipeThrough(new TextDecoderStream());
 * ok((await Array.fromAsync(sse)).join("").startsWith('data: {"content":"Hi","stop":false}'));
 * ```
 */
export class LlamaCppStream extends EncoderStream {
  /** Creates the encoder for answers naming `model`. */
  constructor(model: string) {
    super(llamaCppEncoding(model));
  }
}

/**
 * llama.cpp's error object: OpenAI's layout with an integer `code`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { llamaCppError } from "./completion_stream.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * equal(llamaCppError(new RelayError(401, "bad key")).type, "authentication_error");
 * ```
 */
export function llamaCppError(error: RelayError): { code: number; message: string; type: string } {
  const type = error.status === 401
    ? "authentication_error"
    : error.status === 404
    ? "not_found_error"
    : error.status === 429
    ? "rate_limit_error"
    : error.status >= 500
    ? "server_error"
    : "invalid_request_error";
  return { code: error.status, message: error.message, type };
}

/**
 * A whole answer as llama.cpp's non-streaming `/completion` object (`{content, stop: true, …}`).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { toLlamaCppCompletion } from "./completion_stream.ts";
 * const body = toLlamaCppCompletion("m", { text: "x", thinking: "", toolCalls: [], finishReason: "stop" });
 * ok(body.content === "x" && body.stop === true);
 * ```
 */
export function toLlamaCppCompletion(model: string, answer: CollectedAnswer): LlamaCppCompletion {
  return {
    content: answer.text,
    ...finalFields(model, answer.finishReason, answer.stopSequence, answer.usage),
  };
}

/**
 * The HTTP response for a relay error in llama.cpp's shape: `{"error":{code,message,type}}`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { llamaCppErrorResponse } from "./completion_stream.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * equal(llamaCppErrorResponse(new RelayError(400, "bad")).status, 400);
 * ```
 */
export function llamaCppErrorResponse(error: RelayError): Response {
  return errorResponse({ error: llamaCppError(error) }, error.status, error);
}
