import { deepEqual, equal, match } from "node:assert/strict";
import fc from "fast-check";
import { OpenAIChunkDecoder } from "../../lib/openai_compatible/chunk_decoder.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";

const sse = (...chunks: unknown[]) => chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join("");
const delta = (fields: unknown, finish: string | null = null) => ({
  choices: [{ index: 0, delta: fields, finish_reason: finish }],
});

function decode(text: string, reads: number[] = []): RelayEvent[] {
  const decoder = new OpenAIChunkDecoder();
  const bytes = new TextEncoder().encode(text);
  const events: RelayEvent[] = [];
  let at = 0;
  for (const cut of [...reads, bytes.length]) {
    events.push(...decoder.push(bytes.subarray(at, Math.max(at, cut))));
    at = Math.max(at, cut);
  }
  return [...events, ...decoder.flush()];
}

Deno.test("Sourcegraph /.api/llm quirks: no [DONE], empty finish reasons mid-stream, a new id per chunk", () => {
  const events = decode(sse(
    { id: "a", ...delta({ role: "assistant", content: "He" }, "") },
    { id: "b", ...delta({ content: "llo" }, "") },
    { id: "c", ...delta({}, "end_turn") },
  ));
  deepEqual(events, [
    { type: "text", text: "Hello" },
    { type: "finish", reason: "stop", upstreamReason: "end_turn" },
  ]);
});

Deno.test("reasoning, whole tool calls in one chunk, a reused index with a new id, usage on its own chunk", () => {
  const events = decode(
    sse(
      delta({ reasoning_content: "think " }),
      delta({ reasoning: "more" }),
      delta({ tool_calls: [{ index: 0, id: "c1", function: { name: "a", arguments: '{"x":1}' } }] }),
      delta({ tool_calls: [{ index: 0, id: "c2", function: { name: "b", arguments: "{}" } }] }, "tool_calls"),
      { choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } } },
    ) + "data: [DONE]\n\n",
  );
  deepEqual(events, [
    { type: "thinking", text: "think more" },
    { type: "tool_call_start", index: 0, id: "c1", name: "a" },
    { type: "tool_call_delta", index: 0, arguments: '{"x":1}' },
    { type: "tool_call_start", index: 1, id: "c2", name: "b" },
    { type: "tool_call_delta", index: 1, arguments: "{}" },
    { type: "usage", usage: { promptTokens: 7, completionTokens: 3, cachedTokens: 2 } },
    { type: "finish", reason: "tool_calls", upstreamReason: "tool_calls" },
  ]);
});

/** The message of the error a stream ended with ("" if it did not end in one). */
function failure(text: string): string {
  const last = decode(text).at(-1);
  return last?.type === "error" ? last.error.message : "";
}

Deno.test("failures: an error chunk, malformed JSON, [DONE] without a finish reason, a stream that just stops", () => {
  match(
    failure(sse(delta({ content: "a" }), { error: { message: "context length exceeded" } })),
    /context length exceeded/,
  );
  match(failure('data: {"choices": [\n\n'), /malformed chunk/);
  match(failure(sse(delta({ content: "a" })) + "data: [DONE]\n\n"), /without a finish_reason/);
  match(failure(sse(delta({ content: "a" }))), /before the answer finished/);
});

Deno.test("any split of the bytes into reads gives the same answer", () => {
  const text = sse(
    delta({ content: "héllo wörld 🙂 " }),
    delta({ tool_calls: [{ index: 0, id: "c1", function: { name: "f", arguments: '{"q":' } }] }),
    delta({ tool_calls: [{ index: 0, function: { arguments: '"ü"}' } }] }, "tool_calls"),
  ) + "data: [DONE]\n\n";
  const whole = JSON.stringify(decode(text));
  const length = new TextEncoder().encode(text).length;
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: length }), { maxLength: 12 }), (cuts) => {
    equal(
      JSON.stringify(mergeDeltas(decode(text, cuts.sort((a, b) => a - b)))),
      JSON.stringify(mergeDeltas(JSON.parse(whole))),
    );
  }));
});

/** Deltas merged as a client assembles them (reads may split one delta into several). */
function mergeDeltas(events: RelayEvent[]): RelayEvent[] {
  const merged: RelayEvent[] = [];
  for (const event of events) {
    const last = merged.at(-1);
    if (last?.type === "text" && event.type === "text") last.text += event.text;
    else if (last?.type === "tool_call_delta" && event.type === "tool_call_delta") last.arguments += event.arguments;
    else merged.push({ ...event });
  }
  return merged;
}
