/**
 * Hub answers → Gemini API `GenerateContentResponse`s: one JSON object for
 * `generateContent`, and a stream of them for `streamGenerateContent`, framed as SSE
 * (`?alt=sse`, what the SDKs ask for) or as one JSON array written as it grows.
 *
 * @module
 */
import type { CollectedAnswer } from "../../hub/collect.ts";
import { RelayError } from "../../hub/errors.ts";
import type { FinishReason, RelayUsage } from "../../hub/events.ts";
import { type AnswerEncoding, EncoderStream } from "../answer_encoder.ts";
import { geminiErrorBody } from "./errors.ts";

/** What every response of one answer reports about itself. */
export interface GeminiResponseMeta {
  /** The `responseId`, the same on every chunk. */
  responseId: string;
  /** The `modelVersion`: the model name the client asked for. */
  modelVersion: string;
  /** Prompt tokens, reported when the upstream gave no usage (an estimate). */
  promptTokens: number;
  /** Whether thinking goes to the client as `thought: true` parts (`thinkingConfig.includeThoughts`). */
  includeThoughts: boolean;
}

/** How a stream of responses is framed: SSE `data:` events, or one JSON array. */
export type GeminiFraming = "sse" | "array";

/** A part of a `Content`. */
export type GeminiPart = Record<string, unknown>;

/** Gemini's `usageMetadata`. */
export interface GeminiUsage {
  /** Tokens read. */
  promptTokenCount: number;
  /** Tokens written (thinking included: the hub does not count it apart). */
  candidatesTokenCount: number;
  /** Their sum. */
  totalTokenCount: number;
  /** Tokens read from the upstream's prompt cache, when it reports them. */
  cachedContentTokenCount?: number;
}

/** A `GenerateContentResponse`. */
export interface GeminiResponse {
  /** One candidate: its content (`role: "model"`), `finishReason` on the last response, `index: 0`. */
  candidates: {
    content: { parts: GeminiPart[]; role: "model" };
    finishReason?: string;
    index: number;
  }[];
  /** Token counts. */
  usageMetadata?: GeminiUsage;
  /** The model name the client asked for (or the fallback model that answered). */
  modelVersion: string;
  /** The same on every response of one answer. */
  responseId: string;
}

/**
 * Gemini's `finishReason` for a hub finish: `STOP` (also for tool calls, as Gemini
 * reports them), `MAX_TOKENS`, `SAFETY`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { geminiFinishReason } from "./generate_stream.ts";
 * equal(geminiFinishReason("length"), "MAX_TOKENS");
 * equal(geminiFinishReason("tool_calls"), "STOP");
 * ```
 */
export function geminiFinishReason(reason: FinishReason): string {
  if (reason === "length") return "MAX_TOKENS";
  if (reason === "content_filter") return "SAFETY";
  return "STOP";
}

function geminiUsage(usage: RelayUsage | undefined, promptTokens: number): GeminiUsage {
  const prompt = usage?.promptTokens ?? promptTokens;
  const candidates = usage?.completionTokens ?? 0;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates,
    ...(usage?.cachedTokens ? { cachedContentTokenCount: usage.cachedTokens } : {}),
  };
}

/** A call's `functionCall` part, its arguments parsed (Gemini sends `args` as an object, never in pieces). */
function functionCallPart(call: { name: string; arguments: string }): GeminiPart {
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || "{}");
  } catch {
    throw new RelayError(502, `the model's arguments for ${call.name} are not valid JSON`);
  }
  return { functionCall: { name: call.name, args } };
}

/**
 * The parts that end an answer: the function calls, with the thought signature on the
 * first (where Gemini puts it), or the signature on an empty text part when there are none.
 */
function closingParts(calls: { name: string; arguments: string }[], signature: string | undefined): GeminiPart[] {
  const parts = calls.map(functionCallPart);
  if (signature !== undefined) {
    if (parts.length) parts[0] = { ...parts[0], thoughtSignature: signature };
    else parts.push({ text: "", thoughtSignature: signature });
  }
  return parts;
}

/**
 * Hub events → Gemini `streamGenerateContent` text. Each text or thought delta is one
 * response (`candidates[0].content.parts`, `role: "model"`, `index: 0`, `modelVersion`,
 * `responseId`); function calls are sent whole in the last response, which also carries
 * `finishReason` and `usageMetadata` (an empty text part when nothing else is left to
 * send, as Gemini does). Thoughts are sent only when `includeThoughts` asked for them; the
 * thought signature always. SSE framing writes `data: {…}` events; array framing writes
 * `[`, the responses separated by `,`, and `]`. An error (before or after the first
 * response) is one `{"error":{code,message,status}}` element or event, and the end.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { geminiEncoding } from "./generate_stream.ts";
 * import { AnswerEncoder } from "../answer_encoder.ts";
 * const meta = { responseId: "r1", modelVersion: "gemini-2.5-pro", promptTokens: 3, includeThoughts: false };
 * const encoder = new AnswerEncoder(geminiEncoding(meta, "array"));
 * const text = encoder.start() + encoder.push({ type: "text", text: "Hi" }) + encoder.push({ type: "finish", reason: "stop" });
 * const responses = JSON.parse(text);
 * equal(responses[0].candidates[0].content.parts[0].text, "Hi");
 * equal(responses[1].candidates[0].finishReason, "STOP");
 * ok(responses[1].usageMetadata.promptTokenCount === 3);
 * ```
 */
