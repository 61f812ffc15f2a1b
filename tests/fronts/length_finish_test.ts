/**
 * An answer cut off by the client's output budget reaches the client as its dialect's
 * length finish, streamed and not: OpenAI `finish_reason: "length"` (chat and legacy
 * completions), Anthropic `stop_reason: "max_tokens"` (in `message_delta` and in the
 * message), Ollama `done_reason: "length"` (`/api/chat` and `/api/generate`) and llama.cpp
 * `stop_type: "limit"`. The real relay and the simulator over loopback HTTP, with the real
 * client libraries where the project uses them; the client's own budget is never continued,
 * so the simulator's `max_tokens` stop is what each front has to encode.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { type Stack, startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";
/** The output budget every request sets: six word-sized simulator tokens. */
const BUDGET = 6;
/** The first {@link BUDGET} tokens of the simulator's answer (whole, it goes on with the model and the prompt). */
const CUT = "This is the cody-relay simulator answering";

/** The simulator was asked once, with the client's budget: the length finish is its own, not a continuation's. */
function assertOneCappedRound(stack: Stack): void {
  const rounds = stack.simulator.requests.filter((request) => request.path.startsWith("/.api/completions/"));
  deepEqual(rounds.map((request) => request.body?.maxTokensToSample), [BUDGET]);
}

function openai(stack: Stack): OpenAI {
  return new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
}

function ollama(stack: Stack): Ollama {
  return new Ollama({ host: stack.relayUrl, headers: { authorization: `Bearer ${TOKEN}` } });
}

Deno.test("OpenAI chat, not streamed: finish_reason length, the cut text and the budget's usage", async () => {
  await using stack = await startStack();
  const completion = await openai(stack).chat.completions.create({
    model: SONNET,
    messages: [{ role: "user", content: "Hello" }],
    max_tokens: BUDGET,
  });
  equal(completion.choices[0].finish_reason, "length");
  equal(completion.choices[0].message.content, CUT);
  equal(completion.usage?.completion_tokens, BUDGET);
  assertOneCappedRound(stack);
});

Deno.test("OpenAI chat, streamed: one finish_reason length after the cut text", async () => {
  await using stack = await startStack();
  const chunks = await Array.fromAsync(
    await openai(stack).chat.completions.create({
      model: SONNET,
      messages: [{ role: "user", content: "Hello" }],
      max_completion_tokens: BUDGET,
      stream: true,
      stream_options: { include_usage: true },
    }),
  );
  deepEqual(chunks.flatMap((chunk) => chunk.choices[0]?.finish_reason ?? []), ["length"]);
  equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""), CUT);
  equal(chunks.at(-1)?.usage?.completion_tokens, BUDGET);
  assertOneCappedRound(stack);
});

Deno.test("OpenAI legacy completions, streamed and not: finish_reason length", async () => {
  await using stack = await startStack();
  const whole = await openai(stack).completions.create({ model: SONNET, prompt: "Hello", max_tokens: BUDGET });
  equal(whole.choices[0].finish_reason, "length");
  equal(whole.choices[0].text, CUT);
  const chunks = await Array.fromAsync(
    await openai(stack).completions.create({ model: SONNET, prompt: "Hello", max_tokens: BUDGET, stream: true }),
  );
  deepEqual(chunks.flatMap((chunk) => chunk.choices[0]?.finish_reason ?? []), ["length"]);
  equal(chunks.map((chunk) => chunk.choices[0]?.text ?? "").join(""), CUT);
});

Deno.test("Anthropic messages, not streamed: stop_reason max_tokens", async () => {
  await using stack = await startStack();
  const message = await new Anthropic({ baseURL: stack.relayUrl, apiKey: TOKEN, maxRetries: 0 }).messages.create({
    model: SONNET,
    max_tokens: BUDGET,
    messages: [{ role: "user", content: "Hello" }],
  });
  equal(message.stop_reason, "max_tokens");
  equal(message.stop_sequence, null);
  deepEqual(message.content, [{ type: "text", text: CUT }]);
  equal(message.usage.output_tokens, BUDGET);
  assertOneCappedRound(stack);
});

