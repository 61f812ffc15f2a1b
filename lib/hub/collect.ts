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
 * Drains hub events into one answer. Throws the stream's {@link RelayError} if it ends
 * in `error`, and a 502 if it ends without a `finish`.
 *
 * @example
 * ```ts
 * import { collectAnswer } from "./collect.ts";
 * const answer = await collectAnswer(ReadableStream.from([
 *   { type: "text", text: "Hi" } as const,
 *   { type: "finish", reason: "stop" } as const,
 * ]));
 * console.assert(answer.text === "Hi");
 * ```
 */
export async function collectAnswer(events: ReadableStream<RelayEvent>): Promise<CollectedAnswer> {
  const text: string[] = [];
  const thinking: string[] = [];
  const answer: Omit<CollectedAnswer, "text" | "thinking" | "finishReason"> = { toolCalls: [] };
  for await (const event of events) {
    switch (event.type) {
      case "text":
        text.push(event.text);
        break;
      case "thinking":
        thinking.push(event.text);
        break;
      case "thinking_signature":
        answer.thinkingSignature = event.signature;
        break;
      case "tool_call_start":
        answer.toolCalls[event.index] = { id: event.id, name: event.name, arguments: "" };
        break;
      case "tool_call_delta":
        answer.toolCalls[event.index].arguments += event.arguments;
        break;
      case "usage":
        answer.usage = event.usage;
        break;
      case "error":
        throw event.error;
      case "finish":
        return {
          ...answer,
          text: text.join(""),
          thinking: thinking.join(""),
          finishReason: event.reason,
          upstreamReason: event.upstreamReason,
          stopSequence: event.stopSequence,
          model: event.model,
          continuations: event.continuations,
        };
    }
  }
  throw new RelayError(502, "upstream stream ended without finishing the answer");
}
