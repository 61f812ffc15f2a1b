/** Legacy completions and FIM through the real `openai` client (and raw HTTP for /fim). */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { startStack, TOKEN } from "../harness.ts";

const CHAT_MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
const CODE_MODEL = "fireworks::v1::deepseek-coder-v2-lite-base";
const PREFIX = "function add(a: number, b: number) {\n  ";
const SUFFIX = "\n}\n";
/** What the simulated code model writes between PREFIX and SUFFIX. */
const MIDDLE = '[middle after "function add(a: number, b: number) {" before "}"]';
/** Continue's default template for model names it does not know, with its stop words. */
const CONTINUE_PROMPT = `<fim_prefix>${PREFIX}<fim_suffix>${SUFFIX}<fim_middle>`;
const CONTINUE_STOPS = ["<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<file_sep>", "<|endoftext|>", "</fim_middle>"];

function client(baseURL: string): OpenAI {
  return new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: TOKEN, maxRetries: 0 });
}

Deno.test("Continue-style autocomplete: FIM template in prompt → Cody code completion → only the middle", async () => {
  await using stack = await startStack();
  const stream = await client(stack.relayUrl).completions.create({
    model: "starcoder2:3b",
    prompt: CONTINUE_PROMPT,
    max_tokens: 64,
    temperature: 0.01,
    stop: CONTINUE_STOPS,
    stream: true,
  });
  const chunks = await Array.fromAsync(stream);
  equal(chunks.map((chunk) => chunk.choices[0]?.text ?? "").join(""), MIDDLE);
  ok(chunks.every((chunk) => chunk.object === "text_completion" && chunk.model === "starcoder2:3b"));
  deepEqual(chunks.flatMap((chunk) => chunk.choices[0]?.finish_reason ?? []), ["stop"]);
  const upstream = stack.simulator.requests.find((request) => request.path === "/.api/completions/code")!;
  ok(upstream, "the relay asked Cody's code-completion endpoint");
  equal(upstream.body?.model, CODE_MODEL);
  deepEqual(upstream.body?.messages, [{
    speaker: "human",
    text: `<｜fim▁begin｜>${PREFIX}<｜fim▁hole｜>${SUFFIX}<｜fim▁end｜>`,
  }]);
  equal(upstream.body?.maxTokensToSample, 64);
  // The code model's own FIM tokens end it upstream; the client's stops stay in the relay.
  deepEqual(upstream.body?.stopSequences, ["<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", "<|eos_token|>"]);
});

Deno.test("non-streaming completion with suffix: a text_completion with usage", async () => {
  await using stack = await startStack();
  const completion = await client(stack.relayUrl).completions.create({
    model: CODE_MODEL,
    prompt: PREFIX,
    suffix: SUFFIX,
  });
  equal(completion.object, "text_completion");
  match(completion.id, /^cmpl-/);
  equal(completion.choices[0].text, MIDDLE);
  equal(completion.choices[0].finish_reason, "stop");
  ok(completion.usage!.prompt_tokens > 0 && completion.usage!.completion_tokens > 0);
  equal(completion.usage!.total_tokens, completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
});

Deno.test("a chat model is asked in plain language on the chat endpoint, with only the user's code", async () => {
  await using stack = await startStack();
  const holeFiller = "You are a HOLE FILLER.\n\n<QUERY>\nfunction sum(x) {\n  {{FILL_HERE}}\n}\n</QUERY>\n\n" +
    `<QUERY>\n${PREFIX}{{FILL_HERE}}${SUFFIX}\n</QUERY>\nTASK: Fill the {{FILL_HERE}} hole. Do it now.\n<COMPLETION>`;
  const completion = await client(stack.relayUrl).completions.create({
    model: CHAT_MODEL,
    prompt: holeFiller,
    stop: ["</COMPLETION>"],
  });
  equal(completion.choices[0].finish_reason, "stop");
  const upstream = stack.simulator.requests.find((request) => request.path === "/.api/completions/stream")!;
  equal(upstream.body?.model, CHAT_MODEL);
  const asked = upstream.body?.messages?.at(-1)?.text ?? "";
  ok(asked.endsWith(`${PREFIX}{{FILL_HERE}}${SUFFIX}`), asked);
  ok(!asked.includes("sum(x)"), "the template's examples are not sent");
});

Deno.test("an answer cut off by the output cap continues across a seam into one completion", async () => {
  await using stack = await startStack({ simulator: { maxOutputTokens: 10 } });
  const prompt = `<fim_prefix>// [[sim words=40]]\n${PREFIX}<fim_suffix>${SUFFIX}<fim_middle>`;
  const whole = await client(stack.relayUrl).completions.create({
    model: "starcoder2",
    prompt,
    max_tokens: 500,
    stream: true,
  });
  const chunks = await Array.fromAsync(whole);
  const text = chunks.map((chunk) => chunk.choices[0]?.text ?? "").join("");
  equal(text.split(" ").length, 40);
  const rounds = stack.simulator.requests.filter((request) => request.path === "/.api/completions/code");
  ok(rounds.length > 1, `took ${rounds.length} rounds`);
  const lastPrompt = rounds.at(-1)!.body?.messages?.[0].text ?? "";
  ok(lastPrompt.includes(`${PREFIX}`) && lastPrompt.includes(text.slice(0, 20)), "later rounds extend the prefix");
  deepEqual(chunks.flatMap((chunk) => chunk.choices[0]?.finish_reason ?? []), ["stop"]);
});

Deno.test("POST /v1/fim/completions answers in chat-chunk SSE with only the middle, then [DONE]", async () => {
  await using stack = await startStack();
  const response = await fetch(`${stack.relayUrl}/v1/fim/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "codestral-latest", prompt: PREFIX, suffix: SUFFIX, stream: true, max_tokens: 64 }),
  });
  equal(response.headers.get("content-type"), "text/event-stream");
  const events = (await response.text()).split("\n\n").filter(Boolean);
  equal(events.at(-1), "data: [DONE]");
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)));
  equal(chunks.map((chunk) => chunk.choices[0].delta.content ?? "").join(""), MIDDLE);
  ok(chunks.every((chunk) => chunk.object === "chat.completion.chunk"));
});

Deno.test("legacy completion validation errors name the field, in OpenAI's shape", async () => {
  await using stack = await startStack();
  for (
    const [body, param] of [
      [{ model: "m", prompt: ["a", "b"] }, "prompt"],
      [{ model: "m", prompt: "a", echo: true }, "echo"],
      [{ model: "m" }, "prompt"],
    ] as const
  ) {
    const error = await client(stack.relayUrl).completions.create(body as never).then(
      () => undefined,
      (error) => error,
    );
    ok(error instanceof OpenAI.BadRequestError, JSON.stringify(body));
    equal(error.param, param);
  }
});
