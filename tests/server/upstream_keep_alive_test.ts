/**
 * A streamed answer leaves its upstream connection open for the next request: the relay
 * reads the stream's end after the answer's last event instead of closing the connection,
 * which over TLS would cost every streamed request a new handshake.
 */
import { equal } from "node:assert/strict";
import { Buffer } from "node:buffer";
import net from "node:net";
import { gzipSync } from "node:zlib";
import { OpenAICompatibleUpstream } from "../../lib/openai_compatible/upstream.ts";
import { createApp } from "../../lib/server/app.ts";

/** One SSE event of an OpenAI-style stream. */
const event = (choice: object) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [choice] })}\n\n`;

/** `bytes` as one chunk of a chunked body. */
const chunk = (bytes: string | Uint8Array) =>
  Buffer.concat([
    Buffer.from(`${Buffer.byteLength(bytes).toString(16)}\r\n`),
    Buffer.from(bytes),
    Buffer.from("\r\n"),
  ]);

const ANSWER = [event({ index: 0, delta: { content: "Hello" } }), event({ index: 0, delta: {}, finish_reason: "stop" })]
  .join("") + "data: [DONE]\n\n";

const HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n";

/**
 * The writes of one answer: each SSE event, and the chunked stream's end, in writes of their
 * own; or, `gzip`ped, the compressed answer in two chunks, the second in one write with the
 * stream's end.
 */
function answerWrites(gzip: boolean): (string | Uint8Array)[] {
  if (!gzip) {
    return [`${HEAD}\r\n`, ...ANSWER.split(/(?<=\n\n)/).map((part) => chunk(part)), "0\r\n\r\n"];
  }
  const compressed = gzipSync(ANSWER);
  const half = compressed.length >> 1;
  return [
    Buffer.concat([Buffer.from(`${HEAD}content-encoding: gzip\r\n\r\n`), chunk(compressed.subarray(0, half))]),
    Buffer.concat([chunk(compressed.subarray(half)), Buffer.from("0\r\n\r\n")]),
  ];
}

/** An OpenAI-style upstream answering every request with {@link answerWrites}, 5 ms apart. */
async function streamingUpstream(gzip = false) {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.on("data", async () => {
      for (const write of answerWrites(gzip)) {
        socket.write(write);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1`,
    get connections() {
      return connections;
    },
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Three streamed chat turns through a relay app in front of `upstream`, each required to arrive whole (within 2 s). */
async function threeTurns(upstream: { url: string }, pauseMs: number): Promise<void> {
  const app = createApp({ upstream: new OpenAICompatibleUpstream({ baseUrl: upstream.url, apiKey: "sk-test" }) });
  for (let turn = 0; turn < 3; turn++) {
    const response = await app.fetch(
      new Request("http://relay/v1/chat/completions", {
        method: "POST",
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }], stream: true }),
        signal: AbortSignal.timeout(2_000),
      }),
    );
    const text = await response.text();
    equal(text.includes('"content":"Hello"') && text.endsWith("data: [DONE]\n\n"), true, `turn ${turn}: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

Deno.test("streamed answers one after another share one upstream connection", async () => {
  await using upstream = await streamingUpstream();
  // The stream's end comes 5 ms after [DONE]: let the relay read it before the next turn.
  await threeTurns(upstream, 30);
  equal(upstream.connections, 1);
});

Deno.test("gzipped streamed answers one after another share one upstream connection, each read whole", async () => {
  // The compressed body is read as a stream, which pauses the connection after each chunk;
  // the last chunk came with the stream's end, so the connection went back to the pool
  // paused and the second answer was never read.
  await using upstream = await streamingUpstream(true);
  await threeTurns(upstream, 0);
  equal(upstream.connections, 1);
});
