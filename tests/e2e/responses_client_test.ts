/** The real `openai` npm client's Responses API (`client.responses`) against the relay and the simulator. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { startStack, TOKEN } from "../harness.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
const ANSWER = (said: string) => `This is the cody-relay simulator answering as ${MODEL}. You said: ${said}`;

function client(baseURL: string, apiKey = TOKEN): OpenAI {
  return new OpenAI({ baseURL: `${baseURL}/v1`, apiKey, maxRetries: 0 });
}

/** The error a promise fails with (the assertion fails if it succeeds). */
function failure(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  return promise.then((value) => {
    throw new Error(`expected an error, got ${JSON.stringify(value)}`);
  }, (error) => error);
}

const weather: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

Deno.test("responses.create: a completed response whose output_text is the answer, with usage", async () => {
  await using stack = await startStack();
  const response = await client(stack.relayUrl).responses.create({
    model: MODEL,
    instructions: "Be brief.",
    input: "Hello <there> & you",
    metadata: { run: "1" },
  });
  equal(response.object, "response");
  match(response.id, /^resp_/);
  equal(response.status, "completed");
  equal(response.model, MODEL);
  equal(response.output_text, ANSWER("Hello <there> & you"));
  equal(response.output.length, 1);
  const [message] = response.output;
  ok(message.type === "message" && message.role === "assistant" && message.status === "completed");
  equal(response.instructions, "Be brief.");
  deepEqual(response.metadata, { run: "1" });
  ok(response.usage!.input_tokens > 0 && response.usage!.output_tokens > 0);
  equal(response.usage!.total_tokens, response.usage!.input_tokens + response.usage!.output_tokens);
  equal(response.usage!.input_tokens_details.cached_tokens, 0);
  const upstream = stack.simulator.requests.find((request) => request.path === "/.api/completions/stream")!;
  deepEqual(upstream.body?.messages, [
    { speaker: "system", text: "Be brief." },
    { speaker: "human", text: "Hello <there> & you" },
  ]);
});

Deno.test("responses.stream: the whole event sequence, increasing sequence numbers, a final response", async () => {
  await using stack = await startStack();
  const stream = client(stack.relayUrl).responses.stream({ model: MODEL, input: "Stream this" });
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  let deltas = "";
  stream.on("response.output_text.delta", (event) => void (deltas += event.delta));
  for await (const event of stream) events.push(event);
  const final = await stream.finalResponse();
  equal(final.output_text, ANSWER("Stream this"));
  equal(deltas, ANSWER("Stream this"));
  const types = events.map((event) => event.type);
  deepEqual(types.slice(0, 4), [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
  ]);
  deepEqual(types.slice(-4), [
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
  ]);
  deepEqual(events.map((event) => event.sequence_number), events.map((_, index) => index));
  const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
  equal(completed.response.status, "completed");
  equal(completed.response.id, final.id);
  ok(completed.response.usage!.output_tokens > 0);
});

Deno.test("a follow-up by previous_response_id continues the stored conversation; retrieve, input_items and delete", async () => {
  await using stack = await startStack();
  const openai = client(stack.relayUrl);
  const first = await openai.responses.create({ model: MODEL, instructions: "Be brief.", input: "My name is Ada." });
  const second = await openai.responses.create({
    model: MODEL,
    previous_response_id: first.id,
    input: [{ role: "user", content: "What is my name?" }],
  });
  equal(second.output_text, ANSWER("What is my name?"));
  equal(second.previous_response_id, first.id);
  const upstream = stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream");
  deepEqual(upstream[1].body?.messages, [
    { speaker: "human", text: "My name is Ada." },
    { speaker: "assistant", text: ANSWER("My name is Ada.") },
    { speaker: "human", text: "What is my name?" },
  ], "the history, without the first request's instructions");
  const retrieved = await openai.responses.retrieve(second.id);
  equal(retrieved.output_text, second.output_text);
  const items = await openai.responses.inputItems.list(second.id, { order: "asc" });
  deepEqual(items.data.map((item) => item.type === "message" ? item.role : item.type), ["user", "assistant", "user"]);
  ok(items.data.every((item) => item.id));
  const newest = await openai.responses.inputItems.list(second.id, { limit: 1 });
  deepEqual([newest.data.map((item) => item.id), newest.has_more], [[items.data[2].id], true], "newest first");
  const after = await openai.responses.inputItems.list(second.id, { order: "asc", after: items.data[0].id });
  deepEqual(after.data.map((item) => item.id), [items.data[1].id, items.data[2].id]);
  equal(after.has_more, false);
  // Another key does not see it.
  const stranger = await failure(client(stack.relayUrl, "sgp_0000000000000000_stranger").responses.retrieve(second.id));
  equal(stranger.status, 404);
  const deleted = await openai.responses.delete(second.id).then(() => true);
  ok(deleted);
  equal((await failure(openai.responses.retrieve(second.id))).status, 404);
  const gone = await failure(openai.responses.create({ model: MODEL, previous_response_id: second.id, input: "Hi" }));
  equal(gone.status, 400, "as OpenAI answers: clients retry without previous_response_id on a 400 with this code");
  equal(gone.type, "invalid_request_error");
  equal(gone.code, "previous_response_not_found");
  equal(gone.param, "previous_response_id");
});

