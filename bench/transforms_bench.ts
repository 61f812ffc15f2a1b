/**
 * Micro-benchmarks of each transform on realistic input (`deno task bench:micro`, or as
 * part of `deno task bench`, which converts the times to MB/s and events/s).
 *
 * @module
 */
import { CodyEventDecoderStream } from "../lib/cody/event_decoder.ts";
import { OpenAIChatStream } from "../lib/fronts/openai/chat_stream.ts";
import { ResponseParser } from "../lib/transport/response_parser.ts";
import { chunkedReads, deltaFrames, deltaReads, hubEvents, legacyReads } from "./micro_inputs.ts";

async function drain(stream: ReadableStream<unknown>): Promise<void> {
  for await (const _ of stream) { /* consume */ }
}

const encoderOptions = {
  id: "chatcmpl-bench",
  created: 0,
  model: "anthropic::2024-10-22::claude-sonnet-4-latest",
  includeUsage: true,
};

Deno.bench("Cody decoder: v2 delta stream, 1,400-byte reads", { group: "decode", baseline: true }, async () => {
  await drain(ReadableStream.from(deltaReads).pipeThrough(new CodyEventDecoderStream()));
});

Deno.bench("Cody decoder: v2 delta stream, one event per read", { group: "decode" }, async () => {
  await drain(ReadableStream.from(deltaFrames).pipeThrough(new CodyEventDecoderStream()));
});

Deno.bench("Cody decoder: recorded legacy cumulative stream", { group: "decode" }, async () => {
  await drain(ReadableStream.from(legacyReads).pipeThrough(new CodyEventDecoderStream()));
});

Deno.bench("hub → OpenAI encoder: 1,000 events", { group: "encode" }, async () => {
  await drain(ReadableStream.from(hubEvents).pipeThrough(new OpenAIChatStream(encoderOptions)));
});

Deno.bench("Cody bytes → OpenAI bytes: 1,000 events, one per read", { group: "path" }, async () => {
  await drain(
    ReadableStream.from(deltaFrames).pipeThrough(new CodyEventDecoderStream()).pipeThrough(
      new OpenAIChatStream(encoderOptions),
    ),
  );
});

Deno.bench("HTTP/1.1 response parser: 1,000 chunked events, one per read", { group: "transport" }, () => {
  let body = 0;
  const parser = new ResponseParser("POST", { head() {}, body: (bytes) => void (body += bytes.length), end() {} });
  for (const read of chunkedReads) parser.push(read);
  if (!parser.done || body === 0) throw new Error("the response did not parse");
});
