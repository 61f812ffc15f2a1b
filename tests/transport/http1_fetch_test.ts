import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import net from "node:net";
import { http1Fetch } from "../../lib/transport/http1_fetch.ts";
import { serve } from "../../lib/server/serve.ts";
import OpenAI from "openai";
import { startStack } from "../harness.ts";

async function withServer(
  handler: (request: Request) => Response | Promise<Response>,
  run: (url: string) => Promise<void>,
) {
  const server = await serve({ fetch: handler, port: 0 });
  try {
    await run(server.url);
  } finally {
    await server.shutdown();
  }
}

Deno.test("sends method, headers and body, and answers status and headers", async () => {
  await withServer(
    async (request) =>
      Response.json(
        { method: request.method, auth: request.headers.get("authorization"), body: await request.text() },
        {
          status: 201,
          headers: { "x-upstream": "yes" },
        },
      ),
    async (url) => {
      const response = await http1Fetch(
        new Request(`${url}/x?q=1`, { method: "POST", headers: { authorization: "token t" }, body: "hello" }),
      );
      equal(response.status, 201);
      equal(response.headers.get("x-upstream"), "yes");
      deepEqual(await response.json(), { method: "POST", auth: "token t", body: "hello" });
    },
  );
});

Deno.test("the request head has the Host and Content-Length node:http adds to a header object", async () => {
  // Their order among the head's lines may differ from node:http's own; the lines are the same.
  const lines = (head: string) => head.split("\r\n").sort();
  const heads: string[][] = [];
  const server = net.createServer((socket) => {
    socket.on("data", (data) => {
      heads.push(lines(data.toString().split("\r\n\r\n")[0]));
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as net.AddressInfo;
    const url = new URL(`http://127.0.0.1:${port}/p?q=1`);
    const send = (method: string, headers: Record<string, string>, body?: string) =>
      http1Fetch.send({ url, method, headers, ...(body === undefined ? {} : { body }) }).then((r) => r.text());
    await send("POST", { "content-type": "application/json" }, '{"a":"é"}');
    await send("POST", {});
    await send("GET", { host: "upstream.example" });
    deepEqual(
      heads,
      [
        `POST /p?q=1 HTTP/1.1\r\ncontent-type: application/json\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 10\r\nConnection: keep-alive`,
        `POST /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: keep-alive`,
        "GET /p?q=1 HTTP/1.1\r\nhost: upstream.example\r\nConnection: keep-alive",
      ].map(lines),
    );
  } finally {
    server.close();
  }
});

Deno.test("the HTTP chunks of one socket read arrive as one body chunk", async () => {
  const frames = Array.from({ length: 200 }, (_, index) => `data: ${index}\n\n`);
  await withServer(
    () => new Response(ReadableStream.from(frames.map((frame) => new TextEncoder().encode(frame)))),
    async (url) => {
      const response = await http1Fetch(new Request(url));
      const chunks = await Array.fromAsync(response.body!);
      equal(new TextDecoder().decode(await new Blob(chunks).arrayBuffer()), frames.join(""));
      ok(chunks.length < 20, `200 frames written at once arrived in ${chunks.length} chunks`);
    },
  );
});

Deno.test("gzip bodies are decompressed; unknown encodings are refused", async () => {
  const gzipped = await new Response(
    new Blob(["compressed answer"]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  await withServer((request) =>
    new Response(request.url.endsWith("/br") ? "x" : gzipped, {
      headers: { "content-encoding": request.url.endsWith("/br") ? "br" : "gzip" },
    }), async (url) => {
    equal(await (await http1Fetch(new Request(`${url}/gzip`))).text(), "compressed answer");
    await rejects(http1Fetch(new Request(`${url}/br`)), /unsupported content-encoding: br/);
  });
});

Deno.test("a refused connection rejects with a TypeError, like fetch", async () => {
  const listener = Deno.listen({ port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  await rejects(http1Fetch(new Request(`http://127.0.0.1:${port}/`)), TypeError);
});

Deno.test("a connection reset mid-body errors the body instead of ending it", async () => {
  const server = net.createServer((socket) => {
    socket.once("data", () => {
      socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n");
      setTimeout(() => socket.destroy(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as net.AddressInfo;
    const response = await http1Fetch(new Request(`http://127.0.0.1:${port}/`));
    await rejects(response.text(), /closed before the response ended|connection failed/);
  } finally {
    server.close();
  }
});

Deno.test("aborting the signal destroys the upstream request", async () => {
  let upstreamCancelled!: () => void;
  const cancelled = new Promise<void>((resolve) => upstreamCancelled = resolve);
  await withServer(() =>
    new Response(
      new ReadableStream({
        start: (controller) => controller.enqueue(new TextEncoder().encode("first")),
        cancel: () => upstreamCancelled(),
      }),
    ), async (url) => {
    const controller = new AbortController();
    const response = await http1Fetch(new Request(url, { signal: controller.signal }));
    const reader = response.body!.getReader();
    equal(new TextDecoder().decode((await reader.read()).value), "first");
    controller.abort();
    await cancelled;
    await rejects(http1Fetch(new Request(url, { signal: controller.signal })), /abort/i);
  });
});

Deno.test("the relay also streams with the runtime's fetch as transport", async () => {
  await using stack = await startStack({ upstream: { fetch: (request) => fetch(request) } });
  const openai = new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey: "unused" });
  let text = "";
  for await (
    const chunk of await openai.chat.completions.create({
      model: "anthropic::2024-10-22::claude-sonnet-4-latest",
      messages: [{ role: "user", content: "Hello [[sim words=40 pace_ms=1]]" }],
      stream: true,
    })
  ) text += chunk.choices[0]?.delta.content ?? "";
  equal(text.split(" ").length, 40);
});

Deno.test("a 204 answers a Response without a body", async () => {
  await withServer(() => new Response(null, { status: 204 }), async (url) => {
    const response = await http1Fetch(new Request(url));
    equal(response.status, 204);
    equal(response.body, null);
  });
});