Deno.test("Anthropic messages, streamed: message_delta says max_tokens, and so does the final message", async () => {
  await using stack = await startStack();
  const stream = new Anthropic({ baseURL: stack.relayUrl, apiKey: TOKEN, maxRetries: 0 }).messages.stream({
    model: SONNET,
    max_tokens: BUDGET,
    messages: [{ role: "user", content: "Hello" }],
  });
  const deltas: Anthropic.MessageDeltaEvent[] = [];
  stream.on("streamEvent", (event) => {
    if (event.type === "message_delta") deltas.push(event);
  });
  const final = await stream.finalMessage();
  deepEqual(deltas.map((delta) => [delta.delta.stop_reason, delta.delta.stop_sequence]), [["max_tokens", null]]);
  equal(deltas[0].usage.output_tokens, BUDGET);
  equal(final.stop_reason, "max_tokens");
  deepEqual(final.content, [{ type: "text", text: CUT }]);
});

Deno.test("Ollama /api/chat, streamed and not: done_reason length", async () => {
  await using stack = await startStack();
  const request = { model: SONNET, messages: [{ role: "user", content: "Hello" }], options: { num_predict: BUDGET } };
  const whole = await ollama(stack).chat({ ...request, stream: false });
  equal(whole.done_reason, "length");
  equal(whole.message.content, CUT);
  equal(whole.eval_count, BUDGET);
  const parts = await Array.fromAsync(await ollama(stack).chat({ ...request, stream: true }));
  equal(parts.at(-1)?.done, true);
  equal(parts.at(-1)?.done_reason, "length");
  ok(parts.slice(0, -1).every((part) => !part.done), "only the last line is done");
  equal(parts.map((part) => part.message.content).join(""), CUT);
});

Deno.test("Ollama /api/generate, streamed and not: done_reason length", async () => {
  await using stack = await startStack();
  const request = { model: SONNET, prompt: "Hello", options: { num_predict: BUDGET } };
  const whole = await ollama(stack).generate({ ...request, stream: false });
  equal(whole.done_reason, "length");
  equal(whole.response, CUT);
  equal(whole.eval_count, BUDGET);
  const parts = await Array.fromAsync(await ollama(stack).generate({ ...request, stream: true }));
  equal(parts.at(-1)?.done, true);
  equal(parts.at(-1)?.done_reason, "length");
  ok(parts.slice(0, -1).every((part) => !part.done), "only the last line is done");
  equal(parts.map((part) => part.response).join(""), CUT);
});

/** llama.cpp's final event (the only one when not streamed), after the text events. */
async function llamaCpp(stack: Stack, body: Record<string, unknown>, stream: boolean) {
  const response = await fetch(`${stack.relayUrl}/completion`, {
    method: "POST",
    headers: { authorization: `token ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ ...body, n_predict: BUDGET, stream }),
  });
  equal(response.status, 200);
  const text = await response.text();
  const events = stream
    ? text.split("\n\n").filter(Boolean).map((event) => JSON.parse(event.slice("data: ".length)))
    : [JSON.parse(text)];
  ok(events.slice(0, -1).every((event) => event.stop === false), "only the last event stops");
  const last = events.at(-1);
  deepEqual(
    { stop: last.stop, stop_type: last.stop_type, stopping_word: last.stopping_word, tokens: last.tokens_predicted },
    { stop: true, stop_type: "limit", stopping_word: "", tokens: BUDGET },
  );
  return events.map((event) => event.content).join("");
}

for (const stream of [false, true]) {
  const how = stream ? "streamed" : "not streamed";
  Deno.test(`llama.cpp /completion chat (coLLaMA messages), ${how}: stop_type limit`, async () => {
    await using stack = await startStack();
    equal(await llamaCpp(stack, { messages: [{ speaker: "human", text: "Hello" }], prompt: "Hello" }, stream), CUT);
    assertOneCappedRound(stack);
  });

  Deno.test(`llama.cpp /completion of a plain prompt (code completion), ${how}: stop_type limit`, async () => {
    await using stack = await startStack();
    const text = await llamaCpp(stack, { prompt: "const a = [[sim words=40]]" }, stream);
    equal(text.trim().split(/\s+/).length, BUDGET);
    assertOneCappedRound(stack);
  });
}