export function geminiEncoding(meta: GeminiResponseMeta, framing: GeminiFraming): AnswerEncoding {
  const head = `{"candidates":[{"content":{"parts":`;
  const tail = `,"modelVersion":${JSON.stringify(meta.modelVersion)},"responseId":${JSON.stringify(meta.responseId)}}`;
  let written = 0;
  const frame = (json: string, last: boolean) => {
    const separator = written++ === 0 ? "" : ",\r\n";
    return framing === "sse" ? `data: ${json}\n\n` : `${separator}${json}${last ? "]" : ""}`;
  };
  const response = (parts: string, end = "") =>
    frame(`${head}${parts},"role":"model"}${end},"index":0}]${tail}`, false);
  const calls: { name: string; arguments: string }[] = [];
  let usage: RelayUsage | undefined;
  let signature: string | undefined;
  return {
    start: () => framing === "array" ? "[" : "",
    event(event) {
      switch (event.type) {
        case "text":
          return event.text ? response(`[{"text":${JSON.stringify(event.text)}}]`) : "";
        case "thinking":
          return meta.includeThoughts && event.text
            ? response(`[{"text":${JSON.stringify(event.text)},"thought":true}]`)
            : "";
        case "thinking_signature":
          signature = event.signature;
          return "";
        case "tool_call_start":
          calls[event.index] = { name: event.name, arguments: "" };
          return "";
        case "tool_call_delta":
          if (!calls[event.index]) throw new RelayError(502, `arguments of unknown tool call ${event.index}`);
          calls[event.index].arguments += event.arguments;
          return "";
        case "usage":
          usage = event.usage;
          return "";
        case "finish": {
          const parts = closingParts(calls.filter(Boolean), signature);
          const json = `${head}${JSON.stringify(parts.length ? parts : [{ text: "" }])},"role":"model"},` +
            `"finishReason":"${geminiFinishReason(event.reason)}","index":0}],` +
            `"usageMetadata":${JSON.stringify(geminiUsage(usage, meta.promptTokens))}${tail}`;
          return frame(json, true);
        }
      }
    },
    error: (error) => frame(JSON.stringify(geminiErrorBody(error)), true),
  };
}

/**
 * {@link geminiEncoding} as a `TransformStream` from hub events to bytes.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { GeminiStream } from "./generate_stream.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const meta = { responseId: "r1", modelVersion: "gemini-2.5-pro", promptTokens: 3, includeThoughts: false };
 * const sse = ReadableStream.from<RelayEvent>([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }])
 *   .pipeThrough(new GeminiStream(meta, "sse"))
 *   .pipeThrough(new TextDecoderStream());
 * ok((await Array.fromAsync(sse)).join("").includes('"finishReason":"STOP"'));
 * ```
 */
export class GeminiStream extends EncoderStream {
  /** Creates the encoder; array framing sends `[` at once. */
  constructor(meta: GeminiResponseMeta, framing: GeminiFraming) {
    super(geminiEncoding(meta, framing));
  }
}

/**
 * A whole answer as one `GenerateContentResponse`: thoughts (when asked for), the text,
 * then the function calls with their arguments parsed and the thought signature on the
 * first; `finishReason`, `usageMetadata`, `modelVersion` and `responseId`.
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { toGeminiResponse } from "./generate_stream.ts";
 * const response = toGeminiResponse(
 *   { text: "", thinking: "", toolCalls: [{ id: "t1", name: "ls", arguments: '{"dir":"."}' }], finishReason: "tool_calls" },
 *   { responseId: "r1", modelVersion: "gemini-2.5-pro", promptTokens: 3, includeThoughts: false },
 * );
 * deepEqual(response.candidates[0].content.parts, [{ functionCall: { name: "ls", args: { dir: "." } } }]);
 * equal(response.candidates[0].finishReason, "STOP");
 * ```
 */
export function toGeminiResponse(answer: CollectedAnswer, meta: GeminiResponseMeta): GeminiResponse {
  const parts: GeminiPart[] = [];
  if (meta.includeThoughts && answer.thinking) parts.push({ text: answer.thinking, thought: true });
  if (answer.text || !answer.toolCalls.length) parts.push({ text: answer.text });
  const closing = closingParts(answer.toolCalls, answer.toolCalls.length ? answer.thinkingSignature : undefined);
  parts.push(...closing);
  if (!answer.toolCalls.length && answer.thinkingSignature !== undefined) {
    parts[parts.length - 1] = { ...parts[parts.length - 1], thoughtSignature: answer.thinkingSignature };
  }
  return {
    candidates: [{
      content: { parts, role: "model" },
      finishReason: geminiFinishReason(answer.finishReason),
      index: 0,
    }],
    usageMetadata: geminiUsage(answer.usage, meta.promptTokens),
    modelVersion: meta.modelVersion,
    responseId: meta.responseId,
  };
}
