import { deepEqual, equal, ok } from "node:assert/strict";
import { OpenAIChatStream } from "../../../lib/fronts/openai/chat_stream.ts";
import { RelayError } from "../../../lib/hub/errors.ts";
import type { RelayEvent } from "../../../lib/hub/events.ts";

async function encode(events: RelayEvent[], includeUsage = false): Promise<string[]> {
  const stream = ReadableStream.from(events)
    .pipeThrough(new OpenAIChatStream({ id: "chatcmpl-x", created: 1700000000, model: "m", includeUsage }))
    .pipeThrough(new TextDecoderStream());
  const text = (await Array.fromAsync(stream)).join("");
  ok(text.endsWith("\n\n"));
  return text.slice(0, -2).split("\n\n").map((event) => {
    ok(event.startsWith("data: ") && !event.slice(6).includes("\n"), `single-line data event: ${event}`);
    return event.slice(6);
  });
}

Deno.test("chunks: role first, same id/created/model, index 0, finish, [DONE]", async () => {
  const events = await encode([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }]);
  equal(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
  deepEqual(chunks.map((chunk) => chunk.choices[0]), [
    { index: 0, delta: { role: "assistant", content: "" }, finish_reason: null },
    { index: 0, delta: { content: "Hi" }, finish_reason: null },
    { index: 0, delta: {}, finish_reason: "stop" },
  ]);
  for (const chunk of chunks) {
    deepEqual([chunk.id, chunk.object, chunk.created, chunk.model], [
      "chatcmpl-x",
      "chat.completion.chunk",
      1700000000,
      "m",
    ]);
  }
});

Deno.test("thinking is reasoning_content; tool calls carry id, type and name first", async () => {
  const events = await encode([
    { type: "thinking", text: "hmm" },
    { type: "tool_call_start", index: 0, id: "t1", name: "f" },
    { type: "tool_call_delta", index: 0, arguments: "{}" },
    { type: "finish", reason: "tool_calls" },
  ]);
  const deltas = events.slice(1, -1).map((data) => JSON.parse(data).choices[0]);
  deepEqual(deltas, [
    { index: 0, delta: { reasoning_content: "hmm" }, finish_reason: null },
    {
      index: 0,
      delta: { tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "f", arguments: "" } }] },
      finish_reason: null,
    },
    { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "{}" } }] }, finish_reason: null },
    { index: 0, delta: {}, finish_reason: "tool_calls" },
  ]);
});

Deno.test("a usage-only chunk is sent only when asked", async () => {
  const usage: RelayEvent = { type: "usage", usage: { promptTokens: 3, completionTokens: 4, cachedTokens: 2 } };
  const finish: RelayEvent = { type: "finish", reason: "stop" };
  equal((await encode([usage, finish])).length, 3);
  const asked = await encode([usage, finish], true);
  deepEqual(JSON.parse(asked.at(-2)!).choices, []);
  deepEqual(JSON.parse(asked.at(-2)!).usage, {
    prompt_tokens: 3,
    completion_tokens: 4,
    total_tokens: 7,
    prompt_tokens_details: { cached_tokens: 2 },
  });
});

Deno.test("an error event ends the stream with an error and no [DONE]", async () => {
  const events = await encode([
    { type: "text", text: "par" },
    { type: "error", error: new RelayError(429, "slow down", { code: "rate_limit_exceeded" }) },
  ]);
  deepEqual(JSON.parse(events.at(-1)!), {
    error: { message: "slow down", type: "rate_limit_error", param: null, code: "rate_limit_exceeded" },
  });
  ok(!events.includes("[DONE]"));
});

Deno.test("a stream that ends without finish says so", async () => {
  const events = await encode([{ type: "text", text: "par" }]);
  ok(JSON.parse(events.at(-1)!).error.message.includes("ended before it finished"));
  ok(!events.includes("[DONE]"));
});
