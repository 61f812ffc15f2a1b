/** Automatic continuation through the real openai client, the relay and the simulator. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { type Stack, startStack, TOKEN } from "../harness.ts";

const CLAUDE = "anthropic::2024-10-22::claude-sonnet-4-latest";
const GPT = "openai::2024-02-01::gpt-4.1";
/** The relay's per-round cap when clients set none, small so answers take several rounds. */
const ROUND = 12;
const LONG = "[[sim words=60]] Tell me a long story";

function client(stack: Stack): OpenAI {
  return new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
}

function streamRequests(stack: Stack) {
  return stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream");
}

/** The whole answer, fetched in one round with continuation off and a budget that fits it. */
async function fullAnswer(stack: Stack, model: string, content: string): Promise<string> {
  const response = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content }], max_tokens: 1000, auto_continue: false }),
  });
  const body = await response.json();
  equal(body.choices[0].finish_reason, "stop");
  return body.choices[0].message.content;
}

async function streamText(stack: Stack, params: Partial<OpenAI.ChatCompletionCreateParamsStreaming>) {
  const stream = await client(stack).chat.completions.create({
    model: CLAUDE,
    messages: [{ role: "user", content: LONG }],
    stream: true,
    stream_options: { include_usage: true },
    ...params,
  });
  const chunks = await Array.fromAsync(stream);
  return {
    chunks,
    text: chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""),
    finishes: chunks.flatMap((chunk) => chunk.choices[0]?.finish_reason ? [chunk.choices[0].finish_reason] : []),
    usage: chunks.at(-1)!.usage!,
  };
}

Deno.test("a long answer streams whole across rounds: exact text, one finish, usage summed over rounds", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
  const expected = await fullAnswer(stack, CLAUDE, LONG);
  stack.simulator.requests.length = 0;
  const { chunks, text, finishes, usage } = await streamText(stack, {});
  equal(text, expected);
  deepEqual(finishes, ["stop"]);
  equal(new Set(chunks.map((chunk) => chunk.id)).size, 1);
  equal(chunks.filter((chunk) => chunk.choices[0]?.delta.role).length, 1);
  const rounds = streamRequests(stack);
  equal(rounds.length, 5);
  equal(usage.completion_tokens, 60);
  ok(usage.prompt_tokens > rounds.length * 5, "prompt tokens of every round are counted");
  equal(rounds[1].body?.messages?.at(-1)?.speaker, "assistant", "Claude continues from a prefill");
});

Deno.test("non-streaming: the whole answer, finish stop, and the rounds in x-cody-relay-continuations", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
  const expected = await fullAnswer(stack, GPT, LONG);
  const { data, response } = await client(stack).chat.completions.create({
    model: GPT,
    messages: [{ role: "user", content: LONG }],
  }).withResponse();
  equal(data.choices[0].message.content, expected);
  equal(data.choices[0].finish_reason, "stop");
  equal(data.usage?.completion_tokens, 60);
  equal(response.headers.get("x-cody-relay-continuations"), "4");
  const last = streamRequests(stack).at(-1)!.body?.messages?.at(-1);
  equal(last?.speaker, "human", "GPT gets an instruction to continue, not a prefill");
  match(last && "text" in last ? String(last.text) : "", /cut off by the output limit/);
});

Deno.test("the client's own max_tokens stops the answer with length, without continuing", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
  const { finishes, usage } = await streamText(stack, { max_tokens: 5 });
  deepEqual(finishes, ["length"]);
  equal(usage.completion_tokens, 5);
  equal(streamRequests(stack).length, 1);
});

Deno.test("a client budget above the upstream's cap is spent across rounds, then reported as length", async () => {
  await using stack = await startStack({ simulator: { maxOutputTokens: 10 } });
  const { finishes, usage } = await streamText(stack, { max_tokens: 25 });
  deepEqual(finishes, ["length"]);
  equal(usage.completion_tokens, 25);
  deepEqual(streamRequests(stack).map((request) => request.body?.maxTokensToSample), [25, 15, 5]);
});

