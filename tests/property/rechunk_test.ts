/**
 * Any re-chunking of the upstream bytes yields the same answer for the client. Chunk
 * boundaries may differ (deltas that arrive in one read are merged), so the OpenAI
 * stream is compared by what a client assembles from it: content, reasoning, tool
 * calls, finish reason, usage and the closing `[DONE]`.
 */
import { equal } from "node:assert/strict";
import fc from "fast-check";
import { CodyEventDecoderStream } from "../../lib/cody/event_decoder.ts";
import { OpenAIChatStream } from "../../lib/fronts/openai/chat_stream.ts";
import { goJson } from "../../lib/simulator/go_json.ts";
import { fixture } from "../harness.ts";

async function relayBytes(chunks: Uint8Array[]): Promise<string> {
  const stream = ReadableStream.from(chunks)
    .pipeThrough(new CodyEventDecoderStream())
    .pipeThrough(new OpenAIChatStream({ id: "chatcmpl-p", created: 0, model: "m", includeUsage: true }))
    .pipeThrough(new TextDecoderStream());
  return assembled((await Array.fromAsync(stream)).join(""));
}

/** What an OpenAI client builds from a chat-completion stream, as comparable JSON. */
function assembled(sse: string): string {
  const answer = { content: "", reasoning: "", tools: [] as string[], finish: [] as string[], usage: [] as unknown[] };
  const lines = sse.split("\n\n").filter(Boolean);
  for (const line of lines) {
    if (line === "data: [DONE]") continue;
    const chunk = JSON.parse(line.slice("data: ".length));
    if (chunk.usage) answer.usage.push(chunk.usage);
    for (const choice of chunk.choices) {
      answer.content += choice.delta.content ?? "";
      answer.reasoning += choice.delta.reasoning_content ?? "";
      for (const call of choice.delta.tool_calls ?? []) {
        answer.tools[call.index] = (answer.tools[call.index] ?? `${call.id}:${call.function.name}:`) +
          (call.function.arguments ?? "");
      }
      if (choice.finish_reason) answer.finish.push(choice.finish_reason);
    }
  }
  return JSON.stringify({ ...answer, done: lines.at(-1) === "data: [DONE]" });
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

/** Multi-byte text (CJK, emoji, Go escapes) with a tool call, the kind of stream that breaks naive decoders. */
const unicodeStream = new TextEncoder().encode(
  ["日本語の", " テキスト ", "🦀 emoji 👩‍💻", " <tags> & amps", "\u2028line"].map((text) =>
    `event: completion\ndata: ${goJson({ deltaText: text })}\n\n`
  ).join("") +
    `event: completion\ndata: ${
      goJson({ delta_tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: '{"k":"値' } }] })
    }\n\n` +
    `event: completion\ndata: ${
      goJson({ delta_tool_calls: [{ id: "", function: { name: "", arguments: '"}' } }] })
    }\n\n` +
    `event: completion\ndata: ${
      goJson({ stopReason: "tool_use", usage: { prompt_tokens: 1, completion_tokens: 2 } })
    }\n\n` +
    "event: done\ndata: {}\n\n",
);

const crlf = (bytes: Uint8Array) => new TextEncoder().encode(new TextDecoder().decode(bytes).replaceAll("\n", "\r\n"));

const sources: [string, () => Promise<Uint8Array>][] = [
  ["legacy cumulative fixture", () => fixture("legacy-cumulative.sse")],
  ["v9 tool-call fixture", () => fixture("v9-text-then-tool-call.sse")],
  ["multi-byte stream", () => Promise.resolve(unicodeStream)],
  ["multi-byte stream with CRLF", () => Promise.resolve(crlf(unicodeStream))],
];

for (const [name, load] of sources) {
  Deno.test(`re-chunking the ${name} does not change the client output`, async () => {
    const bytes = await load();
    const whole = await relayBytes([bytes]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 40 }), async (cuts) => {
        equal(await relayBytes(split(bytes, cuts)), whole);
      }),
      { seed: 16, numRuns: 150 },
    );
    const oneByteAtATime = Array.from(bytes, (byte) => Uint8Array.of(byte));
    equal(await relayBytes(oneByteAtATime), whole);
  });
}
