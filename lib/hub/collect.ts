import type { FinishReason, RelayEvent, RelayUsage } from "./events.ts";
import { RelayError } from "./errors.ts";

/** A tool call assembled from its start and argument deltas. */
export interface CollectedToolCall {
  /** The upstream's call id. */
  id: string;
  /** The function called. */
  name: string;
  /** The arguments as a JSON string, as the model wrote them. */
  arguments: string;
}

/** A whole answer, for clients that did not ask for a stream. */
export interface CollectedAnswer {
  /** The visible answer. */
  text: string;
  /** Reasoning text, if the model thought aloud. */
  thinking: string;
  /** The opaque signature that authenticates the thinking (Anthropic). */
  thinkingSignature?: string;
  /** Calls in the order they started. */
  toolCalls: CollectedToolCall[];
  /** Why the answer ended. */
  finishReason: FinishReason;
  /** The upstream's own stop reason. */
  upstreamReason?: string;
  /** The stop sequence that ended the answer, if one did. */
  stopSequence?: string;
  /** The model that answered, as the upstream named it. */
  model?: string;
  /** Token counts, real or estimated. */
  usage?: RelayUsage;
  /** Continuation rounds after the first. */
  continuations?: number;
}

/**
 * Assembles hub events into one answer, synchronously: push each event; `answer` is set
 * once `finish` came, `error` once the answer failed (an `error` event).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { AnswerCollector } from "./collect.ts";
 * const collector = new AnswerCollector();
 * collector.push({ type: "text", text: "Hi" });
 * collector.push({ type: "finish", reason: "stop" });
 * equal(collector.answer?.text, "Hi");
 * ```
 */
export class AnswerCollector {
  /** The whole answer, once it finished. */
  answer?: CollectedAnswer;
  /** Why the answer failed, if it did. */
  error?: RelayError;
  readonly #text: string[] = [];
  readonly #thinking: string[] = [];
  readonly #toolCalls: CollectedToolCall[] = [];
  #signature?: string;
  #usage?: RelayUsage;

  /** Takes one event; events after the end are ignored. */
  push(event: RelayEvent): void {
    if (this.answer || this.error) return;
    switch (event.type) {
      case "text":
        this.#text.push(event.text);
        break;
      case "thinking":
        this.#thinking.push(event.text);
        break;
      case "thinking_signature":
        this.#signature = event.signature;
        break;
      case "tool_call_start":
        this.#toolCalls[event.index] = { id: event.id, name: event.name, arguments: "" };
        break;
      case "tool_call_delta":
        this.#toolCalls[event.index].arguments += event.arguments;
        break;
      case "usage":
        this.#usage = event.usage;
        break;
      case "error":
        this.error = event.error;
        break;
      case "finish":
        this.answer = {
          text: this.#text.join(""),
          thinking: this.#thinking.join(""),
          toolCalls: this.#toolCalls,
          finishReason: event.reason,
          ...(this.#signature !== undefined ? { thinkingSignature: this.#signature } : {}),
          ...(this.#usage ? { usage: this.#usage } : {}),
          ...(event.upstreamReason !== undefined ? { upstreamReason: event.upstreamReason } : {}),
          ...(event.stopSequence !== undefined ? { stopSequence: event.stopSequence } : {}),
          ...(event.model !== undefined ? { model: event.model } : {}),
          ...(event.continuations !== undefined ? { continuations: event.continuations } : {}),
        };
    }
  }
}

/**
 * Drains hub events into one answer. Throws the stream's {@link RelayError} if it ends
 * in `error`, and a 502 if it ends without a `finish`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { collectAnswer } from "./collect.ts";
 * const answer = await collectAnswer(ReadableStream.from([
 *   { type: "text", text: "Hi" } as const,
 *   { type: "finish", reason: "stop" } as const,
 * ]));
 * equal(answer.text, "Hi");
 * ```
 */
export async function collectAnswer(events: ReadableStream<RelayEvent>): Promise<CollectedAnswer> {
  const collector = new AnswerCollector();
  for await (const event of events) {
    collector.push(event);
    if (collector.error) throw collector.error;
    if (collector.answer) return collector.answer;
  }
  throw new RelayError(502, "upstream stream ended without finishing the answer");
}
