import type { FinishReason, RelayUsage } from "../../hub/events.ts";
import type { CollectedAnswer } from "../../hub/collect.ts";
import { RelayError } from "../../hub/errors.ts";
import { type AnswerEncoding, EncoderStream } from "../answer_encoder.ts";

/** Which Ollama endpoint the lines answer: `chat` (`message`) or `generate` (`response`). */
export type OllamaShape = "chat" | "generate";

/**
 * Ollama's `tool_calls` (arguments as objects). Arguments that are not JSON are an error,
 * unless the output limit ended the answer (`length`): that call was cut off, and Ollama
 * has no way to say so but to leave it out, as Ollama does when it cannot parse a call.
 */
function toolCalls(calls: { name: string; arguments: string }[], reason: FinishReason) {
  return calls.flatMap((call) => {
    const parsed = parseArguments(call.arguments, reason === "length");
    return parsed === CUT ? [] : [{ function: { name: call.name, arguments: parsed } }];
  });
}

/** What {@link parseArguments} returns for arguments the output limit cut off. */
const CUT = Symbol("cut");

function parseArguments(json: string, cutOff: boolean): unknown {
  try {
    return JSON.parse(json || "{}");
  } catch {
    if (cutOff) return CUT;
    throw new RelayError(502, "the model's tool-call arguments are not valid JSON");
  }
}

function content(shape: OllamaShape, text: string, extra: Record<string, unknown> = {}) {
  return shape === "chat" ? { message: { role: "assistant", content: text, ...extra } } : { response: text, ...extra };
}

function doneFields(reason: FinishReason, usage: RelayUsage | undefined, startedNs: number) {
  return {
    done: true,
    done_reason: reason === "length" ? "length" : "stop",
    total_duration: Math.round(performance.now() * 1e6 - startedNs),
    load_duration: 0,
    prompt_eval_count: usage?.promptTokens ?? 0,
    prompt_eval_duration: 0,
    eval_count: usage?.completionTokens ?? 0,
    eval_duration: 0,
  };
}

/**
 * Hub events → Ollama NDJSON (`application/x-ndjson`) text, one JSON object per line:
 * `{"model","created_at","message":{"role":"assistant","content"},"done":false}` for
 * `/api/chat` (`"response"` for `/api/generate`), thinking as `message.thinking`, tool calls
 * as one line with `arguments` objects (Ollama never streams partial calls), then a final
 * `done: true` line with `done_reason` and token counts. An error is one `{"error":"…"}` line.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { ollamaEncoding } from "./ndjson_stream.ts";
 * import { AnswerEncoder } from "../answer_encoder.ts";
 * const encoder = new AnswerEncoder(ollamaEncoding("chat", "llama3"));
 * const text = encoder.push({ type: "text", text: "Hi" }) + encoder.push({ type: "finish", reason: "stop" });
 * const lines = text.trim().split("\n").map((line) => JSON.parse(line));
 * equal(lines[0].message.content, "Hi");
 * equal(lines[1].done, true);
 * ```
 */
export function ollamaEncoding(shape: OllamaShape, model: string): AnswerEncoding {
  const startedNs = performance.now() * 1e6;
  const line = (fields: Record<string, unknown>) =>
    `${JSON.stringify({ model, created_at: new Date().toISOString(), ...fields })}\n`;
  const calls: { name: string; arguments: string }[] = [];
  let usage: RelayUsage | undefined;
  return {
    event(event) {
      switch (event.type) {
        case "text":
          return line({ ...content(shape, event.text), done: false });
        case "thinking":
          return line({ ...content(shape, "", { thinking: event.text }), done: false });
        case "tool_call_start":
          calls[event.index] = { name: event.name, arguments: "" };
          return "";
        case "tool_call_delta":
          calls[event.index].arguments += event.arguments;
          return "";
        case "usage":
          usage = event.usage;
          return "";
        case "finish": {
          const parsed = toolCalls(calls, event.reason);
          return (parsed.length ? line({ ...content(shape, "", { tool_calls: parsed }), done: false }) : "") +
            line({ ...content(shape, ""), ...doneFields(event.reason, usage, startedNs) });
        }
        default:
          return "";
      }
    },
    error: (error) => `${JSON.stringify({ error: error.message })}\n`,
  };
}

/**
 * {@link ollamaEncoding} as a `TransformStream` from hub events to bytes.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { OllamaStream } from "./ndjson_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const ndjson = ReadableStream.from<RelayEvent>([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }])
 *   .pipeThrough(new OllamaStream("chat", "llama3")).pipeThrough(new TextDecoderStream());
 * const lines = (await Array.fromAsync(ndjson)).join("").trim().split("\n").map((line) => JSON.parse(line));
 * equal(lines[1].done, true);
 * ```
 */
export class OllamaStream extends EncoderStream {
  /** Creates the encoder for `shape` answers naming `model`. */
  constructor(shape: OllamaShape, model: string) {
    super(ollamaEncoding(shape, model));
  }
}

/**
 * A whole answer as one Ollama response object (`stream: false`).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { toOllamaResponse } from "./ndjson_stream.ts";
 * const body = toOllamaResponse("generate", "m", { text: "x", thinking: "", toolCalls: [], finishReason: "stop" }, 0);
 * ok(body.response === "x" && body.done === true);
 * ```
 */
export function toOllamaResponse(
  shape: OllamaShape,
  model: string,
  answer: CollectedAnswer,
  startedNs: number,
): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  if (answer.thinking) extra.thinking = answer.thinking;
  const calls = toolCalls(answer.toolCalls, answer.finishReason);
  if (calls.length) extra.tool_calls = calls;
  return {
    model,
    created_at: new Date().toISOString(),
    ...content(shape, answer.text, extra),
    ...doneFields(answer.finishReason, answer.usage, startedNs),
  };
}