Deno.test("store: false keeps nothing", async () => {
  await using stack = await startStack();
  const openai = client(stack.relayUrl);
  const response = await openai.responses.create({ model: MODEL, input: "Forget me", store: false });
  equal((await failure(openai.responses.retrieve(response.id))).status, 404);
  const error = await failure(
    openai.responses.create({ model: MODEL, previous_response_id: response.id, input: "Hi" }),
  );
  equal(error.code, "previous_response_not_found");
});

Deno.test("a function tool round trip: function_call, then its output by previous_response_id, then text", async () => {
  await using stack = await startStack();
  const openai = client(stack.relayUrl);
  const first = await openai.responses.create({ model: MODEL, input: "Weather in Paris?", tools: [weather] });
  const call = first.output.find((item) => item.type === "function_call");
  ok(call?.type === "function_call", JSON.stringify(first.output));
  equal(call.name, "get_weather");
  deepEqual(JSON.parse(call.arguments), { city: "example city" });
  match(call.call_id, /^toolu_sim_/);
  const second = await openai.responses.create({
    model: MODEL,
    previous_response_id: first.id,
    tools: [weather],
    input: [{ type: "function_call_output", call_id: call.call_id, output: "sunny, 21 °C" }],
  });
  equal(second.output_text, "The tool returned: sunny, 21 °C");
  // The same turn streamed, the conversation sent whole (as Codex does, with store: false).
  const stream = openai.responses.stream({
    model: MODEL,
    store: false,
    tools: [weather],
    input: [
      { role: "user", content: "Weather in Paris?" },
      { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments },
      { type: "function_call_output", call_id: call.call_id, output: "rainy" },
    ],
  });
  equal((await stream.finalResponse()).output_text, "The tool returned: rainy");
});

Deno.test("a streamed function call: arguments deltas, done, and the call in the final response", async () => {
  await using stack = await startStack();
  const stream = client(stack.relayUrl).responses.stream({ model: MODEL, input: "Weather?", tools: [weather] });
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const final = await stream.finalResponse();
  const call = final.output.find((item) => item.type === "function_call");
  ok(call?.type === "function_call");
  const deltas = events.flatMap((event) =>
    event.type === "response.function_call_arguments.delta" ? [event.delta] : []
  );
  ok(deltas.length >= 1);
  equal(deltas.join(""), call.arguments);
  const done = events.find((event) => event.type === "response.function_call_arguments.done");
  equal(done?.type === "response.function_call_arguments.done" && done.arguments, call.arguments);
  equal(final.output_text, "I'll call the get_weather tool.");
});

