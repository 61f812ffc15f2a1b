/**
 * Micro-benchmarks of each transform on realistic input (`deno task bench`). Sizes are
 * printed once so that `time/iter` converts to MB/s and events/s.
 */
import { CodyEventDecoderStream } from "../lib/cody/event_decoder.ts";
import { OpenAIChatStream } from "../lib/fronts/openai/chat_stream.ts";
import type { RelayEvent } from "../lib/hub/events.ts";
import { goJson } from "../lib/simulator/go_json.ts";

const EVENTS = 1000;
const encoder = new TextEncoder();

/** A v2+ delta stream of 1,000 events of a few tokens each, in network-sized reads of ~1.4 KB. */
const deltaBytes = encoder.encode(
  Array.from(
    { length: EVENTS },
    (_, index) => `event: completion\ndata: ${goJson({ deltaText: ` token${index} <x>` })}\n\n`,
  )
    .join("") +
    `event: completion\ndata: ${
      goJson({ stopReason: "end_turn", usage: { prompt_tokens: 10, completion_tokens: EVENTS } })
    }\n\n` +
    "event: done\ndata: {}\n\n",
);
const deltaReads = reads(deltaBytes, 1400);
const legacyBytes = await Deno.readFile(new URL("../tests/fixtures/cody/legacy-cumulative.sse", import.meta.url));
const legacyReads = reads(legacyBytes, 1400);
const hubEvents: RelayEvent[] = [
  ...Array.from({ length: EVENTS }, (_, index): RelayEvent => ({ type: "text", text: ` token${index} <x>` })),
  { type: "usage", usage: { promptTokens: 10, completionTokens: EVENTS } },
  { type: "finish", reason: "stop" },
];

console.log(
  `input sizes: v2 delta stream ${deltaBytes.length} bytes / ${EVENTS} events; ` +
    `legacy cumulative fixture ${legacyBytes.length} bytes / 192 events; hub→OpenAI ${EVENTS} events`,
);

function reads(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}

async function drain(stream: ReadableStream<unknown>): Promise<void> {
  for await (const _ of stream) { /* consume */ }
}

const encoderOptions = {
  id: "chatcmpl-bench",
  created: 0,
  model: "anthropic::2024-10-22::claude-sonnet-4-latest",
  includeUsage: true,
};

Deno.bench("Cody decoder: v2 delta stream, 1,000 events", { group: "decode", baseline: true }, async () => {
  await drain(ReadableStream.from(deltaReads).pipeThrough(new CodyEventDecoderStream()));
});

Deno.bench("Cody decoder: recorded legacy cumulative stream", { group: "decode" }, async () => {
  await drain(ReadableStream.from(legacyReads).pipeThrough(new CodyEventDecoderStream()));
});

Deno.bench("hub → OpenAI encoder: 1,000 events", { group: "encode" }, async () => {
  await drain(ReadableStream.from(hubEvents).pipeThrough(new OpenAIChatStream(encoderOptions)));
});

Deno.bench("Cody bytes → OpenAI bytes: 1,000 events", { group: "path" }, async () => {
  await drain(
    ReadableStream.from(deltaReads).pipeThrough(new CodyEventDecoderStream()).pipeThrough(
      new OpenAIChatStream(encoderOptions),
    ),
  );
});
