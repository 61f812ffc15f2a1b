/** llama.cpp's native endpoints as coLLaMA and Continue's llama.cpp provider use them, over raw HTTP. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

function post(url: string, body: unknown, authorization = `token ${TOKEN}`) {
  return fetch(url, {
    method: "POST",
    headers: { authorization, "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(body),
  });
}

function events(text: string) {
  return text.split("\n\n").filter(Boolean).map((event) => {
    ok(event.startsWith("data: ") && !event.includes("\n"), `one single-line data event: ${event}`);
    return JSON.parse(event.slice("data: ".length));
  });
}

Deno.test("coLLaMA chat: messages[{speaker}] beside a rendered prompt; llama.cpp SSE, final stop event, no [DONE]", async () => {
  await using stack = await startStack();
  const response = await post(`${stack.relayUrl}/completion`, {
    temperature: 0.6,
    maxTokensToSample: 400,
    top_k: 20,
    top_p: 0.85,
    stream: true,
    n_predict: 400,
    messages: [{ speaker: "human", text: "Hello there" }],
    prompt: "### Instruction:\nHello there\n\n### Response:",
    stopSequences: ["### Instruction"],
  });
  equal(response.headers.get("content-type"), "text/event-stream");
  const body = await response.text();
  ok(!body.includes("[DONE]"));
  const all = events(body);
  equal(
    all.slice(0, -1).map((event) => event.content).join(""),
    "This is the cody-relay simulator answering as " + SONNET + ". You said: Hello there",
  );
  ok(all.slice(0, -1).every((event) => event.stop === false));
  deepEqual({ content: all.at(-1).content, stop: all.at(-1).stop, stop_type: all.at(-1).stop_type }, {
    content: "",
    stop: true,
    stop_type: "eos",
  });
  const upstream = stack.simulator.requests.find((request) => request.path === "/.api/completions/stream")!;
  deepEqual(upstream.body?.messages, [{ speaker: "human", text: "Hello there" }]);
});

Deno.test("coLLaMA autocomplete (stream:false): {content, stop:true} JSON", async () => {
  await using stack = await startStack();
  const response = await post(`${stack.relayUrl}/completion`, {
    messages: [{ speaker: "human", text: "Complete: const x" }],
    maxTokensToSample: 60,
    stopSequences: ["\n\n"],
    prompt: "Complete: const x",
    n_predict: 60,
    stream: false,
  });
  equal(response.headers.get("content-type"), "application/json");
  const body = await response.json();
  equal(body.stop, true);
  equal(typeof body.content, "string");
  ok(body.content.length > 0);
});

Deno.test("coLLaMA autocomplete: a FIM prompt in messages and prompt, model fireworks/starcoder-7b → code endpoint, only the middle", async () => {
  await using stack = await startStack();
  const fim = "<fim_prefix>function add(a, b) {\n  <fim_suffix>\n}\n<fim_middle>";
  const response = await post(`${stack.relayUrl}/completion`, {
    model: "fireworks/starcoder-7b",
    messages: [{ speaker: "human", text: fim }],
    maxTokensToSample: 60,
    temperature: 0.2,
    stopSequences: ["\n\n"],
    timeoutMs: 7000,
    prompt: fim,
    n_predict: 60,
    stream: false,
  });
  equal(response.status, 200);
  equal((await response.json()).content, '[middle after "function add(a, b) {" before "}"]');
  const upstream = stack.simulator.requests.find((request) => request.path === "/.api/completions/code");
  ok(upstream, "the relay asked Cody's code-completion endpoint");
  equal(upstream.body?.model, "fireworks::v1::deepseek-coder-v2-lite-base", "the instance's default code model");
  ok(!stack.simulator.requests.some((request) => request.path === "/.api/completions/stream"), "not the chat endpoint");
  // The FIM prompt only in the last human message (no prompt field) is recognised too.
  const messagesOnly = await post(`${stack.relayUrl}/completion`, {
    model: "fireworks/starcoder",
    messages: [{ speaker: "human", text: fim }],
  });
  equal((await messagesOnly.json()).content, '[middle after "function add(a, b) {" before "}"]');
});

Deno.test("/infill takes input_prefix and input_suffix and returns only the middle", async () => {
  await using stack = await startStack();
  const response = await post(`${stack.relayUrl}/infill`, {
    input_prefix: "function add(a, b) {\n  ",
    input_suffix: "\n}\n",
    n_predict: 64,
  }, `Bearer ${TOKEN}`);
  const body = await response.json();
  equal(body.content, '[middle after "function add(a, b) {" before "}"]');
  ok(stack.simulator.requests.some((request) => request.path === "/.api/completions/code"));
});

Deno.test("a long answer continues across a seam through /completion", async () => {
  await using stack = await startStack({ simulator: { maxOutputTokens: 12 } });
  const response = await post(`${stack.relayUrl}/completion`, {
    messages: [{ speaker: "human", text: "[[sim words=40]] story" }],
    n_predict: 500,
    stream: true,
  });
  const all = events(await response.text());
  equal(all.slice(0, -1).map((event) => event.content).join("").split(" ").length, 40);
  equal(all.at(-1).stop, true);
});

Deno.test("health, props, and errors in llama.cpp's shape with an integer code", async () => {
  await using stack = await startStack();
  deepEqual(await (await fetch(`${stack.relayUrl}/health`)).json(), { status: "ok" });
  deepEqual(await (await fetch(`${stack.relayUrl}/v1/health`)).json(), { status: "ok" });
  equal((await (await fetch(`${stack.relayUrl}/props`)).json()).total_slots, 1);
  const unauthorized = await post(`${stack.relayUrl}/completion`, { prompt: "Hi" }, "token sgp_wrong");
  equal(unauthorized.status, 401);
  const { error } = await unauthorized.json();
  equal(error.code, 401);
  equal(error.type, "authentication_error");
  const limited = await post(`${stack.relayUrl}/completion`, { prompt: "Hi [[sim status=429 retry_after=90]]" });
  equal(limited.status, 429);
  equal(limited.headers.get("retry-after"), "90", "coLLaMA reads retry-after on 429");
  equal((await limited.json()).error.type, "rate_limit_error");
  const invalid = await post(`${stack.relayUrl}/completion`, { prompt: 5 });
  equal(invalid.status, 400);
  equal((await invalid.json()).error.code, 400);
});
