/** The real `@anthropic-ai/sdk` client against the relay and the simulator, over loopback HTTP. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";
const THINKING = "anthropic::2024-10-22::claude-sonnet-4-thinking-latest";

function client(baseURL: string, apiKey = TOKEN): Anthropic {
  return new Anthropic({ baseURL, apiKey, maxRetries: 0 });
}

/** The JSON error body an SDK error carries. */
function bodyOf(error: InstanceType<typeof Anthropic.APIError>): { type: string; error: { type: string } } {
  return error.error as { type: string; error: { type: string } };
}

function streamBodies(stack: { simulator: { requests: { path: string; body?: unknown }[] } }) {
  return stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream")
    .map((request) => request.body as Record<string, unknown>);
}

Deno.test("messages.create: a message with text, end_turn and usage; claude ids map to instance models", async () => {
  await using stack = await startStack();
  const message = await client(stack.relayUrl).messages.create({
    model: "claude-sonnet-4-20250514",
    max_tokens: 200,
    system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
    messages: [{ role: "user", content: "Hello" }],
  });
  equal(message.type, "message");
  match(message.id, /^msg_/);
  equal(message.model, "claude-sonnet-4-20250514");
  equal(message.stop_reason, "end_turn");
  deepEqual(message.content, [{
    type: "text",
    text: `This is the cody-relay simulator answering as ${SONNET}. You said: Hello`,
  }]);
  ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
  const [body] = streamBodies(stack);
  equal(body.model, SONNET);
  deepEqual(body.messages, [{ speaker: "system", text: "Be brief." }, { speaker: "human", text: "Hello" }]);
});

Deno.test("messages.stream: events in the SDK's order, final message assembled, no [DONE]", async () => {
  await using stack = await startStack();
  const stream = client(stack.relayUrl).messages.stream({
    model: SONNET,
    max_tokens: 200,
    messages: [{ role: "user", content: "Stream please" }],
  });
  const types: string[] = [];
  stream.on("streamEvent", (event) => types.push(event.type));
  const final = await stream.finalMessage();
  equal(types[0], "message_start");
  equal(types.at(-1), "message_stop");
  equal(types.at(-2), "message_delta");
  ok(types.includes("content_block_start") && types.includes("content_block_delta"));
  equal(
    (final.content[0] as Anthropic.TextBlock).text,
    `This is the cody-relay simulator answering as ${SONNET}. You said: Stream please`,
  );
  ok(final.usage.output_tokens > 0);
});

Deno.test("a tool-use round trip: tool_use block with parsed input, then the tool_result answered", async () => {
  await using stack = await startStack();
  const tools: Anthropic.Tool[] = [{
    name: "read_file",
    description: "Read a file",
    input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  }];
  const first = await client(stack.relayUrl).messages.stream({
    model: SONNET,
    max_tokens: 500,
    tools,
    messages: [{ role: "user", content: "Read a.ts" }],
  }).finalMessage();
  equal(first.stop_reason, "tool_use");
  const call = first.content.find((block) => block.type === "tool_use") as Anthropic.ToolUseBlock;
  equal(call.name, "read_file");
  equal(typeof call.input, "object");
  const second = await client(stack.relayUrl).messages.create({
    model: SONNET,
    max_tokens: 500,
    tools,
    messages: [
      { role: "user", content: "Read a.ts" },
      { role: "assistant", content: first.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "export const a = 1;" }] },
    ],
  });
  equal(second.stop_reason, "end_turn");
  equal((second.content[0] as Anthropic.TextBlock).text, "The tool returned: export const a = 1;");
  const sent = streamBodies(stack).at(-1)!.messages as { content?: unknown[] }[];
  ok(JSON.stringify(sent).includes('"tool_result"'), "the tool result reached Cody");
});

Deno.test("thinking blocks stream with their signature, and are accepted back in the next turn", async () => {
  await using stack = await startStack();
  const stream = client(stack.relayUrl).messages.stream({
    model: THINKING,
    max_tokens: 2000,
    thinking: { type: "enabled", budget_tokens: 1024 },
    messages: [{ role: "user", content: "Think" }],
  });
  const deltas: string[] = [];
  stream.on("streamEvent", (event) => {
    if (event.type === "content_block_delta") deltas.push(event.delta.type);
  });
  const final = await stream.finalMessage();
  const thinking = final.content[0] as Anthropic.ThinkingBlock;
  equal(thinking.type, "thinking");
  ok(thinking.thinking.length > 0 && thinking.signature.length > 0);
  ok(deltas.includes("thinking_delta") && deltas.includes("signature_delta") && deltas.includes("text_delta"));
  const next = await client(stack.relayUrl).messages.create({
    model: THINKING,
    max_tokens: 2000,
    messages: [
      { role: "user", content: "Think" },
      { role: "assistant", content: final.content },
      { role: "user", content: "Again" },
    ],
  });
  equal(next.stop_reason, "end_turn");
});

