import { deepEqual, equal } from "node:assert/strict";
import { http1Fetch } from "../../lib/transport/http1_fetch.ts";
import { outgoingHeaders, sendOutgoing } from "../../lib/transport/outgoing_request.ts";
import { serve } from "../../lib/server/serve.ts";

/** What the upstream received: method, path, the headers that matter, the body and its declared length. */
async function received(request: Request) {
  const body = await request.text();
  return Response.json({
    method: request.method,
    path: new URL(request.url).pathname,
    authorization: request.headers.get("authorization"),
    contentType: request.headers.get("content-type"),
    contentLength: request.headers.get("content-length"),
    body,
  });
}

Deno.test("http1Fetch.send sends what a Request of the same values sends", async () => {
  const server = await serve({ fetch: received, port: 0 });
  try {
    const values = {
      url: new URL(`${server.url}/stream?q=1`),
      method: "POST",
      headers: outgoingHeaders({ Authorization: "token t", "Content-Type": "application/json" }),
      body: '{"text":"héllo"}',
    };
    const direct = await (await sendOutgoing(http1Fetch, values)).json();
    const viaRequest = await (await sendOutgoing((request) => http1Fetch(request), values)).json();
    deepEqual(direct, viaRequest);
    deepEqual(direct, {
      method: "POST",
      path: "/stream",
      authorization: "token t",
      contentType: "application/json",
      contentLength: String(new TextEncoder().encode('{"text":"héllo"}').length),
      body: '{"text":"héllo"}',
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("outgoing headers hold what a Headers of the same record holds", () => {
  const record = { Accept: "text/event-stream ", accept: " application/json", "X-Requested-With": "\tcody-relay" };
  const headers: Record<string, string> = {};
  new Headers(record).forEach((value, name) => headers[name] = value);
  deepEqual(outgoingHeaders(record), headers);
  equal(outgoingHeaders(record).accept, "text/event-stream, application/json");
});
