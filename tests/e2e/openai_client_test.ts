/** The real `openai` npm client against the relay and the simulator, over loopback HTTP. */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import OpenAI from "openai";
import { startStack, TOKEN } from "../harness.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

function client(baseURL: string, apiKey = TOKEN): OpenAI {
  return new OpenAI({ baseURL: `${baseURL}/v1`, apiKey, maxRetries: 0 });
}

/** The error a chat request fails with (the assertion fails if it succeeds). */
function chatError(
  baseURL: string,
  extra: Partial<OpenAI.ChatCompletionCreateParams> = {},
  apiKey = TOKEN,
): Promise<InstanceType<typeof OpenAI.APIError>> {
  return client(baseURL, apiKey).chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    ...extra,
  } as OpenAI.ChatCompletionCreateParams).then((answer) => {
    throw new Error(`expected an error, got ${JSON.stringify(answer)}`);
  }, (error) => error);
}

Deno.test("streaming chat: role first, one finish, text as the simulator answers it", async () => {
  await using stack = await startStack();
  const stream = await client(stack.relayUrl).chat.completions.create({
    model: MODEL,
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello <there> & you" }],
    stream: true,
  });
  const chunks = await Array.fromAsync(stream);
  deepEqual(chunks[0].choices[0].delta, { role: "assistant", content: "" });
  equal(new Set(chunks.map((chunk) => chunk.id)).size, 1);
  equal(chunks.filter((chunk) => chunk.choices[0]?.finish_reason).length, 1);
  equal(chunks.at(-1)!.choices[0].finish_reason, "stop");
  ok(chunks.every((chunk) => !chunk.usage), "no usage chunk unless asked");
  const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
  equal(text, `This is the cody-relay simulator answering as ${MODEL}. You said: Hello <there> & you`);
  const upstream = stack.simulator.requests.find((request) => request.path === "/.api/completions/stream")!;
  equal(upstream.apiVersion, "9");
  equal(upstream.clientName, "cody-relay");
  equal(upstream.auth, "token");
  equal(upstream.headers["accept-encoding"], "gzip;q=0");
  match(upstream.headers["x-requested-with"], /^cody-relay \d+\.\d+\.\d+$/);
  deepEqual(upstream.body?.messages, [
    { speaker: "system", text: "Be brief." },
    { speaker: "human", text: "Hello <there> & you" },
  ]);
});

Deno.test("non-streaming chat returns a chat.completion with real usage", async () => {
  await using stack = await startStack();
  const completion = await client(stack.relayUrl).chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    max_completion_tokens: 5,
  });
  equal(completion.object, "chat.completion");
  equal(completion.choices[0].finish_reason, "length");
  equal(completion.choices[0].message.content, "This is the cody-relay simulator");
  deepEqual(completion.usage, { prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 });
  equal(stack.simulator.requests.at(-1)!.body?.maxTokensToSample, 5);
});

Deno.test("stream_options.include_usage adds one usage-only chunk before [DONE]", async () => {
  await using stack = await startStack();
  const stream = await client(stack.relayUrl).chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = await Array.fromAsync(stream);
  const last = chunks.at(-1)!;
  deepEqual(last.choices, []);
  equal(last.usage?.total_tokens, (last.usage?.prompt_tokens ?? 0) + (last.usage?.completion_tokens ?? 0));
  ok((last.usage?.completion_tokens ?? 0) > 0);
});

Deno.test("usage is estimated (and marked) when the upstream reports none", async () => {
  await using stack = await startStack({ simulator: { apiVersion: 4 } });
  const response = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }),
  });
  const body = await response.json();
  equal(response.headers.get("x-cody-relay-usage"), "estimated");
  ok(body.usage.prompt_tokens > 0 && body.usage.completion_tokens > 0, JSON.stringify(body.usage));
});

