/** Any re-chunking of the upstream bytes yields byte-identical client output. */
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
  return (await Array.fromAsync(stream)).join("");
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
      { numRuns: 150 },
    );
    const oneByteAtATime = Array.from(bytes, (byte) => Uint8Array.of(byte));
    equal(await relayBytes(oneByteAtATime), whole);
  });
}
