import type { FinishReason, RelayUsage } from "../../hub/events.ts";
import type { CollectedAnswer } from "../../hub/collect.ts";
import { RelayError } from "../../hub/errors.ts";
import { type AnswerEncoding, EncoderStream } from "../answer_encoder.ts";
import { anthropicErrorBody } from "./errors.ts";

/** What one Messages response reports about itself. */
export interface MessageMeta {
  /** The `msg_…` id. */
  id: string;
  /** The model name the client asked for. */
  model: string;
  /** Prompt tokens for `message_start` (an estimate; the final figure comes in `message_delta`). */
  inputTokens: number;
}

function sse(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

type BlockKind = "text" | "thinking" | "tool_use";

/** The content blocks of one message: at most one open, indices in order, as the SDK requires. */
class ContentBlocks {
  #next = 0;
  #open?: { kind: BlockKind; index: number; toolIndex?: number };

  /** The events that make sure a block of `kind` (for hub tool `toolIndex`) is the open one. */
  ensure(kind: BlockKind, start: Record<string, unknown>, toolIndex?: number): string {
    if (this.#open?.kind === kind && this.#open.toolIndex === toolIndex) return "";
    const closed = this.close();
    this.#open = { kind, index: this.#next++, toolIndex };
    return closed + sse("content_block_start", { index: this.#open.index, content_block: start });
  }

  /** A delta for the open block. */
  delta(delta: Record<string, unknown>): string {
    return sse("content_block_delta", { index: this.#open!.index, delta });
  }

  /** Whether hub tool call `toolIndex` owns the open block. */
  isOpenTool(toolIndex: number): boolean {
    return this.#open?.kind === "tool_use" && this.#open.toolIndex === toolIndex;
  }

  /** The event that closes the open block, if any. */
  close(): string {
    if (!this.#open) return "";
    const index = this.#open.index;
    this.#open = undefined;
    return sse("content_block_stop", { index });
  }
}

/**
 * Anthropic's `stop_reason` for a hub finish: `end_turn`, `stop_sequence` (when one of the
 * client's stop sequences ended it), `max_tokens`, `tool_use`, or `refusal`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { anthropicStopReason } from "./messages_stream.ts";
 * equal(anthropicStopReason("tool_calls"), "tool_use");
 * equal(anthropicStopReason("length"), "max_tokens");
 * equal(anthropicStopReason("stop", "</answer>"), "stop_sequence");
 * ```
 */
export function anthropicStopReason(reason: FinishReason, stopSequence?: string): string {
  if (reason === "length") return "max_tokens";
  if (reason === "tool_calls") return "tool_use";
  if (reason === "content_filter") return "refusal";
  return stopSequence === undefined ? "end_turn" : "stop_sequence";
}

function anthropicUsage(usage: RelayUsage | undefined, inputTokens: number): AnthropicUsage {
  return {
    input_tokens: usage?.promptTokens ?? inputTokens,
    output_tokens: usage?.completionTokens ?? 0,
    ...(usage?.cachedTokens ? { cache_read_input_tokens: usage.cachedTokens } : {}),
  };
}

/**
 * Hub events → Anthropic Messages SSE text, in the order `MessageStream` of the Anthropic
 * SDK requires: `message_start` (with `content: []` and `usage`), a `ping`, then per
 * content block `content_block_start` / `content_block_delta` (`text_delta`,
 * `thinking_delta`, `signature_delta`, `input_json_delta`) / `content_block_stop`, then
 * `message_delta` (with `stop_reason`, `stop_sequence` and `usage.output_tokens`) and
 * `message_stop`. No `[DONE]`. An `error` event, or an answer that ends without `finish`,
 * becomes `event: error` and the end. Tool calls arrive from the hub one after another, so
 * each is one block.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { anthropicEncoding } from "./messages_stream.ts";
 * import { AnswerEncoder } from "../answer_encoder.ts";
 * const encoder = new AnswerEncoder(anthropicEncoding({ id: "msg_1", model: "claude-sonnet-4-5", inputTokens: 3 }));
 * const text = encoder.start() + encoder.push({ type: "text", text: "Hello" }) + encoder.push({ type: "finish", reason: "stop" });
 * const names = text.match(/^event: \w+/gm);
 * deepEqual([names?.at(0), names?.at(-1)], ["event: message_start", "event: message_stop"]);
 * ```
 */
export function anthropicEncoding(meta: MessageMeta): AnswerEncoding {
  const blocks = new ContentBlocks();
  let usage: RelayUsage | undefined;
  return {
    start: () =>
      sse("message_start", {
        message: {
          id: meta.id,
          type: "message",
          role: "assistant",
          model: meta.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: meta.inputTokens, output_tokens: 0 },
        },
      }) + sse("ping", {}),
    event(event) {
      switch (event.type) {
        case "text":
          return blocks.ensure("text", { type: "text", text: "" }) +
            blocks.delta({ type: "text_delta", text: event.text });
        case "thinking":
          return blocks.ensure("thinking", { type: "thinking", thinking: "", signature: "" }) +
            blocks.delta({ type: "thinking_delta", thinking: event.text });
        case "thinking_signature":
          return blocks.ensure("thinking", { type: "thinking", thinking: "", signature: "" }) +
            blocks.delta({ type: "signature_delta", signature: event.signature });
        case "tool_call_start":
          return blocks.ensure(
            "tool_use",
            { type: "tool_use", id: event.id, name: event.name, input: {} },
            event.index,
          );
        case "tool_call_delta":
          if (!blocks.isOpenTool(event.index)) {
            throw new RelayError(502, `arguments of tool call ${event.index} arrived after its block ended`);
          }
          return blocks.delta({ type: "input_json_delta", partial_json: event.arguments });
        case "usage":
          usage = event.usage;
          return "";
        case "finish":
          return blocks.close() + sse("message_delta", {
            delta: {
              stop_reason: anthropicStopReason(event.reason, event.stopSequence),
              stop_sequence: event.stopSequence ?? null,
            },
            usage: anthropicUsage(usage, meta.inputTokens),
          }) + sse("message_stop", {});
      }
    },
    error: (error) => sse("error", anthropicErrorBody(error) as unknown as Record<string, unknown>),
  };
}

/**
 * {@link anthropicEncoding} as a `TransformStream` from hub events to bytes.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { AnthropicMessageStream } from "./messages_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const sse = ReadableStream.from<RelayEvent>([{ type: "text", text: "Hello" }, { type: "finish", reason: "stop" }])
 *   .pipeThrough(new AnthropicMessageStream({ id: "msg_1", model: "claude-sonnet-4-5", inputTokens: 3 }))
 *   .pipeThrough(new TextDecoderStream());
 * equal((await Array.fromAsync(sse)).join("").match(/^event: \w+/gm)?.at(-1), "event: message_stop");
 * ```
 */
export class AnthropicMessageStream extends EncoderStream {
  /** Creates the encoder; `message_start` and a `ping` are sent at once. */
  constructor(meta: MessageMeta) {
    super(anthropicEncoding(meta));
  }
}

/** An Anthropic `message` object. */
export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  /** `thinking`, `text` and `tool_use` blocks. */
  content: Record<string, unknown>[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** Anthropic's `usage` object. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
}

/**
 * A whole answer as an Anthropic `message` object: a thinking block (with its signature),
 * a text block, then `tool_use` blocks with `input` parsed from the arguments (`{}` for a
 * block the output limit cut off, which `stop_reason: "max_tokens"` tells).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { toAnthropicMessage } from "./messages_stream.ts";
 * const message = toAnthropicMessage(
 *   { text: "Hi", thinking: "", toolCalls: [], finishReason: "stop" },
 *   { id: "msg_1", model: "claude-sonnet-4-5", inputTokens: 2 },
 * );
 * ok(message.content[0].type === "text" && message.stop_reason === "end_turn");
 * ```
 */
export function toAnthropicMessage(answer: CollectedAnswer, meta: MessageMeta): AnthropicMessage {
  const content: Record<string, unknown>[] = [];
  if (answer.thinking || answer.thinkingSignature) {
    content.push({ type: "thinking", thinking: answer.thinking, signature: answer.thinkingSignature ?? "" });
  }
  if (answer.text || !answer.toolCalls.length) content.push({ type: "text", text: answer.text });
  for (const call of answer.toolCalls) {
    const input = parseInput(call.arguments, answer.finishReason === "length");
    content.push({ type: "tool_use", id: call.id, name: call.name, input });
  }
  return {
    id: meta.id,
    type: "message" as const,
    role: "assistant" as const,
    model: meta.model,
    content,
    stop_reason: anthropicStopReason(answer.finishReason, answer.stopSequence),
    stop_sequence: answer.stopSequence ?? null,
    usage: anthropicUsage(answer.usage, meta.inputTokens),
  };
}

/**
 * A `tool_use` block's `input`. Arguments that are not JSON are an error, unless the output
 * limit ended the answer: then the block was cut off, and as Anthropic does, it stays, with
 * `stop_reason: "max_tokens"` saying so (its input `{}`).
 */
function parseInput(json: string, cutOff: boolean): unknown {
  try {
    return JSON.parse(json || "{}");
  } catch {
    if (cutOff) return {};
    throw new RelayError(502, "the model's tool-call arguments are not valid JSON");
  }
}
