/**
 * The OpenAI-compatible upstream end to end: real clients → the relay → an OpenAI-style
 * server (the simulator's OpenAI protocol) over loopback HTTP.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { type OpenAICompatibleOptions, OpenAICompatibleUpstream } from "../../lib/openai_compatible/upstream.ts";
import { type AppOptions, createApp } from "../../lib/server/app.ts";
import { serve } from "../../lib/server/serve.ts";
import { createSimulator, type SimulatorOptions } from "../../lib/simulator/simulator.ts";

const KEY = "sk-upstream-0123456789";
const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

async function openAIStack(
  upstream: Partial<OpenAICompatibleOptions> = {},
  simulatorOptions: SimulatorOptions = {},
  app: Partial<Omit<AppOptions, "upstream">> = {},
) {
  const simulator = createSimulator({ accessTokens: [KEY], ...simulatorOptions });
  const server = await serve({ fetch: simulator.fetch, port: 0 });
  const relay = await serve({
    fetch: createApp({
      upstream: new OpenAICompatibleUpstream({ baseUrl: `${server.url}/v1`, apiKey: KEY, ...upstream }),
      retry: { baseDelayMs: 10 },
      ...app,
    }).fetch,
    port: 0,
  });
  return {
    simulator,
    openai: new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "client-key", maxRetries: 0 }),
    relayUrl: relay.url,
    async [Symbol.asyncDispose]() {
      await Promise.all([relay.shutdown(), server.shutdown()]);
    },
  };
}

Deno.test("streamed chat with usage: the server's answer and token counts, its key sent, the client's not", async () => {
  await using stack = await openAIStack();
  const stream = await stack.openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = await Array.fromAsync(stream);
  const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
  equal(text, `This is the cody-relay simulator answering as ${MODEL}. You said: Hello`);
  equal(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason, "stop");
  ok((chunks.at(-1)!.usage?.completion_tokens ?? 0) > 0);
  const sent = stack.simulator.requests.at(-1)!;
  equal(sent.auth, "token", "the server's key was accepted");
  deepEqual((sent.body as { messages?: unknown }).messages, [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hello" },
  ]);
});

Deno.test("models come from the server's /models", async () => {
  await using stack = await openAIStack();
  const models = await stack.openai.models.list();
  ok(models.data.some((model) => model.id === MODEL));
});

Deno.test("tools round trip: a valid call through the strict stream helper, then the answer to its result", async () => {
  await using stack = await openAIStack();
  const tools = [{
    type: "function" as const,
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  }];
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather?" }];
  const first = await stack.openai.chat.completions.stream({ model: MODEL, messages, tools }).finalChatCompletion();
  equal(first.choices[0].finish_reason, "tool_calls");
  const call = first.choices[0].message.tool_calls![0];
  ok(call.type === "function");
  deepEqual(JSON.parse(call.function.arguments), { city: "example city" });
  messages.push(first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "rain" });
  const second = await stack.openai.chat.completions.create({ model: MODEL, messages, tools });
  equal(second.choices[0].message.content, "The tool returned: rain");
});

Deno.test("an answer cut by the server's output cap is continued into one answer", async () => {
  await using stack = await openAIStack({}, { maxOutputTokens: 15 }, { maxContinuations: 8 });
  const completion = await stack.openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Tell me more [[sim words=60]]" }],
  });
  equal(completion.choices[0].finish_reason, "stop");
  equal(completion.choices[0].message.content!.split(" ").length, 60);
  ok(stack.simulator.requests.filter((request) => request.body).length >= 4);
});

Deno.test("the Anthropic SDK through the relay to an OpenAI-style server", async () => {
  await using stack = await openAIStack();
  const anthropic = new Anthropic({ baseURL: stack.relayUrl, apiKey: "client-key", maxRetries: 0 });
  const message = await anthropic.messages.create({
    model: MODEL,
    max_tokens: 100,
    messages: [{ role: "user", content: "Hi" }],
  });
  match((message.content[0] as { text: string }).text, /You said: Hi$/);
  equal(message.stop_reason, "end_turn");
});

Deno.test("errors keep their status and message: 401, unknown model, 429 with retry-after, mid-stream error", async () => {
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error) => error);
  {
    await using stack = await openAIStack({ apiKey: "sk-wrong" });
    const error = await failure(
      stack.openai.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }),
    );
    ok(error instanceof OpenAI.AuthenticationError, String(error));
    match(error.message, /Incorrect API key/);
  }
  await using stack = await openAIStack();
  const unknown = await failure(
    stack.openai.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "Hi" }] }),
  );
  ok(unknown instanceof OpenAI.NotFoundError, String(unknown));
  const limited = await failure(stack.openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi [[sim status=429 retry_after=90]]" }],
  }));
  ok(limited instanceof OpenAI.RateLimitError, String(limited));
  equal(limited.headers.get("retry-after"), "90");
  const stream = await stack.openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: 'Hi [[sim words=30 error_after=3 message="gpu fell over"]]' }],
    stream: true,
  });
  match(String(await failure(Array.fromAsync(stream))), /gpu fell over/);
});

Deno.test("a server stream that ends without finish_reason is an error, not a clean finish", async () => {
  await using stack = await openAIStack();
  const cut = await stack.openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi [[sim words=30 truncate_after=3]]" }],
    stream: true,
  });
  const error = await Array.fromAsync(cut).then(() => undefined, (error) => error);
  match(String(error), /before the answer finished/);
});

Deno.test("a client abort reaches the OpenAI-style server within 100 ms", async () => {
  await using stack = await openAIStack();
  const stream = await stack.openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi [[sim words=300 pace_ms=20]]" }],
    stream: true,
  });
  const iterator = stream[Symbol.asyncIterator]();
  await iterator.next();
  const upstream = stack.simulator.requests.find((request) => request.path === "/v1/chat/completions")!;
  const abortedAt = performance.now();
  void iterator.return?.();
  equal(
    await Promise.race([upstream.outcome, new Promise((resolve) => setTimeout(resolve, 1000, "running"))]),
    "aborted",
  );
  ok(performance.now() - abortedAt < 100);
});

Deno.test("a server that answers a streamed request with one JSON body: its text, tool calls and usage arrive", async () => {
  const simulator = createSimulator({ accessTokens: [KEY] });
  // A proxy that turns every request into a non-streamed one, as some servers and gateways do.
  const server = await serve({
    port: 0,
    async fetch(request) {
      if (request.method !== "POST") return simulator.fetch(request);
      const body = { ...await request.json(), stream: false, stream_options: undefined };
      return simulator.fetch(
        new Request(request.url, { method: "POST", headers: request.headers, body: JSON.stringify(body) }),
      );
    },
  });
  const relay = await serve({
    fetch: createApp({ upstream: new OpenAICompatibleUpstream({ baseUrl: `${server.url}/v1`, apiKey: KEY }) }).fetch,
    port: 0,
  });
  const openai = new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "client-key", maxRetries: 0 });
  try {
    const chunks = await Array.fromAsync(
      await openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "Hello" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    equal(
      chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""),
      `This is the cody-relay simulator answering as ${MODEL}. You said: Hello`,
    );
    ok((chunks.at(-1)!.usage?.completion_tokens ?? 0) > 0);
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } }];
    const called = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Weather?" }],
      tools,
    });
    equal(called.choices[0].finish_reason, "tool_calls");
    equal(
      called.choices[0].message.tool_calls?.[0].type === "function" &&
        called.choices[0].message.tool_calls[0].function.name,
      "get_weather",
    );
    equal(simulator.requests.filter((request) => request.path === "/v1/chat/completions").length, 2);
  } finally {
    await Promise.all([relay.shutdown(), server.shutdown()]);
  }
});
