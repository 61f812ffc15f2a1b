/** Hub answers → Gemini responses: SSE and JSON-array framing, whole function calls, thoughts, signatures, errors. */
import { deepEqual, equal, ok } from "node:assert/strict";
import fc from "fast-check";
import { AnswerEncoder } from "../../../lib/fronts/answer_encoder.ts";
import {
  geminiEncoding,
  type GeminiFraming,
  type GeminiResponse,
  type GeminiResponseMeta,
  toGeminiResponse,
} from "../../../lib/fronts/gemini/generate_stream.ts";
import { RelayError } from "../../../lib/hub/errors.ts";
import type { RelayEvent } from "../../../lib/hub/events.ts";

const META: GeminiResponseMeta = {
  responseId: "r1",
  modelVersion: "gemini-2.5-pro",
  promptTokens: 7,
  includeThoughts: false,
};

/** The text an encoder writes for `events`, then `flush`. */
function encode(events: RelayEvent[], framing: GeminiFraming, meta = META): string {
  const encoder = new AnswerEncoder(geminiEncoding(meta, framing));
  return encoder.start() + events.map((event) => encoder.push(event)).join("") + encoder.flush();
}

/** The responses of an SSE stream, each `data:` event parsed. */
function sseResponses(text: string): Record<string, unknown>[] {
  ok(text.endsWith("\n\n"));
  return text.split("\n\n").filter(Boolean).map((event) => {
    ok(event.startsWith("data: "), event);
    return JSON.parse(event.slice("data: ".length));
  });
}

const parts = (response: unknown) => (response as GeminiResponse).candidates[0].content.parts;

const TOOL_ANSWER: RelayEvent[] = [
  { type: "thinking", text: "I should list it." },
  { type: "thinking_signature", signature: "sig" },
  { type: "text", text: "Listing." },
  { type: "tool_call_start", index: 0, id: "toolu_1", name: "list_directory" },
  { type: "tool_call_delta", index: 0, arguments: '{"dir_pa' },
  { type: "tool_call_delta", index: 0, arguments: 'th":"."}' },
  { type: "tool_call_start", index: 1, id: "toolu_2", name: "read_file" },
  { type: "tool_call_delta", index: 1, arguments: '{"path":"a"}' },
  { type: "usage", usage: { promptTokens: 10, completionTokens: 5 } },
  { type: "finish", reason: "tool_calls" },
];

Deno.test("SSE: one response per delta; the calls whole in the last, signed on the first, with STOP and usage", () => {
  const responses = sseResponses(encode(TOOL_ANSWER, "sse"));
  equal(responses.length, 2, "no thought parts unless asked for");
  deepEqual(parts(responses[0]), [{ text: "Listing." }]);
  deepEqual(parts(responses[1]), [
    { functionCall: { name: "list_directory", args: { dir_path: "." } }, thoughtSignature: "sig" },
    { functionCall: { name: "read_file", args: { path: "a" } } },
  ]);
  const last = responses[1] as unknown as GeminiResponse;
  equal(last.candidates[0].finishReason, "STOP");
  deepEqual(last.usageMetadata, { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 });
  ok(responses.every((response) => response.responseId === "r1" && response.modelVersion === "gemini-2.5-pro"));
  ok(responses.every((response) => (response as unknown as GeminiResponse).candidates[0].index === 0));
});

Deno.test("thoughts are thought parts when includeThoughts asked for them", () => {
  const responses = sseResponses(encode(TOOL_ANSWER, "sse", { ...META, includeThoughts: true }));
  deepEqual(parts(responses[0]), [{ text: "I should list it.", thought: true }]);
  equal(responses.length, 3);
});

