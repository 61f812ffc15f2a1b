/**
 * The client always learns which of its stop sequences ended the answer: the relay finds
 * them itself (the upstream is not sent them), and each dialect reports the one that
 * matched (Anthropic `stop_sequence`, llama.cpp `stopping_word`), streamed and not.
 */
import { equal } from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";
/** The simulator answers "… You said: <prompt>", so the prompt decides where a stop appears. */
const PROMPT = "alpha END beta STOP gamma";
const STOPS = ["STOP", "END", "never"];

/** The stop sequences the upstream was sent, over every completions request. */
function upstreamStops(stack: { simulator: { requests: { path: string; body?: unknown }[] } }): unknown[] {
  return stack.simulator.requests.filter((request) => request.path.startsWith("/.api/completions/"))
    .map((request) => (request.body as { stopSequences?: unknown }).stopSequences);
}

Deno.test("Anthropic: stop_reason stop_sequence names the sequence, in message_delta and the whole message", async () => {
  await using stack = await startStack();
  const anthropic = new Anthropic({ baseURL: stack.relayUrl, apiKey: TOKEN, maxRetries: 0 });
  const request = {
    model: SONNET,
    max_tokens: 200,
    stop_sequences: STOPS,
    messages: [{ role: "user" as const, content: PROMPT }],
  };
  const message = await anthropic.messages.create(request);
  equal(message.stop_reason, "stop_sequence");
  equal(message.stop_sequence, "END");
  equal((message.content[0] as Anthropic.TextBlock).text.endsWith("You said: alpha "), true);
  const stream = anthropic.messages.stream(request);
  let delta: { stop_reason: string | null; stop_sequence: string | null } | undefined;
  stream.on("streamEvent", (event) => {
    if (event.type === "message_delta") delta = event.delta;
  });
  const final = await stream.finalMessage();
  equal(delta?.stop_reason, "stop_sequence");
  equal(delta?.stop_sequence, "END");
  equal(final.stop_sequence, "END");
  equal(upstreamStops(stack).every((stops) => stops === undefined), true, "the client's stops stay in the relay");
});

Deno.test("Anthropic: an answer that ends by itself is end_turn with stop_sequence null", async () => {
  await using stack = await startStack();
  const anthropic = new Anthropic({ baseURL: stack.relayUrl, apiKey: TOKEN, maxRetries: 0 });
  const message = await anthropic.messages.create({
    model: SONNET,
    max_tokens: 200,
    stop_sequences: ["never"],
    messages: [{ role: "user", content: "plain" }],
  });
  equal(message.stop_reason, "end_turn");
  equal(message.stop_sequence, null);
});

Deno.test("llama.cpp /completion: stop_type word with the stopping_word, streamed and not", async () => {
  await using stack = await startStack();
  const body = {
    model: SONNET,
    messages: [{ speaker: "human", text: PROMPT }],
    stopSequences: ["STOP"],
    stop: ["END"],
  };
  const whole = await (await fetch(`${stack.relayUrl}/completion`, {
    method: "POST",
    headers: { authorization: `token ${TOKEN}` },
    body: JSON.stringify(body),
  })).json();
  equal(whole.stop_type, "word");
  equal(whole.stopping_word, "END");
  const sse = await (await fetch(`${stack.relayUrl}/completion`, {
    method: "POST",
    headers: { authorization: `token ${TOKEN}` },
    body: JSON.stringify({ ...body, stream: true }),
  })).text();
  const last = JSON.parse(sse.trim().split("\n\n").at(-1)!.slice("data: ".length));
  equal(last.stop_type, "word");
  equal(last.stopping_word, "END");
});

Deno.test("OpenAI and Ollama: a stop sequence is a plain stop finish, and the text ends before it", async () => {
  await using stack = await startStack();
  const openai = new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
  const completion = await openai.chat.completions.create({
    model: SONNET,
    stop: STOPS,
    messages: [{ role: "user", content: PROMPT }],
  });
  equal(completion.choices[0].finish_reason, "stop");
  equal(completion.choices[0].message.content?.endsWith("You said: alpha "), true);
  const ollama = new Ollama({ host: stack.relayUrl, headers: { authorization: `Bearer ${TOKEN}` } });
  const chat = await ollama.chat({
    model: SONNET,
    stream: false,
    options: { stop: STOPS },
    messages: [{ role: "user", content: PROMPT }],
  });
  equal(chat.done_reason, "stop");
  equal(chat.message.content.endsWith("You said: alpha "), true);
});
