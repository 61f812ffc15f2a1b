import { equal, ok } from "node:assert/strict";
import { createHttp1Fetch } from "../../lib/transport/http1_fetch.ts";

/** A TCP server that accepts connections and never says a word (a TLS handshake to it never completes). */
function silentServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of held) conn.close();
      await accepting;
    },
  };
}

Deno.test("connect timeout: a TLS handshake that never completes fails as a connection error after the limit", async () => {
  await using server = silentServer();
  const fetch = createHttp1Fetch({ connectTimeoutMs: 200 });
  const started = performance.now();
  const error = await fetch(new Request(`https://127.0.0.1:${server.port}/`)).catch((error) => error);
  const elapsed = performance.now() - started;
  ok(error instanceof TypeError, String(error));
  ok(/not established within 200 ms/.test(error.message), error.message);
  ok(elapsed >= 190 && elapsed < 1_000, `gave up after ${elapsed.toFixed(0)} ms`);
});

Deno.test("connect timeout: an established connection may take longer than the limit to answer", async () => {
  const server = Deno.serve({ port: 0, onListen() {} }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return new Response("slow but connected");
  });
  try {
    const response = await createHttp1Fetch({ connectTimeoutMs: 100 })(
      new Request(`http://127.0.0.1:${server.addr.port}/`),
    );
    equal(await response.text(), "slow but connected");
  } finally {
    await server.shutdown();
  }
});

Deno.test("connects in flight: over maxConnecting a request waits its turn, and the wait is not part of its connect timeout", async () => {
  await using server = silentServer();
  const fetch = createHttp1Fetch({ connectTimeoutMs: 200, maxConnecting: 1 });
  const url = `https://127.0.0.1:${server.port}/`;
  const started = performance.now();
  const failedAfter = (request: Promise<Response>) =>
    request.then(() => Infinity, (error: Error) => {
      ok(/not established within 200 ms/.test(error.message), error.message);
      return performance.now() - started;
    });
  const [first, second] = await Promise.all([
    failedAfter(fetch(new Request(url))),
    failedAfter(fetch(new Request(url))),
  ]);
  ok(first >= 190 && first < 1_000, `the first gave up after ${first.toFixed(0)} ms`);
  ok(second >= first + 190, `the second gave up after ${second.toFixed(0)} ms, its 200 ms counted from its turn`);
});

Deno.test("connects in flight: a request waiting its turn ends when its signal aborts", async () => {
  await using server = silentServer();
  const fetch = createHttp1Fetch({ connectTimeoutMs: 300, maxConnecting: 1 });
  const url = `https://127.0.0.1:${server.port}/`;
  const first = fetch(new Request(url)).catch((error) => error);
  const abort = new AbortController();
  const second = fetch(new Request(url, { signal: abort.signal })).catch((error) => error);
  const started = performance.now();
  abort.abort(new Error("client left"));
  equal((await second).message, "client left");
  ok(performance.now() - started < 150, "it stopped waiting at once");
  ok((await first) instanceof TypeError);
});
