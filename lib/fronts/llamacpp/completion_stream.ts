import type { CollectedAnswer } from "../../hub/collect.ts";
import type { FinishReason, RelayEvent, RelayUsage } from "../../hub/events.ts";
import type { RelayError } from "../../hub/errors.ts";
import { answerEncoder } from "../answer_encoder.ts";
import { errorResponse } from "../error_response.ts";

const encoder = new TextEncoder();

function stopType(reason: FinishReason, stopSequence?: string): string {
  if (reason === "length") return "limit";
  return stopSequence === undefined ? "eos" : "word";
}

function finalFields(model: string, reason: FinishReason, stopSequence: string | undefined, usage?: RelayUsage) {
  return {
    stop: true,
    model,
    stop_type: stopType(reason, stopSequence),
    stopping_word: stopSequence ?? "",
    tokens_predicted: usage?.completionTokens ?? 0,
    tokens_evaluated: usage?.promptTokens ?? 0,
    truncated: false,
  };
}

/**
 * Hub events → llama.cpp `/completion` SSE: `data: {"content":"…","stop":false}` per text
 * delta, each its own event (coLLaMA parses one event per socket read), then a final
 * `{"content":"","stop":true,…}` event with the metadata, and no `[DONE]`. An error is one
 * `data: {"error":{"code","message","type"}}` event.
 *
 * @example
 * ```ts
 * import { LlamaCppStream } from "./completion_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const sse = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "Hi" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new LlamaCppStream("m")).pipeThrough(new TextDecoderStream());
 * const text = (await Array.fromAsync(sse)).join("");
 * console.assert(text.startsWith('data: {"content":"Hi","stop":false}') && !text.includes("[DONE]"));
 * ```
 */
export class LlamaCppStream extends TransformStream<RelayEvent, Uint8Array> {
  /** Creates the encoder for answers naming `model`. */
  constructor(model: string) {
    const event = (fields: Record<string, unknown>) => encoder.encode(`data: ${JSON.stringify(fields)}\n\n`);
    let usage: RelayUsage | undefined;
    super(answerEncoder({
      event(hub, send) {
        if (hub.type === "text") send(event({ content: hub.text, stop: false }));
        else if (hub.type === "usage") usage = hub.usage;
        else if (hub.type === "finish") {
          send(event({ content: "", ...finalFields(model, hub.reason, hub.stopSequence, usage) }));
        }
      },
      error: (error) => event({ error: llamaCppError(error) }),
    }));
  }
}

/**
 * llama.cpp's error object: OpenAI's layout with an integer `code`.
 *
 * @example
 * ```ts
 * import { llamaCppError } from "./completion_stream.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * console.assert(llamaCppError(new RelayError(401, "bad key")).type === "authentication_error");
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
 * import { toLlamaCppCompletion } from "./completion_stream.ts";
 * const body = toLlamaCppCompletion("m", { text: "x", thinking: "", toolCalls: [], finishReason: "stop" });
 * console.assert(body.content === "x" && body.stop === true);
 * ```
 */
export function toLlamaCppCompletion(model: string, answer: CollectedAnswer) {
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
 * import { llamaCppErrorResponse } from "./completion_stream.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * console.assert(llamaCppErrorResponse(new RelayError(400, "bad")).status === 400);
 * ```
 */
export function llamaCppErrorResponse(error: RelayError): Response {
  return errorResponse({ error: llamaCppError(error) }, error.status, error);
}