Deno.test("a custom tool (Codex's apply_patch): free-form input out, custom_tool_call_output back", async () => {
  await using stack = await startStack();
  const openai = client(stack.relayUrl);
  const tools: OpenAI.Responses.Tool[] = [{ type: "custom", name: "apply_patch", description: "Edit files" }];
  const stream = openai.responses.stream({ model: MODEL, input: "Patch it", tools });
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const final = await stream.finalResponse();
  const call = final.output.find((item) => item.type === "custom_tool_call");
  ok(call?.type === "custom_tool_call", JSON.stringify(final.output));
  equal(call.input, "example input");
  const done = events.find((event) => event.type === "response.custom_tool_call_input.done");
  equal(done?.type === "response.custom_tool_call_input.done" && done.input, "example input");
  const upstream = stack.simulator.requests.find((request) => request.path === "/.api/completions/stream")!;
  deepEqual(upstream.body?.tools?.[0].function?.parameters, {
    type: "object",
    properties: { input: { type: "string" } },
    required: ["input"],
  });
  const second = await openai.responses.create({
    model: MODEL,
    tools,
    input: [
      { role: "user", content: "Patch it" },
      { type: "custom_tool_call", call_id: call.call_id, name: "apply_patch", input: call.input },
      { type: "custom_tool_call_output", call_id: call.call_id, output: "Done!" },
    ],
  });
  equal(second.output_text, "The tool returned: Done!");
});

Deno.test("max_output_tokens cuts the answer: incomplete, reason max_output_tokens (streamed: response.incomplete)", async () => {
  await using stack = await startStack();
  const openai = client(stack.relayUrl);
  const whole = await openai.responses.create({ model: MODEL, input: "Hello there", max_output_tokens: 3 });
  equal(whole.status, "incomplete");
  deepEqual(whole.incomplete_details, { reason: "max_output_tokens" });
  equal(whole.output_text, "This is the");
  const stream = openai.responses.stream({ model: MODEL, input: "Hello there", max_output_tokens: 3 });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type);
  equal(types.at(-1), "response.incomplete");
  ok(!types.includes("response.completed"));
  equal((await stream.finalResponse()).status, "incomplete");
});

Deno.test("text.format json_schema: the answer is JSON matching the schema", async () => {
  await using stack = await startStack();
  const response = await client(stack.relayUrl).responses.create({
    model: MODEL,
    input: "A city",
    text: {
      format: {
        type: "json_schema",
        name: "city",
        schema: { type: "object", properties: { name: { type: "string" }, people: { type: "integer" } } },
      },
    },
  });
  deepEqual(JSON.parse(response.output_text), { name: "example name", people: 1 });
});

Deno.test("failures: before the answer an HTTP error with retry-after; after it response.failed, never completed", async () => {
  await using stack = await startStack({ app: { retry: { maxRetries: 0, maxWaitMs: 0 } } });
  const openai = client(stack.relayUrl);
  const limited = await failure(
    openai.responses.create({ model: MODEL, input: "Hi [[sim status=429 retry_after=7]]", stream: true }),
  );
  equal(limited.status, 429);
  equal(limited.headers?.get("retry-after"), "7");
  const stream = await openai.responses.create({
    model: MODEL,
    input: "Hi [[sim words=40 error_after=5]]",
    stream: true,
  });
  const types: string[] = [];
  let failed: OpenAI.Responses.Response | undefined;
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === "response.failed") failed = event.response;
  }
  equal(types.at(-1), "response.failed");
  ok(!types.includes("response.completed"));
  equal(failed?.status, "failed");
  equal(failed?.error?.code, "server_error");
  ok(failed?.error?.message);
});

Deno.test("bad requests are 400s naming the field; Codex's unconditional web_search is dropped, another client's refused", async () => {
  await using stack = await startStack();
  const openai = client(stack.relayUrl);
  const badType = await failure(openai.responses.create({ model: MODEL, input: 42 as unknown as string }));
  equal(badType.status, 400);
  equal(badType.param, "input");
  const search = await failure(
    openai.responses.create({ model: MODEL, input: "Hi", tools: [{ type: "web_search" }] }),
  );
  equal(search.status, 400);
  equal(search.param, "tools[0].type");
  match(search.message, /web_search/);
  const codex = await fetch(`${stack.relayUrl}/v1/responses`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, originator: "codex_exec", "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, input: "Hi", tools: [{ type: "web_search", external_web_access: false }] }),
  });
  equal(codex.status, 200);
  deepEqual((await codex.json()).tools, []);
  const item = await failure(
    openai.responses.create({ model: MODEL, input: [{ type: "item_reference", id: "msg_1" }] }),
  );
  equal(item.status, 400);
  equal(item.param, "input[0].type");
  const unknownRoute = await fetch(`${stack.relayUrl}/v1/responses/resp_1/cancel`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  equal(unknownRoute.status, 404);
  ok((await unknownRoute.json()).error.message);
});
