import { deepEqual, equal, ok } from "node:assert/strict";
import { streamUpstream } from "../../lib/hub/answer_stream.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { Hono } from "hono";
import { parseConfig } from "../../lib/cli/config.ts";
import { configuredApp } from "../../lib/cli/relay_app.ts";
import { createApp } from "../../lib/server/app.ts";

const seen: { apiKey?: string }[] = [];
const upstream = streamUpstream({
  chat: (_request, context) => {
    seen.push({ apiKey: context.apiKey });
    return Promise.resolve(
      ReadableStream.from<RelayEvent>([{ type: "text", text: "ok" }, { type: "finish", reason: "stop" }]),
    );
  },
  models: () => Promise.resolve([{ id: "m", ownedBy: "me" }]),
});
const app = createApp({ upstream });
const chat = (path: string, headers: Record<string, string> = {}) =>
  app.fetch(
    new Request(`http://relay${path}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }] }),
    }),
  );

Deno.test("routes answer with and without /v1, with // and trailing slashes and query strings", async () => {
  for (
    const path of [
      "/v1/chat/completions",
      "/chat/completions",
      "//v1//chat/completions/",
      "/v1/chat/completions?beta=true",
    ]
  ) {
    const response = await chat(path);
    equal(response.status, 200, path);
    equal((await response.json()).choices[0].message.content, "ok");
  }
  equal((await app.fetch(new Request("http://relay/models"))).status, 200);
  deepEqual(await (await app.fetch(new Request("http://relay/health"))).json(), { status: "ok" });
});

Deno.test("every response carries x-request-id; unknown routes are 404 in OpenAI's shape", async () => {
  const response = await app.fetch(new Request("http://relay/v1/embeddings", { method: "POST" }));
  equal(response.status, 404);
  ok(response.headers.get("x-request-id")?.startsWith("req_"));
  equal((await response.json()).error.type, "not_found_error");
});

Deno.test("streamed answers carry their own x-request-id too, whether whole at once or streamed over time", async () => {
  const slow = createApp({
    upstream: streamUpstream({
      chat: () =>
        Promise.resolve(
          new ReadableStream<RelayEvent>({
            async start(controller) {
              controller.enqueue({ type: "text", text: "one" });
              await new Promise((resolve) => setTimeout(resolve, 20));
              controller.enqueue({ type: "finish", reason: "stop" });
              controller.close();
            },
          }),
        ),
      models: () => Promise.resolve([]),
    }),
  });
  const ids = new Set<string>();
  for (const target of [app, slow, app, slow]) {
    const response = await target.fetch(
      new Request("http://relay/v1/chat/completions", {
        method: "POST",
        body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }], stream: true }),
      }),
    );
    const id = response.headers.get("x-request-id") ?? "";
    ok(id.startsWith("req_"), `x-request-id: ${id}`);
    ids.add(id);
    ok((await response.text()).endsWith("data: [DONE]\n\n"));
  }
  equal(ids.size, 4);
});

Deno.test("the client key comes from Bearer, token, x-api-key or api-key; placeholders count as none", async () => {
  seen.length = 0;
  for (
    const headers of [
      { authorization: "Bearer k1" },
      { authorization: "token k2" },
      { "x-api-key": "k3" },
      { "api-key": "k4" },
      { authorization: "Bearer undefined" },
      { authorization: "Bearer " },
    ] as Record<string, string>[]
  ) await (await chat("/v1/chat/completions", headers)).body?.cancel();
  deepEqual(seen.map((entry) => entry.apiKey), ["k1", "k2", "k3", "k4", undefined, undefined]);
});

Deno.test("malformed JSON is a 400 quoting the parser", async () => {
  const response = await app.fetch(
    new Request("http://relay/v1/chat/completions", { method: "POST", body: '{"model":' }),
  );
  equal(response.status, 400);
  const { error } = await response.json();
  ok(error.message.startsWith("The request body is not valid JSON:"), error.message);
  equal(response.headers.get("x-should-retry"), "false");
});

function preflight(relay: { fetch(request: Request): Response | Promise<Response> }, origin: string) {
  return relay.fetch(
    new Request("http://relay/v1/chat/completions", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,x-api-key,anthropic-version,x-stainless-os",
      },
    }),
  );
}

Deno.test("CORS with --cors: preflight 204 echoing the requested headers, for allowed origins only", async () => {
  const relay = createApp({ upstream, corsOrigins: ["http://localhost:3000"] });
  const response = await preflight(relay, "http://localhost:3000");
  equal(response.status, 204);
  equal(response.headers.get("access-control-allow-origin"), "http://localhost:3000");
  const allowed = response.headers.get("access-control-allow-headers") ?? "";
  ok(["authorization", "x-api-key", "anthropic-version", "x-stainless-os"].every((name) => allowed.includes(name)));
  const other = await preflight(relay, "https://evil.example");
  equal(other.headers.get("access-control-allow-origin"), null);
  const any = await preflight(createApp({ upstream, corsOrigins: ["*"] }), "https://app.example");
  equal(any.headers.get("access-control-allow-origin"), "https://app.example");
});

Deno.test("CORS is off by default: no allow-origin header for a browser origin", async () => {
  const response = await preflight(app, "http://localhost:3000");
  equal(response.headers.get("access-control-allow-origin"), null);
});

Deno.test("every route of the relay (console included) fits Hono's RegExpRouter", async () => {
  // One path pattern with two parameter names (say /v1/models/:id and /v1/models/:target) makes Hono route every
  // request through its trie router, which allocates per request.
  const { app } = await configuredApp(parseConfig([], {}), new AbortController().signal);
  equal((await app.fetch(new Request("http://relay/health"))).status, 200);
  equal((app as unknown as Hono).router.name, "SmartRouter + RegExpRouter");
});
