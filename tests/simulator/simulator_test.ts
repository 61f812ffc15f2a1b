/** The simulator reproduces the wire details of cody-protocol.md. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createSimulator } from "../../lib/simulator/simulator.ts";

const TOKEN = "sgp_local_0123456789abcdef0123456789abcdef01234567";
const simulator = createSimulator({ accessTokens: [TOKEN] });

function post(query: string, body: unknown, headers: Record<string, string> = { authorization: `token ${TOKEN}` }) {
  return simulator.fetch(
    new Request(`http://sim/.api/completions/stream${query}`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

const hello = { messages: [{ speaker: "human", text: "Hi <you>" }], maxTokensToSample: 4 };

Deno.test("auth: unknown token, Bearer (ignored off dotcom), nothing", async () => {
  for (
    const [headers, text] of [
      [{ authorization: "token sgp_wrong" }, "Invalid access token.\n"],
      [{ authorization: `Bearer ${TOKEN}` }, "cody is not enabled: not authenticated\n"],
      [{}, "cody is not enabled: not authenticated\n"],
    ] as const
  ) {
    const response = await post("?api-version=9", hello, headers);
    equal(response.status, 401);
    equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    equal(await response.text(), text);
  }
  const cookie = await post("?api-version=9", hello, { cookie: "sgs=session", "x-requested-with": "t 1" });
  equal(cookie.status, 200);
  await cookie.body?.cancel();
});

Deno.test("api-version: explicit 0 and unknown versions are 406", async () => {
  for (const version of ["0", "10", "x"]) {
    const response = await post(`?api-version=${version}`, hello);
    equal(response.status, 406);
    equal(await response.text(), "Unsupported API Version (Please update your client)\n");
  }
});

Deno.test("legacy and v1: cumulative completion with empty stopReason until the last frame; then done", async () => {
  for (const query of ["", "?api-version=1"]) {
    const text = await (await post(query, hello)).text();
    const events = text.trim().split("\n\n");
    equal(events[0], 'event: completion\ndata: {"completion":"This","stopReason":""}');
    equal(events[1], 'event: completion\ndata: {"completion":"This is","stopReason":""}');
    equal(events.at(-2), 'event: completion\ndata: {"completion":"This is the cody-relay","stopReason":"max_tokens"}');
    equal(events.at(-1), "event: done\ndata: {}");
  }
});

Deno.test("v5: deltas, then a final frame with model, stopReason and usage", async () => {
  const events = (await (await post("?api-version=5", hello)).text()).trim().split("\n\n");
  equal(events[0], 'event: completion\ndata: {"deltaText":"This"}');
  const final = JSON.parse(events.at(-2)!.split("data: ")[1]);
  deepEqual(final, {
    model: "claude-sonnet-4-20250514",
    stopReason: "max_tokens",
    usage: { completion_tokens: 4, prompt_tokens: 3, total_tokens: 7, credits: 1 },
  });
});

Deno.test("Go-style escaping of <, > and &", async () => {
  const text = await (await post("?api-version=9", { messages: [{ speaker: "human", text: "<a&b>" }] })).text();
  ok(text.includes("\\u003ca\\u0026b\\u003e"), text);
  ok(!/[<>&]/.test(text.replaceAll("event: ", "")), "no raw <, >, &");
});

Deno.test("stopSequences cut the answer with stop_sequence", async () => {
  const events = (await (await post("?api-version=9", {
    messages: [{ speaker: "human", text: "Hi" }],
    stopSequences: ["cody-relay"],
  })).text()).trim().split("\n\n");
  const text = events.slice(0, -2).map((event) => JSON.parse(event.split("data: ")[1]).deltaText).join("");
  equal(text, "This is the ");
  match(events.at(-2)!, /"stopReason":"stop_sequence"/);
});

Deno.test("non-streaming answers are JSON served as text/plain", async () => {
  const response = await post("?api-version=9", { ...hello, stream: false });
  equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
  const body = JSON.parse(await response.text());
  equal(body.completion, "This is the cody-relay");
  equal(body.stopReason, "max_tokens");
});

Deno.test("unknown models and bad JSON are 400s with Sourcegraph's texts", async () => {
  const model = await post("?api-version=9", { ...hello, model: "x::y::z" });
  equal(model.status, 400);
  match(
    await model.text(),
    /^unsupported chat model "x::y::z" \(default "anthropic::2024-10-22::claude-sonnet-4-latest"\)/,
  );
  const json = await post("?api-version=9", "{nope");
  equal(json.status, 400);
  equal(await json.text(), "could not decode request body\n");
});

Deno.test("429 fault: RFC 1123 retry-after and rate-limit headers", async () => {
  simulator.script({ status: 429, retryAfter: 60 });
  const response = await post("?api-version=9", hello);
  equal(response.status, 429);
  const reset = Date.parse(response.headers.get("retry-after")!);
  ok(Math.abs(reset - Date.now() - 60_000) < 2000);
  equal(response.headers.get("x-ratelimit-remaining"), "0");
  match(await response.text(), /you exceeded the rate limit for chat_completions/);
});

Deno.test("error fault: event error then done, with HTTP 200; directives work from the prompt", async () => {
  const response = await post("?api-version=9", {
    messages: [{ speaker: "human", text: 'Hi [[sim error_after=1 message="boom"]]' }],
  });
  equal(response.status, 200);
  const events = (await response.text()).trim().split("\n\n");
  deepEqual(events.slice(1), ['event: error\ndata: {"error":"boom"}', "event: done\ndata: {}"]);
});

Deno.test("tools at v9: a text frame, a call with id and name, fragments, stopReason tool_use", async () => {
  const response = await post("?api-version=9", {
    messages: [{ speaker: "human", text: "Go" }],
    tools: [{ type: "function", function: { name: "read", parameters: { properties: { path: { type: "string" } } } } }],
  });
  const frames = (await response.text()).trim().split("\n\n").slice(0, -1).map((event) =>
    JSON.parse(event.split("data: ")[1])
  );
  const calls = frames.flatMap((frame) => frame.delta_tool_calls ?? []);
  equal(calls[0].function.name, "read");
  ok(calls[0].id.startsWith("toolu_"));
  ok(calls.slice(1).every((call: { id: string }) => call.id === ""));
  deepEqual(JSON.parse(calls.map((call: { function: { arguments: string } }) => call.function.arguments).join("")), {
    path: "example path",
  });
  equal(frames.at(-1).stopReason, "tool_use");
});

Deno.test("client-config, model catalog and the OpenAI-style model list", async () => {
  const config = await (await simulator.fetch(new Request("http://sim/.api/client-config"))).json();
  equal(config.latestSupportedCompletionsStreamAPIVersion, 9);
  const catalog = JSON.parse(
    await (await simulator.fetch(new Request("http://sim/.api/modelconfig/supported-models.json"))).text(),
  );
  equal(catalog.defaultModels.chat, "anthropic::2024-10-22::claude-sonnet-4-latest");
  const list = await (await simulator.fetch(new Request("http://sim/.api/llm/models"))).json();
  equal(list.object, "list");
  equal(list.data.length, catalog.models.length);
  const old = createSimulator({ clientConfig: false });
  equal((await old.fetch(new Request("http://sim/.api/client-config"))).status, 404);
});

Deno.test("the request log never keeps the credential", () => {
  const logged = JSON.stringify(simulator.requests);
  ok(!logged.includes(TOKEN));
  ok(simulator.requests.length > 0);
});
