/**
 * OpenAI `chat.completion.chunk` SSE → hub events, tolerant of what OpenAI-style servers
 * do differently: no `data: [DONE]` (Sourcegraph's `/.api/llm`), `""` finish reasons
 * mid-stream, a new id per chunk, reasoning as `reasoning_content` or `reasoning`, whole
 * tool calls in one chunk, usage in its own chunk or on the last one.
 *
 * @module
 */
import { finishReasonOf } from "../cody/stop_reason.ts";
import { RelayError } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";
import { decodeSse, type SseAnswer, SseDecoder, type SseMessage } from "../hub/sse_decoder.ts";
import { errorFromOpenAIBody } from "./errors.ts";

interface ChunkDelta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[];
}

interface Chunk {
  model?: string;
  choices?: { delta?: ChunkDelta; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } };
  error?: unknown;
}

/** The state of one answer: open tool calls, the finish reason once given. */
class OpenAIAnswer implements SseAnswer {
  readonly #emit: (event: RelayEvent) => void;
  /** The server's tool-call index → the hub's index and the call's id. */
  readonly #calls = new Map<number, { index: number; id: string }>();
  #callCount = 0;
  #finish?: string;
  #model?: string;
  ended = false;

  constructor(emit: (event: RelayEvent) => void) {
    this.#emit = emit;
  }

  accept(message: SseMessage): void {
    if (this.ended) return;
    if (message.data.trim() === "[DONE]") return this.#finishNow();
    let chunk: Chunk;
    try {
      chunk = JSON.parse(message.data);
    } catch {
      return this.#fail(new RelayError(502, `the upstream sent a malformed chunk: ${message.data.slice(0, 200)}`));
    }
    if (chunk.error !== undefined || message.event === "error") return this.#fail(errorFromOpenAIBody(chunk, 502));
    if (chunk.model) this.#model = chunk.model;
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    const thinking = delta?.reasoning_content ?? delta?.reasoning;
    if (thinking) this.#emit({ type: "thinking", text: thinking });
    if (delta?.content) this.#emit({ type: "text", text: delta.content });
    for (const call of delta?.tool_calls ?? []) this.#toolCall(call);
    if (choice?.finish_reason) this.#finish = choice.finish_reason;
    if (chunk.usage) {
      const cached = chunk.usage.prompt_tokens_details?.cached_tokens;
      this.#emit({
        type: "usage",
        usage: {
          promptTokens: chunk.usage.prompt_tokens ?? 0,
          completionTokens: chunk.usage.completion_tokens ?? 0,
          ...(cached ? { cachedTokens: cached } : {}),
        },
      });
    }
  }

  /** The server closed the stream: a finish if it said how the answer ended, else an error. */
  end(): void {
    if (this.ended) return;
    if (this.#finish) return this.#finishNow();
    this.#fail(new RelayError(502, "the upstream closed the stream before the answer finished (no finish_reason)"));
  }

  /** A call starts at a new server index, or at a known one with a new id (servers that reuse index 0). */
  #toolCall(call: NonNullable<ChunkDelta["tool_calls"]>[number]): void {
    const serverIndex = call.index ?? 0;
    let known = this.#calls.get(serverIndex);
    if (!known || (call.id && call.id !== known.id)) {
      known = { index: this.#callCount++, id: call.id || `call_${this.#callCount}` };
      this.#calls.set(serverIndex, known);
      this.#emit({ type: "tool_call_start", index: known.index, id: known.id, name: call.function?.name ?? "" });
    }
    if (call.function?.arguments) {
      this.#emit({ type: "tool_call_delta", index: known.index, arguments: call.function.arguments });
    }
  }

  #finishNow(): void {
    if (!this.#finish) {
      return this.#fail(new RelayError(502, "the upstream ended the stream without a finish_reason"));
    }
    this.#emit({
      type: "finish",
      reason: finishReasonOf(this.#finish, this.#callCount > 0),
      upstreamReason: this.#finish,
      ...(this.#model ? { model: this.#model } : {}),
    });
    this.ended = true;
  }

  #fail(error: RelayError): void {
    this.#emit({ type: "error", error });
    this.ended = true;
  }
}

/**
 * The OpenAI chunk decoder: feed it each network read of a streamed chat completion and it
 * returns that read's hub events; a stream that ends without a `finish_reason` is an error,
 * never a clean finish.
 *
 * @example
 * ```ts
 * import { OpenAIChunkDecoder } from "./chunk_decoder.ts";
 * const sse = 'data: {"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}\n\n' +
 *   'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
 * const events = new OpenAIChunkDecoder().feed(new TextEncoder().encode(sse));
 * console.assert(events[0].type === "text" && events[1].type === "finish");
 * ```
 */
export class OpenAIChunkDecoder extends SseDecoder {
  /** A decoder for one answer. */
  constructor() {
    super((emit) => new OpenAIAnswer(emit));
  }
}

/**
 * Decodes a streamed chat-completion body into hub events (see {@link OpenAIChunkDecoder}).
 *
 * @example
 * ```ts
 * import { decodeOpenAIEvents } from "./chunk_decoder.ts";
 * const body = new Response('data: {"choices":[{"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n').body!;
 * const events = await Array.fromAsync(decodeOpenAIEvents(body));
 * console.assert(events.at(-1)?.type === "finish", "no [DONE] is fine once finish_reason came");
 * ```
 */
export function decodeOpenAIEvents(body: ReadableStream<Uint8Array>): ReadableStream<RelayEvent> {
  return decodeSse(body, new OpenAIChunkDecoder());
}
