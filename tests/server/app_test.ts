import { deepEqual, equal, ok } from "node:assert/strict";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { Upstream } from "../../lib/hub/upstream.ts";
import { createApp } from "../../lib/server/app.ts";

const seen: { apiKey?: string }[] = [];
const upstream: Upstream = {
  chat: (_request, context) => {
    seen.push({ apiKey: context.apiKey });
    return Promise.resolve(
      ReadableStream.from<RelayEvent>([{ type: "text", text: "ok" }, { type: "finish", reason: "stop" }]),
    );
  },
  models: () => Promise.resolve([{ id: "m", ownedBy: "me" }]),
};
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

Deno.test("CORS preflight allows the headers browser SDKs send", async () => {
  const response = await app.fetch(
    new Request("http://relay/v1/chat/completions", {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,x-stainless-os",
      },
    }),
  );
  equal(response.status, 204);
  equal(response.headers.get("access-control-allow-origin"), "http://localhost:3000");
  ok(response.headers.get("access-control-allow-headers")?.includes("authorization"));
});
