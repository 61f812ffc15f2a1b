import { deepEqual as assertEquals } from "node:assert/strict";
import { byteReader } from "../../lib/transport/byte_reader.ts";

async function readAll(reader: ReturnType<typeof byteReader>): Promise<{ text: string; reads: number }> {
  const decoder = new TextDecoder();
  let text = "";
  let reads = 0;
  for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
    text += decoder.decode(chunk, { stream: true });
    reads++;
  }
  return { text, reads };
}

Deno.test("byteReader reads a chunk longer than its buffer over several reads, in order", async () => {
  const body = "0123456789".repeat(10);
  const stream = new ReadableStream({
    type: "bytes",
    start(controller) {
      controller.enqueue(new TextEncoder().encode(body));
      controller.close();
    },
  });
  const { text, reads } = await readAll(byteReader(stream, 16));
  assertEquals(text, body);
  assertEquals(reads, 7);
});

Deno.test("byteReader reads a stream without BYOB support chunk by chunk", async () => {
  const stream = ReadableStream.from(["Hel", "lo"].map((part) => new TextEncoder().encode(part)));
  assertEquals(await readAll(byteReader(stream, 16)), { text: "Hello", reads: 2 });
});

Deno.test("byteReader.cancel releases the source with the reason", async () => {
  let reason: unknown;
  const stream = new ReadableStream({ type: "bytes", cancel: (why) => void (reason = why) });
  await byteReader(stream).cancel("client left");
  assertEquals(reason, "client left");
});