Deno.test("tools round trip: the strict .stream() helper gets a valid call, then the answer to its result", async () => {
  await using stack = await startStack();
  const openai = client(stack.relayUrl);
  const tools = [{
    type: "function" as const,
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  }];
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
  const first = await openai.chat.completions.stream({ model: MODEL, messages, tools }).finalChatCompletion();
  equal(first.choices[0].finish_reason, "tool_calls");
  const call = first.choices[0].message.tool_calls![0];
  ok(call.type === "function");
  equal(call.function.name, "get_weather");
  deepEqual(JSON.parse(call.function.arguments), { city: "example city" });
  messages.push(first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "18°C and sunny" });
  const second = await openai.chat.completions.create({ model: MODEL, messages, tools });
  equal(second.choices[0].message.content, "The tool returned: 18°C and sunny");
  const sent = stack.simulator.requests.at(-1)!.body!.messages!;
  deepEqual(sent.slice(1), [
    {
      speaker: "assistant",
      content: [{ type: "text", text: "I'll call the get_weather tool." }, {
        type: "tool_call",
        tool_call: { id: call.id, name: "get_weather", arguments: call.function.arguments },
      }],
    },
    { speaker: "human", content: [{ type: "tool_result", tool_result: { id: call.id, content: "18°C and sunny" } }] },
  ]);
});

Deno.test("tools against an instance below api-version 9 are a clear 400, not silently dropped", async () => {
  await using stack = await startStack({ simulator: { apiVersion: 8 } });
  const error = await chatError(stack.relayUrl, { tools: [{ type: "function", function: { name: "f" } }] });
  ok(error instanceof OpenAI.BadRequestError);
  equal(error.param, "tools");
  match(error.message, /api-version 9/);
});

Deno.test("models list: the instance's models, default chat model first", async () => {
  await using stack = await startStack();
  const openai = client(stack.relayUrl);
  const models = await openai.models.list();
  equal(models.data[0].id, MODEL);
  ok(models.data.some((model) => model.id === "google::v1::gemini-2.0-flash"));
  const one = await openai.models.retrieve("google::v1::gemini-2.0-flash");
  equal(one.owned_by, "google");
  await rejects(openai.models.retrieve("nope::v1::none"), OpenAI.NotFoundError);
});

Deno.test("401: no key never reaches the upstream; a bad key gets Sourcegraph's verdict", async () => {
  await using stack = await startStack();
  const noKey = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }),
  });
  equal(noKey.status, 401);
  equal((await noKey.json()).error.type, "authentication_error");
  equal(noKey.headers.get("x-should-retry"), "false");
  equal(stack.simulator.requests.length, 0);

  const bad = "sgp_ffffffffffffffff_ffffffffffffffffffffffffffffffffffffffff";
  const error = await chatError(stack.relayUrl, {}, bad);
  ok(error instanceof OpenAI.AuthenticationError);
  match(error.message, /Invalid access token/);
  ok(!JSON.stringify({ message: error.message, headers: [...error.headers] }).includes(bad), "token not echoed");
});

Deno.test("a server-side SRC_ACCESS_TOKEN serves clients without a key", async () => {
  await using stack = await startStack({ upstream: { accessToken: TOKEN } });
  const completion = await client(stack.relayUrl, "whatever").chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
  });
  equal(completion.choices[0].finish_reason, "stop");
});

Deno.test("429 keeps its status with retry-after and retry-after-ms", async () => {
  await using stack = await startStack();
  stack.simulator.script({ status: 429, retryAfter: 30 });
  const error = await chatError(stack.relayUrl, { stream: true });
  ok(error instanceof OpenAI.RateLimitError, String(error));
  match(error.message, /rate limit/);
  const seconds = Number(error.headers.get("retry-after"));
  ok(seconds >= 28 && seconds <= 31, `retry-after ${seconds}`);
  ok(Math.abs(Number(error.headers.get("retry-after-ms")) - seconds * 1000) <= 1000);
});

Deno.test("upstream 5xx before streaming is a 502 in OpenAI's shape", async () => {
  await using stack = await startStack({ app: { retry: { maxRetries: 0 } } });
  stack.simulator.script({ status: 503, message: "maintenance" });
  const error = await chatError(stack.relayUrl, { stream: true });
  ok(error instanceof OpenAI.InternalServerError);
  equal(error.status, 502);
  match(error.message, /maintenance/);
});

