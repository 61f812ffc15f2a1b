/**
 * OpenAI `chat.completion.chunk` SSE → hub events, tolerant of what OpenAI-style servers
 * do differently: no `data: [DONE]` (Sourcegraph's `/.api/llm`), `""` finish reasons
 * mid-stream, a new id per chunk, reasoning as `reasoning_content` or `reasoning`, whole
 * tool calls in one chunk, usage in its own chunk or on the last one.
 *
 * @module
 */
import { RelayError } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";
import { finishReasonOf } from "../hub/finish_reason.ts";
import { CoreStream } from "../hub/stage.ts";
import { type SseAnswer, SseDecoder, type SseMessage } from "../hub/sse_decoder.ts";
import { errorFromOpenAIBody } from "./errors.ts";

/** The `delta` of a streamed chunk (or the `message` of a whole completion) as the decoder reads it. */
export interface OpenAIChunkDelta {
  /** Answer text. */
  content?: string | null;
  /** Reasoning text (llama.cpp, vLLM, DeepSeek). */
  reasoning_content?: string | null;
  /** Reasoning text (Ollama, OpenRouter). */
  reasoning?: string | null;
  /** Tool-call fragments, or whole calls. */
  tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[];
}

/** A `chat.completion.chunk` as this decoder reads it. */
export interface OpenAIChunk {
  /** The model that answers. */
  model?: string;
  /** The first choice is read. */
  choices?: { delta?: OpenAIChunkDelta; finish_reason?: string | null }[];
  /** Token counts, on a usage chunk or the last one. */
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } };
  /** An error instead of an answer. */
  error?: unknown;
}

/**
 * The state of one streamed chat completion: open tool calls, the finish reason once given
 * (the {@link SseAnswer} of {@link OpenAIChunkDecoder}, and the OpenAI-compatible adapter's
 * `streamAnswer`).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { OpenAIAnswer } from "./chunk_decoder.ts";
 * import type { RelayEvent } from "../hub/events.ts";
 * const events: RelayEvent[] = [];
 * const answer = new OpenAIAnswer((event) => events.push(event));
 * answer.accept({ data: '{"choices":[{"delta":{"content":"Hi"},"finish_reason":"stop"}]}' });
 * answer.end();
 * equal(events[1].type, "finish", "a finish_reason without [DONE] is enough");
 * ```
 */
export class OpenAIAnswer implements SseAnswer {
  readonly #emit: (event: RelayEvent) => void;
  /** The server's tool-call index → the hub's index and the call's id. */
  readonly #calls = new Map<number, { index: number; id: string }>();
  #callCount = 0;
  #finish?: string;
  #model?: string;
  ended = false;

  /** An answer that hands its events to `emit`. */
  constructor(emit: (event: RelayEvent) => void) {
    this.#emit = emit;
  }

  /** Takes one SSE message. */
  accept(message: SseMessage): void {
    if (this.ended) return;
    if (message.data.trim() === "[DONE]") return this.#finishNow();
    let chunk: OpenAIChunk;
    try {
      chunk = JSON.parse(message.data);
    } catch {
      return this.#fail(new RelayError(502, `the upstream sent a malformed chunk: ${message.data.slice(0, 200)}`));
    }
    if (message.event === "error") return this.#fail(errorFromOpenAIBody(chunk, 502));
    this.acceptChunk(chunk);
  }

  /** Takes one parsed chunk (or a whole completion with its message as the delta). */
  acceptChunk(chunk: OpenAIChunk): void {
    if (this.ended) return;
    if (chunk.error !== undefined) return this.#fail(errorFromOpenAIBody(chunk, 502));
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
  #toolCall(call: NonNullable<OpenAIChunkDelta["tool_calls"]>[number]): void {
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
 * import { ok } from "node:assert/strict";
 * import { OpenAIChunkDecoder } from "./chunk_decoder.ts";
 * const sse = 'data: {"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}\n\n' +
 *   'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
 * const events = new OpenAIChunkDecoder().push(new TextEncoder().encode(sse));
 * ok(events[0].type === "text" && events[1].type === "finish");
 * ```
 */
export class OpenAIChunkDecoder extends SseDecoder {
  /** A decoder for one answer. */
  constructor() {
    super((emit) => new OpenAIAnswer(emit));
  }
}

/**
 * {@link OpenAIChunkDecoder} as a `TransformStream` from response bytes to hub events; the
 * stream ends right after `finish` or `error`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { OpenAIChunkDecoderStream } from "./chunk_decoder.ts";
 * const body = new Response('data: {"choices":[{"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\n').body!;
 * const events = await Array.fromAsync(body.pipeThrough(new OpenAIChunkDecoderStream()));
 * equal(events.at(-1)?.type, "finish", "no [DONE] is fine once finish_reason came");
 * ```
 */
export class OpenAIChunkDecoderStream extends CoreStream<Uint8Array, RelayEvent> {
  /** A decoder stream for one answer. */
  constructor() {
    super(new OpenAIChunkDecoder());
  }
}

/**
 * The hub events of a whole (non-streamed) chat completion, for servers that answer a
 * streamed request with one JSON body: its message read as one chunk's delta.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { eventsFromCompletion } from "./chunk_decoder.ts";
 * const events = eventsFromCompletion({
 *   choices: [{ message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
 *   usage: { prompt_tokens: 3, completion_tokens: 1 },
 * });
 * equal(events.map((event) => event.type).join(), "text,usage,finish");
 * ```
 */
export function eventsFromCompletion(body: unknown): RelayEvent[] {
  const events: RelayEvent[] = [];
  const answer = new OpenAIAnswer((event) => events.push(event));
  const completion = (body ?? {}) as Omit<OpenAIChunk, "choices"> & {
    choices?: { message?: OpenAIChunkDelta; finish_reason?: string | null }[];
  };
  const choices = completion.choices?.map((choice) => ({ delta: choice.message, finish_reason: choice.finish_reason }));
  answer.acceptChunk({ ...completion, choices });
  answer.end();
  return events;
}
