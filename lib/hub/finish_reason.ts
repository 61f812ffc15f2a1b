import type { FinishReason } from "./events.ts";

const FINISH_REASONS: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  stop: "stop",
  STOP: "stop",
  max_tokens: "length",
  length: "length",
  MAX_TOKENS: "length",
  tool_use: "tool_calls",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
  SAFETY: "content_filter",
};

/**
 * Maps an upstream's own stop reason (Cody's provider-native `stopReason`, an OpenAI-style
 * `finish_reason`, Gemini's `finishReason`) to the hub's finish reason. Unknown reasons
 * count as a normal stop; an absent reason is `tool_calls` if the model called tools.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { finishReasonOf } from "./finish_reason.ts";
 * equal(finishReasonOf("max_tokens", false), "length");
 * equal(finishReasonOf(undefined, true), "tool_calls");
 * ```
 */
export function finishReasonOf(stopReason: string | undefined, calledTools: boolean): FinishReason {
  const mapped = stopReason ? FINISH_REASONS[stopReason] : undefined;
  return mapped ?? (calledTools ? "tool_calls" : "stop");
}
