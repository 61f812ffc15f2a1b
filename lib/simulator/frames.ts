import type { PlannedAnswer } from "./answer.ts";
import { goJson } from "./go_json.ts";

/** Which wire features an api-version has (cody-protocol.md §2.3). */
function features(apiVersion: number) {
  return { deltas: apiVersion >= 2, usage: apiVersion >= 5, thinking: apiVersion >= 8 };
}

/**
 * An answer as Cody's SSE events for an api-version: cumulative `completion` frames with
 * `stopReason: ""` (legacy, v1) or `deltaText` frames (v ≥ 2); thinking at v ≥ 8; tool-call
 * fragments; a final frame with `stopReason` (plus `usage` and `model` at v ≥ 5). The
 * closing `done` event is not included: the caller sends it (also after a fault).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { answerFrames } from "./frames.ts";
 * const frames = answerFrames(
 *   { thinking: [], text: ["Hi"], stopReason: "end_turn", promptTokens: 1, completionTokens: 1 },
 *   { apiVersion: 9, modelName: "m" },
 * );
 * equal(frames[0], 'event: completion\ndata: {"deltaText":"Hi"}\n\n');
 * ```
 */
export function answerFrames(plan: PlannedAnswer, options: { apiVersion: number; modelName: string }): string[] {
  const wire = features(options.apiVersion);
  const frames: string[] = [];
  const frame = (data: unknown) => frames.push(`event: completion\ndata: ${goJson(data)}\n\n`);
  if (wire.thinking && plan.thinking.length) {
    for (const piece of plan.thinking) frame({ delta_thinking: piece });
    frame({ delta_thinking: "" });
    frame({ thinking_signature: "c2ltdWxhdGVkLXNpZ25hdHVyZQ==" });
  }
  let cumulative = "";
  for (const piece of plan.text) {
    cumulative += piece;
    frame(wire.deltas ? { deltaText: piece } : { completion: cumulative, stopReason: "" });
  }
  if (plan.toolCall) {
    const { id, name, arguments: pieces } = plan.toolCall;
    frame({ delta_tool_calls: [{ id, type: "function", function: { name, arguments: "" } }] });
    for (const piece of pieces) {
      frame({ delta_tool_calls: [{ id: "", type: "function", function: { name: "", arguments: piece } }] });
    }
  }
  frame(finalFrame(plan, options, cumulative));
  return frames;
}

/**
 * The body of a non-streaming (`"stream": false`) answer: the whole text in `completion`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { answerBody } from "./frames.ts";
 * const body = answerBody(
 *   { thinking: [], text: ["Hi"], stopReason: "end_turn", promptTokens: 1, completionTokens: 1 },
 *   { apiVersion: 1, modelName: "m" },
 * );
 * equal(body, '{"completion":"Hi","stopReason":"end_turn"}');
 * ```
 */
export function answerBody(plan: PlannedAnswer, options: { apiVersion: number; modelName: string }): string {
  return goJson(finalFrame(plan, options, plan.text.join(""), true));
}

function finalFrame(
  plan: PlannedAnswer,
  options: { apiVersion: number; modelName: string },
  text: string,
  whole = false,
) {
  const wire = features(options.apiVersion);
  return {
    ...(wire.deltas && !whole ? {} : { completion: text }),
    ...(wire.usage ? { model: options.modelName } : {}),
    stopReason: plan.stopReason,
    ...(wire.usage
      ? {
        usage: {
          completion_tokens: plan.completionTokens,
          prompt_tokens: plan.promptTokens,
          total_tokens: plan.completionTokens + plan.promptTokens,
          credits: 1,
        },
      }
      : {}),
  };
}