Deno.test("countTokens answers input_tokens", async () => {
  await using stack = await startStack();
  const { input_tokens } = await client(stack.relayUrl).messages.countTokens({
    model: "claude-haiku-4-5",
    messages: [{ role: "user", content: "How many tokens is this sentence?" }],
  });
  ok(input_tokens > 3 && input_tokens < 20, String(input_tokens));
});

Deno.test("errors surface as the SDK's typed errors, in Anthropic's shape and status", async () => {
  await using stack = await startStack();
  const invalid = await client(stack.relayUrl).messages.create({ model: SONNET, messages: [] } as never).catch((e) =>
    e
  );
  ok(invalid instanceof Anthropic.BadRequestError, String(invalid));
  deepEqual(bodyOf(invalid).type, "error");
  equal(bodyOf(invalid).error.type, "invalid_request_error");
  match(invalid.message, /max_tokens/);

  const limited = await client(stack.relayUrl).messages.create({
    model: SONNET,
    max_tokens: 50,
    messages: [{ role: "user", content: "Hi [[sim status=429 retry_after=70]]" }],
  }).catch((e) => e);
  ok(limited instanceof Anthropic.RateLimitError, String(limited));
  equal(bodyOf(limited).error.type, "rate_limit_error");
  equal(limited.headers.get("retry-after"), "70");

  const unauthorized = await client(stack.relayUrl, "sgp_wrong").messages.create({
    model: SONNET,
    max_tokens: 50,
    messages: [{ role: "user", content: "Hi" }],
  }).catch((e) => e);
  ok(unauthorized instanceof Anthropic.AuthenticationError, String(unauthorized));
});

Deno.test("an overloaded provider mid-stream is an overloaded_error event; the stream does not end as complete", async () => {
  await using stack = await startStack();
  const stream = client(stack.relayUrl).messages.stream({
    model: SONNET,
    max_tokens: 200,
    messages: [{ role: "user", content: "Hi [[sim words=30 error_after=3]]" }],
  });
  const error = await stream.finalMessage().catch((e) => e);
  ok(error instanceof Anthropic.APIError, String(error));
  match(String(error.message), /overloaded/i);
});

Deno.test("an answer cut off by the output cap continues across a seam in one message", async () => {
  await using stack = await startStack({ simulator: { maxOutputTokens: 12 } });
  const message = await client(stack.relayUrl).messages.stream({
    model: SONNET,
    max_tokens: 1000,
    messages: [{ role: "user", content: "[[sim words=50]] story" }],
  }).finalMessage();
  equal(message.stop_reason, "end_turn");
  equal(message.content.length, 1);
  equal((message.content[0] as Anthropic.TextBlock).text.split(" ").length, 50);
  ok(streamBodies(stack).length > 2, "took more than one round");
});

Deno.test("GET /v1/models answers in Anthropic's shape to Anthropic clients", async () => {
  await using stack = await startStack();
  const page = await client(stack.relayUrl).models.list();
  ok(page.data.length > 0);
  equal(page.data[0].type, "model");
  equal(page.data[0].id, SONNET);
  ok(page.data[0].display_name);
});

Deno.test("an answer after the client's prefill, cut off by the upstream's limit, is continued from prefill and answer as one turn", async () => {
  await using stack = await startStack({ simulator: { maxOutputTokens: 12 } });
  const question = "[[sim words=30]] Tell me a story";
  const whole = await client(stack.relayUrl).messages.create({
    model: SONNET,
    max_tokens: 1000,
    messages: [{ role: "user", content: question }],
  });
  const expected = whole.content[0].type === "text" ? whole.content[0].text : "";
  const prefill = expected.split(" ").slice(0, 3).join(" ");
  stack.simulator.requests.length = 0;
  const message = await client(stack.relayUrl).messages.stream({
    model: SONNET,
    max_tokens: 1000,
    messages: [{ role: "user", content: question }, { role: "assistant", content: prefill }],
  }).finalMessage();
  equal(message.content[0].type === "text" && prefill + message.content[0].text, expected);
  equal(message.stop_reason, "end_turn");
  const rounds = stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream");
  equal(rounds.length, 3);
  const lastTurn = rounds[1].body?.messages?.at(-1);
  equal(lastTurn && "text" in lastTurn ? lastTurn.text : "", expected.split(" ").slice(0, 15).join(" "));
});

Deno.test("max_tokens cutting a tool_use block's input ends with stop_reason max_tokens, streamed or not", async () => {
  await using stack = await startStack();
  const request = {
    model: SONNET,
    max_tokens: 7, // "I'll call the get_weather tool." is 6 tokens: the 7th is in the input
    messages: [{ role: "user" as const, content: "Weather in Paris?" }],
    tools: [{
      name: "get_weather",
      input_schema: { type: "object" as const, properties: { city: { type: "string" } } },
    }],
  };
  const message = await client(stack.relayUrl).messages.create(request);
  equal(message.stop_reason, "max_tokens");
  deepEqual(message.content.map((block) => block.type), ["text", "tool_use"]);
  const streamed = await client(stack.relayUrl).messages.stream(request).finalMessage();
  equal(streamed.stop_reason, "max_tokens");
  deepEqual(streamed.content.map((block) => block.type), ["text", "tool_use"]);
});