Deno.test("an error event as the first upstream event is an HTTP error, not a 200", async () => {
  await using stack = await startStack({ app: { retry: { maxRetries: 0 } } });
  stack.simulator.script({ errorAfter: 0, message: "Anthropic: unexpected status code 429: concurrency limit" });
  const error = await chatError(stack.relayUrl, { stream: true });
  ok(error instanceof OpenAI.RateLimitError, String(error));
});

Deno.test("a mid-stream error reaches the client as an error, after the text sent so far", async () => {
  await using stack = await startStack();
  stack.simulator.script({ errorAfter: 3, message: "provider overloaded" });
  const stream = await client(stack.relayUrl).chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
  });
  const seen: string[] = [];
  const error = await (async () => {
    for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
  })().catch((error) => error);
  ok(error instanceof OpenAI.APIError, String(error));
  match(error.message, /provider overloaded/);
  equal(seen.join(""), "This is the");
});

for (const fault of [{ dropAfter: 2 }, { truncateAfter: 2 }]) {
  Deno.test(`an upstream that breaks off (${Object.keys(fault)[0]}) is an error, never a clean end`, async () => {
    await using stack = await startStack();
    stack.simulator.script(fault);
    const response = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Hi" }], stream: true }),
    });
    const body = await response.text();
    ok(!body.includes("[DONE]"), body);
    ok(!body.includes('"finish_reason":"stop"'), body);
    match(body.trim().split("\n\n").at(-1)!, /^data: \{"error":\{"message":"[^"]+","type":"server_error"/);
  });
}

Deno.test("client abort reaches the upstream within 100 ms", async () => {
  await using stack = await startStack();
  stack.simulator.script({ paceMs: 20, words: 500 });
  const controller = new AbortController();
  const stream = await client(stack.relayUrl).chat.completions.create(
    { model: MODEL, messages: [{ role: "user", content: "Hi" }], stream: true },
    { signal: controller.signal },
  );
  let chunks = 0;
  await (async () => {
    for await (const _ of stream) if (++chunks === 3) break;
  })();
  const upstream = stack.simulator.requests.find((request) => request.path === "/.api/completions/stream")!;
  const abortedAt = performance.now();
  const outcome = await Promise.race([
    upstream.outcome,
    new Promise((resolve) => setTimeout(() => resolve("still streaming"), 1000)),
  ]);
  equal(outcome, "aborted");
  const elapsed = performance.now() - abortedAt;
  ok(elapsed < 100, `upstream saw the abort after ${elapsed.toFixed(0)} ms`);
});

Deno.test("structured output: response_format json_schema gets JSON matching the schema; json_object gets JSON", async () => {
  await using stack = await startStack();
  const openai = new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
  const schema = {
    type: "object",
    properties: {
      city: { type: "string" },
      days: { type: "integer" },
      mood: { type: "string", enum: ["sunny", "rainy"] },
    },
    required: ["city", "days", "mood"],
  };
  const completion = await openai.chat.completions.create({
    model: "anthropic::2024-10-22::claude-sonnet-4-latest",
    messages: [{ role: "user", content: "Plan a trip" }],
    response_format: { type: "json_schema", json_schema: { name: "trip", schema } },
  });
  const trip = JSON.parse(completion.choices[0].message.content ?? "");
  deepEqual(Object.keys(trip).sort(), ["city", "days", "mood"]);
  equal(typeof trip.days, "number");
  equal(trip.mood, "sunny");
  const [body] = stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream")
    .map((request) => request.body as { messages: { speaker: string; text: string }[] });
  ok(body.messages[0].speaker === "system" && body.messages[0].text.includes('"enum":["sunny","rainy"]'));
  const any = await openai.chat.completions.create({
    model: "anthropic::2024-10-22::claude-sonnet-4-latest",
    messages: [{ role: "user", content: "Any JSON" }],
    response_format: { type: "json_object" },
  });
  JSON.parse(any.choices[0].message.content ?? "");
});
