/**
 * A streamed answer leaves its upstream connection open for the next request: the relay
 * reads the stream's end after the answer's last event instead of closing the connection,
 * which over TLS would cost every streamed request a new handshake.
 */
import { equal } from "node:assert/strict";
import { Buffer } from "node:buffer";
import net from "node:net";
import { OpenAICompatibleUpstream } from "../../lib/openai_compatible/upstream.ts";
import { createApp } from "../../lib/server/app.ts";

/** An OpenAI-style upstream writing each SSE event, and the chunked stream's end, in writes of their own. */
async function streamingUpstream() {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.on("data", async () => {
      const chunk = (choice: object) => {
        const event = `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [choice] })}\n\n`;
        return `${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`;
      };
      const writes = [
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n",
        chunk({ index: 0, delta: { content: "Hello" } }),
        chunk({ index: 0, delta: {}, finish_reason: "stop" }),
        `e\r\ndata: [DONE]\n\n\r\n`,
        "0\r\n\r\n",
      ];
      for (const write of writes) {
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

Deno.test("streamed answers one after another share one upstream connection", async () => {
  await using upstream = await streamingUpstream();
  const app = createApp({ upstream: new OpenAICompatibleUpstream({ baseUrl: upstream.url, apiKey: "sk-test" }) });
  for (let turn = 0; turn < 3; turn++) {
    const response = await app.fetch(
      new Request("http://relay/v1/chat/completions", {
        method: "POST",
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }], stream: true }),
      }),
    );
    const text = await response.text();
    equal(text.includes('"content":"Hello"') && text.endsWith("data: [DONE]\n\n"), true, text);
    // The stream's end comes 5 ms after [DONE]: let the relay read it before the next turn.
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  equal(upstream.connections, 1);
});