for (
  const [name, fault] of [
    ["repeats its last words", { repeatWords: 3 }],
    ["restarts the unfinished line", { restartLine: 1 }],
  ] as const
) {
  Deno.test(`a continuation that ${name} is repaired at the seam`, async () => {
    await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
    const expected = await fullAnswer(stack, GPT, LONG);
    stack.simulator.script({}, fault, fault);
    const { text, finishes } = await streamText(stack, { model: GPT });
    equal(text, expected);
    deepEqual(finishes, ["stop"]);
  });
}

Deno.test("a cut inside a fenced code block yields one well-formed block, even if the model re-opens the fence", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
  const question = "[[sim code=12]] Write code";
  const expected = await fullAnswer(stack, GPT, question);
  stack.simulator.script({}, { reopenFence: 1 }, { reopenFence: 1 });
  const { text } = await streamText(stack, { model: GPT, messages: [{ role: "user", content: question }] });
  equal(text, expected);
  equal(text.match(/```/g)?.length, 2);
});

Deno.test("auto_continue: false, the x-cody-relay-continue header, and maxContinuations 0 each turn it off", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
  deepEqual((await streamText(stack, { auto_continue: false } as object)).finishes, ["length"]);
  const viaHeader = await client(stack).chat.completions.create(
    { model: CLAUDE, messages: [{ role: "user", content: LONG }] },
    { headers: { "x-cody-relay-continue": "off" } },
  );
  equal(viaHeader.choices[0].finish_reason, "length");
  equal(streamRequests(stack).length, 2);
  await using off = await startStack({ upstream: { defaultMaxTokens: ROUND }, app: { maxContinuations: 0 } });
  deepEqual((await streamText(off, {})).finishes, ["length"]);
  equal(streamRequests(off).length, 1);
});

Deno.test("the round cap is respected, and then the answer honestly ends with length", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND }, app: { maxContinuations: 2 } });
  const { finishes, usage } = await streamText(stack, {});
  deepEqual(finishes, ["length"]);
  equal(usage.completion_tokens, 36);
  equal(streamRequests(stack).length, 3);
});

for (const [name, fault] of [["a 503", { status: 503 }], ["an error event", { errorAfter: 2 }]] as const) {
  Deno.test(`a continuation round failing with ${name} ends the stream with an error after the text sent`, async () => {
    await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
    stack.simulator.script({}, fault);
    const stream = await client(stack).chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "user", content: LONG }],
      stream: true,
    });
    let text = "";
    const error = await (async () => {
      for await (const chunk of stream) {
        ok(!chunk.choices[0]?.finish_reason, "no finish before the error");
        text += chunk.choices[0]?.delta.content ?? "";
      }
    })().catch((error) => error);
    ok(error instanceof OpenAI.APIError, String(error));
    equal(text.trim().split(/\s+/).length, ROUND + ("errorAfter" in fault ? fault.errorAfter : 0));
  });
}

Deno.test("thinking from later rounds is not re-sent", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
  const stream = await client(stack).chat.completions.create({
    model: "anthropic::2024-10-22::claude-sonnet-4-thinking-latest",
    messages: [{ role: "user", content: LONG }],
    stream: true,
  });
  let reasoning = "";
  for await (const chunk of stream) {
    reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "";
  }
  ok(streamRequests(stack).length > 1);
  equal(reasoning, 'The user said "Tell me a long story". I will answer briefly.');
});

Deno.test("a client abort during round 2 aborts upstream round 2", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
  stack.simulator.script({ paceMs: 2 }, { paceMs: 20 }); // paced: each piece its own read, so its own chunk
  const stream = await client(stack).chat.completions.create({
    model: CLAUDE,
    messages: [{ role: "user", content: LONG }],
    stream: true,
  });
  let pieces = 0;
  for await (const chunk of stream) if (chunk.choices[0]?.delta.content && ++pieces === ROUND + 3) break;
  const second = streamRequests(stack)[1];
  const abortedAt = performance.now();
  const outcome = await Promise.race([
    second.outcome,
    new Promise((resolve) => setTimeout(() => resolve("running"), 1000)),
  ]);
  equal(outcome, "aborted");
  ok(performance.now() - abortedAt < 100);
  equal(streamRequests(stack).length, 2);
});

const weatherTool = [{
  type: "function" as const,
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
}];

/** Asks for Paris's weather with the get_weather tool, streamed, and returns the whole completion and its one call. */
async function weatherCall(stack: Stack, stop?: string[]) {
  const final = await client(stack).chat.completions.stream({
    model: CLAUDE,
    messages: [{ role: "user", content: "Weather in Paris?" }],
    tools: weatherTool,
    ...(stop ? { stop } : {}),
  }).finalChatCompletion();
  const call = final.choices[0].message.tool_calls![0];
  ok(call.type === "function");
  return { final, call };
}

Deno.test("a cut inside tool-call arguments is completed by continuing only the arguments, and they parse", async () => {
  // "I'll call the get_weather tool." is 6 tokens; 7 leaves one 8-character piece of the arguments.
  await using stack = await startStack({ upstream: { defaultMaxTokens: 7 } });
  const { final, call } = await weatherCall(stack);
  equal(final.choices[0].finish_reason, "tool_calls");
  deepEqual(JSON.parse(call.function.arguments), { city: "example city" });
  equal(final.choices[0].message.content, "I'll call the get_weather tool.");
  const rounds = streamRequests(stack);
  equal(rounds.length, 2);
  const instruction = rounds[1].body?.messages?.at(-1);
  match(instruction && "text" in instruction ? String(instruction.text) : "", /inside the JSON arguments of your call/);
});

Deno.test("tool arguments that cannot be completed end in an error, not broken JSON", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: 7 } });
  stack.simulator.script({}, { status: 400, message: "no more" });
  const response = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({
      model: CLAUDE,
      messages: [{ role: "user", content: "Weather?" }],
      tools: weatherTool,
      stream: true,
    }),
  });
  const events = (await response.text()).trim().split("\n\n");
  ok(!events.includes("data: [DONE]"));
  match(events.at(-1)!, /^data: \{"error":\{"message":"Sourcegraph rejected the request: no more"/);
});

Deno.test("a stop sequence that spans the seam between two rounds ends the answer before it, streamed or not", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: ROUND } });
  const expected = await fullAnswer(stack, GPT, LONG);
  const seam = expected.split(" ").slice(0, ROUND).join(" ").length; // where round 1 was cut
  const stop = expected.slice(seam - 2, seam + 3); // the last 2 characters of round 1, then 3 of round 2
  ok(!expected.slice(0, seam - 2).includes(stop));
  stack.simulator.requests.length = 0;
  const { text, finishes } = await streamText(stack, { model: GPT, stop: [stop] });
  equal(text, expected.slice(0, seam - 2));
  deepEqual(finishes, ["stop"]);
  equal(streamRequests(stack).length, 2, "round 2 is not continued past the stop");
  const whole = await client(stack).chat.completions.create({
    model: GPT,
    messages: [{ role: "user", content: LONG }],
    stop: [stop],
  });
  equal(whole.choices[0].message.content, expected.slice(0, seam - 2));
  equal(whole.choices[0].finish_reason, "stop");
  ok(whole.usage!.completion_tokens >= ROUND, "the rounds before the stop are counted");
});

Deno.test("the client's stop sequences do not cut the arguments a repair round completes", async () => {
  await using stack = await startStack({ upstream: { defaultMaxTokens: 7 } });
  // "city" is in the arguments' rest, which the repair round sends as text.
  const { final, call } = await weatherCall(stack, ["city"]);
  equal(final.choices[0].finish_reason, "tool_calls");
  deepEqual(JSON.parse(call.function.arguments), { city: "example city" });
  equal(streamRequests(stack).length, 2);
});

Deno.test("a continuation round that only thinks for longer than the idle limit is not cut as quiet", async () => {
  await using stack = await startStack({
    upstream: { defaultMaxTokens: ROUND },
    app: { timeouts: { idleMs: 300 } },
  });
  // Round 2 streams its thinking (not re-sent to the client) one piece every 60 ms, for about 0.7 s.
  stack.simulator.script({}, { paceMs: 60 });
  const { text, finishes } = await streamText(stack, {
    model: "anthropic::2024-10-22::claude-sonnet-4-thinking-latest",
    messages: [{ role: "user", content: "[[sim words=20]] Tell me a long story" }],
  });
  deepEqual(finishes, ["stop"]);
  equal(text.trim().split(/\s+/).length, 20);
});
