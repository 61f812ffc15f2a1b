/** The Gemini API front on the wire: mounts under /v1beta and /v1, errors in Google's shape, keys, keep-alives. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { Hono } from "hono";
import { streamUpstream } from "../../lib/hub/answer_stream.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import { geminiRoutes } from "../../lib/server/routes/gemini.ts";
import { startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";
const BODY = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });

function post(url: string, headers: Record<string, string> = { "x-goog-api-key": TOKEN }, body = BODY) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

Deno.test("under /v1 too: generateContent, and GET /v1/models in Google's shape only for Google clients", async () => {
  await using stack = await startStack();
  const answer = await post(`${stack.relayUrl}/v1/models/${SONNET}:generateContent`);
  equal(answer.status, 200);
  match((await answer.json()).candidates[0].content.parts[0].text, /You said: Hi$/);

  const openai = await (await fetch(`${stack.relayUrl}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } }))
    .json();
  equal(openai.object, "list");
  const google = await (await fetch(`${stack.relayUrl}/v1/models`, { headers: { "x-goog-api-key": TOKEN } })).json();
  ok(google.models.some((model: { name: string }) => model.name === `models/${SONNET}`));
  const one = await (await fetch(`${stack.relayUrl}/v1/models/${SONNET}?key=${TOKEN}`)).json();
  equal(one.name, `models/${SONNET}`);
});

Deno.test("errors in Google's shape: unknown model, method, route and unsupported methods", async () => {
  await using stack = await startStack();
  const missing = await fetch(`${stack.relayUrl}/v1beta/models/nope::v1::none`, {
    headers: { "x-goog-api-key": TOKEN },
  });
  equal(missing.status, 404);
  equal((await missing.json()).error.status, "NOT_FOUND");

  const method = await post(`${stack.relayUrl}/v1beta/models/${SONNET}:generateAnswer`);
  equal(method.status, 404);
  deepEqual(Object.keys((await method.json()).error).sort(), ["code", "message", "status"]);

  const embed = await post(`${stack.relayUrl}/v1beta/models/text-embedding-004:embedContent`);
  equal(embed.status, 501);
  equal((await embed.json()).error.status, "UNIMPLEMENTED");

  const route = await fetch(`${stack.relayUrl}/v1beta/files`, { headers: { "x-goog-api-key": TOKEN } });
  equal(route.status, 404);
  equal((await route.json()).error.status, "NOT_FOUND");

  const json = await post(`${stack.relayUrl}/v1beta/models/${SONNET}:generateContent`, undefined, "{nope");
  equal(json.status, 400);
  equal((await json.json()).error.status, "INVALID_ARGUMENT");

  const noKey = await post(`${stack.relayUrl}/v1beta/models/${SONNET}:generateContent`, {});
  equal(noKey.status, 401);
  equal((await noKey.json()).error.status, "UNAUTHENTICATED");
  equal(stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream").length, 0);
});

Deno.test("a percent-encoded model id is decoded", async () => {
  await using stack = await startStack();
  const response = await post(`${stack.relayUrl}/v1beta/models/${encodeURIComponent(SONNET)}:generateContent`);
  equal(response.status, 200);
  equal((await response.json()).modelVersion, SONNET);
});

Deno.test("gateway keys come from x-goog-api-key or ?key=, and a refusal is in Google's shape", async () => {
  await using stack = await startStack({ app: { apiKeys: ["relay-key-one"] }, upstream: { accessToken: TOKEN } });
  const url = `${stack.relayUrl}/v1beta/models/${SONNET}:generateContent`;
  equal((await post(url, { "x-goog-api-key": "relay-key-one" })).status, 200);
  equal((await post(`${url}?key=relay-key-one`, {})).status, 200);
  const refused = await post(url, { "x-goog-api-key": "wrong" });
  equal(refused.status, 401);
  equal((await refused.json()).error.status, "UNAUTHENTICATED");
});

Deno.test("a slow first event: SSE gets keep-alive comments, the JSON array none (it stays valid JSON)", async () => {
  await using stack = await startStack({ app: { keepAliveMs: 100 } });
  const slow = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi [[sim delay_ms=350]]" }] }] });
  const sse =
    await (await post(`${stack.relayUrl}/v1beta/models/${SONNET}:streamGenerateContent?alt=sse`, undefined, slow))
      .text();
  ok(sse.startsWith(": keepalive\n\n"), sse.slice(0, 40));
  match(sse, /"finishReason":"STOP"/);
  const array = await (await post(`${stack.relayUrl}/v1beta/models/${SONNET}:streamGenerateContent`, undefined, slow))
    .text();
  equal(JSON.parse(array).at(-1).candidates[0].finishReason, "STOP");
});

Deno.test("GET models/{id} finds an id whose tag after a colon is all letters (llama3:latest), as generateContent does", async () => {
  const upstream = streamUpstream({
    chat: () =>
      Promise.resolve(
        ReadableStream.from<RelayEvent>([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }]),
      ),
    models: () => Promise.resolve([{ id: "llama3:latest", ownedBy: "ollama" }]),
  });
  const app = new Hono().route("/v1beta", geminiRoutes(upstream));
  const model = await app.request("/v1beta/models/llama3:latest");
  equal(model.status, 200);
  equal((await model.json()).name, "models/llama3:latest");
  const answer = await app.request("/v1beta/models/llama3:latest:generateContent", {
    method: "POST",
    body: JSON.stringify({ contents: [{ parts: [{ text: "Hello" }] }] }),
  });
  equal((await answer.json()).candidates[0].content.parts[0].text, "Hi");
});