Deno.test("a text answer ends with an empty text part carrying finishReason (and the signature); MAX_TOKENS for length", () => {
  const responses = sseResponses(encode([
    { type: "text", text: "Hello" },
    { type: "thinking_signature", signature: "sig" },
    { type: "finish", reason: "length" },
  ], "sse"));
  deepEqual(parts(responses[1]), [{ text: "", thoughtSignature: "sig" }]);
  equal((responses[1] as unknown as GeminiResponse).candidates[0].finishReason, "MAX_TOKENS");
  deepEqual(
    (responses[1] as unknown as GeminiResponse).usageMetadata,
    { promptTokenCount: 7, candidatesTokenCount: 0, totalTokenCount: 7 },
    "the estimated prompt when the upstream gave no usage",
  );
});

Deno.test("array framing is one valid JSON array, whatever the deltas, also when it fails midway", () => {
  fc.assert(fc.property(fc.array(fc.string(), { maxLength: 12 }), fc.boolean(), (texts, fails) => {
    const events: RelayEvent[] = texts.map((text) => ({ type: "text", text }));
    events.push(
      fails ? { type: "error", error: new RelayError(502, "upstream broke") } : { type: "finish", reason: "stop" },
    );
    const responses = JSON.parse(encode(events, "array")) as Record<string, unknown>[];
    const last = responses.at(-1)!;
    if (fails) deepEqual(last, { error: { code: 502, message: "upstream broke", status: "UNAVAILABLE" } });
    else equal((last as unknown as GeminiResponse).candidates[0].finishReason, "STOP");
    const text = responses.flatMap((response) => response.candidates ? parts(response) : [])
      .map((part) => part.text).join("");
    equal(text, texts.join(""));
  }));
});

Deno.test("an answer that ends without finish, or with arguments that are not JSON, ends with an error, never a clean STOP", () => {
  deepEqual(JSON.parse(encode([{ type: "text", text: "Hel" }], "array")).at(-1).error.status, "UNAVAILABLE");
  const broken = sseResponses(encode([
    { type: "tool_call_start", index: 0, id: "t", name: "f" },
    { type: "tool_call_delta", index: 0, arguments: '{"a":' },
    { type: "finish", reason: "tool_calls" },
  ], "sse"));
  equal(broken.length, 1);
  equal((broken[0] as { error: { code: number } }).error.code, 502);
});

Deno.test("a 429 in the stream keeps RESOURCE_EXHAUSTED and its RetryInfo", () => {
  const [event] = sseResponses(
    encode([{ type: "error", error: new RelayError(429, "slow", { retryAfterMs: 2500 }) }], "sse"),
  );
  deepEqual(event, {
    error: {
      code: 429,
      message: "slow",
      status: "RESOURCE_EXHAUSTED",
      details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "3s" }],
    },
  });
});

Deno.test("toGeminiResponse: thoughts when asked, text, calls with parsed args; the signature on the first call or the text", () => {
  const withCalls = toGeminiResponse({
    text: "",
    thinking: "hmm",
    thinkingSignature: "sig",
    toolCalls: [{ id: "t1", name: "ls", arguments: "" }],
    finishReason: "tool_calls",
    usage: { promptTokens: 3, completionTokens: 2, cachedTokens: 1 },
  }, { ...META, includeThoughts: true });
  deepEqual(withCalls.candidates[0].content.parts, [
    { text: "hmm", thought: true },
    { functionCall: { name: "ls", args: {} }, thoughtSignature: "sig" },
  ]);
  deepEqual(withCalls.usageMetadata, {
    promptTokenCount: 3,
    candidatesTokenCount: 2,
    totalTokenCount: 5,
    cachedContentTokenCount: 1,
  });
  const text = toGeminiResponse(
    { text: "Hi", thinking: "hmm", thinkingSignature: "sig", toolCalls: [], finishReason: "stop" },
    META,
  );
  deepEqual(text.candidates[0].content, { parts: [{ text: "Hi", thoughtSignature: "sig" }], role: "model" });
  equal(
    toGeminiResponse({ text: "", thinking: "", toolCalls: [], finishReason: "content_filter" }, META).candidates[0]
      .finishReason,
    "SAFETY",
  );
});
