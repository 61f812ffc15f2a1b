/**
 * `--log-bodies` logs what the route read: the body limit holds whatever is logged, over
 * real HTTP (a declared size never sent, a chunked upload that never ends), and the logged
 * body is its start with a note of the size, secrets redacted even where the cut falls.
 */
import { streamUpstream } from "../../lib/hub/answer_stream.ts";
import { equal, match, ok } from "node:assert/strict";
import { connect } from "node:net";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import type { RelayEvent } from "../../lib/hub/events.ts";
import { createApp } from "../../lib/server/app.ts";
import { serve } from "../../lib/server/serve.ts";

const upstream = streamUpstream({
  chat: () =>
    Promise.resolve(
      ReadableStream.from<RelayEvent>([{ type: "text", text: "ok" }, { type: "finish", reason: "stop" }]),
    ),
  models: () => Promise.resolve([{ id: "m", ownedBy: "me" }]),
});

/** Sends `head` on a raw socket, then `chunks()` until the relay answers; the status line and the bytes sent. */
function rawRequest(
  port: number,
  head: string,
  chunks: () => Uint8Array | undefined,
): Promise<{ status: string; sent: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let sent = 0;
    let answered = false;
    const timer = setTimeout(() => finish("no answer within 3 s"), 3_000);
    const finish = (status: string) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, sent, ms: performance.now() - started });
    };
    socket.on("error", (error) => answered || reject(error));
    socket.on("data", (data: Uint8Array) => finish(new TextDecoder().decode(data).split("\r\n")[0]));
    socket.on("connect", () => {
      socket.write(head);
      const push = () => {
        while (!answered) {
          const chunk = chunks();
          if (!chunk) return;
          sent += chunk.byteLength;
          if (!socket.write(chunk)) return void socket.once("drain", push);
        }
      };
      push();
    });
  });
}

Deno.test("with --log-bodies the body limit holds: a declared size over it, and a chunked upload that goes on", async () => {
  const app = createApp({ upstream, logBodies: true, maxBodyBytes: 64 * 1024 });
  const server = await serve({ fetch: app.fetch, port: 0 });
  try {
    const declared = await rawRequest(
      server.port,
      "POST /v1/chat/completions HTTP/1.1\r\nhost: relay\r\ncontent-type: application/json\r\n" +
        `content-length: ${11 * 1024 * 1024}\r\n\r\n`,
      (() => {
        let left = 1;
        return () => left-- > 0 ? new Uint8Array(4096).fill(0x20) : undefined;
      })(),
    );
    match(declared.status, /^HTTP\/1\.1 413/, "a declared size over the limit is refused before the body arrives");
    const chunk = new TextEncoder().encode(`4000\r\n${" ".repeat(0x4000)}\r\n`);
    const chunked = await rawRequest(
      server.port,
      "POST /v1/chat/completions HTTP/1.1\r\nhost: relay\r\ncontent-type: application/json\r\n" +
        "transfer-encoding: chunked\r\n\r\n",
      () => chunk,
    );
    match(chunked.status, /^HTTP\/1\.1 413/, "an endless chunked upload is refused");
    ok(chunked.sent < 8 * 1024 * 1024, `refused after ${chunked.sent} bytes, not after everything was read`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a logged body is its start with the whole size noted; a secret across the cut is redacted", async () => {
  await withBodyLog(async (records) => {
    const key = "relay-gateway-key-0123456789abcdef";
    const app = createApp({ upstream, logBodies: true, apiKeys: [key] });
    const padding = "x".repeat(64 * 1024 - 40);
    const body = JSON.stringify({
      model: "m",
      messages: [{ role: "user", content: `${padding}${key} ${"y".repeat(200_000)}` }],
    });
    const response = await app.fetch(
      new Request("http://relay/v1/chat/completions", { method: "POST", headers: { "x-api-key": key }, body }),
    );
    equal(response.status, 200);
    await response.body?.cancel();
    equal(records.length, 1);
    const logged = String(records[0].properties.body);
    ok(logged.length < 64 * 1024 + 100, `logged ${logged.length} characters`);
    ok(logged.endsWith(`… (${body.length} bytes; first 65536 characters logged)`), logged.slice(-80));
    for (let at = 0; at + 8 <= key.length; at++) ok(!logged.includes(key.slice(at, at + 8)), "no part of the key");
    equal(records[0].properties.requestId, response.headers.get("x-request-id"));
  });
});

Deno.test("with --log-bodies a refused body is logged as far as it was read, and a small one whole", async () => {
  await withBodyLog(async (records) => {
    const app = createApp({ upstream, logBodies: true, maxBodyBytes: 2048 });
    const small = JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }] });
    const ok200 = await app.fetch(new Request("http://relay/v1/chat/completions", { method: "POST", body: small }));
    await ok200.body?.cancel();
    const big = new Blob(["{", " ".repeat(4096), "}"]).stream();
    const refused = await app.fetch(
      new Request("http://relay/v1/chat/completions", { method: "POST", body: big, duplex: "half" } as RequestInit),
    );
    equal(refused.status, 413);
    equal(String(records[0].properties.body), small);
    match(String(records[1].properties.body), /… \(\d+ bytes read, then refused; first 65536 characters logged\)$/);
  });
});

/** Runs `check` with the body log's records captured, then restores the default logging. */
async function withBodyLog(check: (records: LogRecord[]) => Promise<void>): Promise<void> {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { capture: (record) => records.push(record) },
    loggers: [{ category: ["cody-relay", "body"], lowestLevel: "info", sinks: ["capture"] }],
  });
  try {
    await check(records);
  } finally {
    await reset();
  }
}
