/**
 * Fault suite, part 3: a client that leaves. Whatever the front and wherever the answer
 * is (waiting for the first event, mid-stream, backing off before a retry, not streaming),
 * the upstream request is aborted within 100 ms and no further one is sent.
 */
import { equal, ok } from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import type { SimulatedRequest } from "../../lib/simulator/simulator.ts";
import { type Stack, TOKEN } from "../harness.ts";
import { completionRequests, faultStack, MODEL, openai } from "./helpers.ts";

/** Milliseconds from `abort()` until the simulator saw the request end (or 1,000 when it did not). */
async function upstreamAbortDelay(stack: Stack, abort: () => void): Promise<number> {
  const upstream = await nextCompletion(stack);
  const abortedAt = performance.now();
  abort();
  const outcome = await Promise.race([
    upstream.outcome,
    new Promise((resolve) => setTimeout(resolve, 1000, "running")),
  ]);
  equal(outcome, "aborted");
  return performance.now() - abortedAt;
}

/** The first completions request the simulator receives (waits for it). */
async function nextCompletion(stack: Stack): Promise<SimulatedRequest> {
  for (;;) {
    const request = stack.simulator.requests.find((request) => request.path.startsWith("/.api/completions/"));
    if (request) return request;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function assertPrompt(delay: number): void {
  ok(delay < 100, `the upstream saw the abort after ${delay.toFixed(0)} ms`);
}

const SLOW = "Hi [[sim words=500 pace_ms=20]]";

/**
 * A chat request over fetch that the test can abort. (openai-node under Deno does not close
 * the connection when aborted before the response headers, so the relay cannot see that
 * client leave; fetch does close it.)
 */
function abortableChat(stack: Stack, content: string, stream: boolean) {
  const controller = new AbortController();
  const response = fetch(`${stack.relayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ model: MODEL, stream, messages: [{ role: "user", content }] }),
    signal: controller.signal,
  }).catch((error) => error);
  return { controller, response };
}

Deno.test("abort before the response headers (upstream still silent): upstream aborted within 100 ms", async () => {
  await using stack = await faultStack();
  const { controller, response } = abortableChat(stack, "Hi [[sim stall_after=0]]", true);
  assertPrompt(await upstreamAbortDelay(stack, () => controller.abort()));
  ok((await response) instanceof Error);
});

Deno.test("abort of a non-streaming request: upstream aborted within 100 ms", async () => {
  await using stack = await faultStack();
  const { controller, response } = abortableChat(stack, SLOW, false);
  assertPrompt(await upstreamAbortDelay(stack, () => controller.abort()));
  ok((await response) instanceof Error);
});

Deno.test("abort during a retry's backoff: no further upstream request", async () => {
  await using stack = await faultStack({ retry: { baseDelayMs: 600 } });
  const { controller, response } = abortableChat(stack, "Hi [[sim status=503]]", true);
  await nextCompletion(stack);
  await new Promise((resolve) => setTimeout(resolve, 100));
  controller.abort();
  ok((await response) instanceof Error);
  await new Promise((resolve) => setTimeout(resolve, 700));
  equal(completionRequests(stack), 1);
});

Deno.test("OpenAI chat, mid-stream (openai client)", async () => {
  await using stack = await faultStack();
  const stream = await openai(stack).chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: SLOW }],
    stream: true,
  });
  const iterator = stream[Symbol.asyncIterator]();
  await iterator.next();
  assertPrompt(await upstreamAbortDelay(stack, () => void iterator.return?.()));
});

Deno.test("Anthropic Messages, mid-stream (@anthropic-ai/sdk)", async () => {
  await using stack = await faultStack();
  const client = new Anthropic({ baseURL: stack.relayUrl, apiKey: TOKEN, maxRetries: 0 });
  const stream = client.messages.stream({
    model: MODEL,
    max_tokens: 2000,
    messages: [{ role: "user", content: SLOW }],
  });
  const ended = stream.finalMessage().catch((error) => error);
  await new Promise((resolve) => stream.once("text", resolve));
  assertPrompt(await upstreamAbortDelay(stack, () => stream.abort()));
  ok((await ended) instanceof Anthropic.APIUserAbortError);
});

Deno.test("Ollama chat, mid-stream (ollama client)", async () => {
  await using stack = await faultStack();
  const client = new Ollama({ host: stack.relayUrl, headers: { authorization: `Bearer ${TOKEN}` } });
  const stream = await client.chat({ model: MODEL, messages: [{ role: "user", content: SLOW }], stream: true });
  await stream[Symbol.asyncIterator]().next();
  assertPrompt(await upstreamAbortDelay(stack, () => stream.abort()));
});

for (
  const [front, path, body] of [
    ["OpenAI legacy completions", "/v1/completions", { model: MODEL, prompt: SLOW, stream: true }],
    ["llama.cpp /completion", "/completion", { prompt: SLOW, stream: true }],
    ["Anthropic over raw fetch", "/v1/messages", {
      model: MODEL,
      max_tokens: 2000,
      stream: true,
      messages: [{ role: "user", content: SLOW }],
    }],
  ] as const
) {
  Deno.test(`${front}, mid-stream (fetch)`, async () => {
    await using stack = await faultStack();
    const controller = new AbortController();
    const response = await fetch(`${stack.relayUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "x-api-key": TOKEN, "anthropic-version": "2023-06-01" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    equal(response.status, 200);
    const reader = response.body!.getReader();
    await reader.read();
    assertPrompt(await upstreamAbortDelay(stack, () => controller.abort()));
    await reader.cancel().catch(() => {});
  });
}

Deno.test("during a continuation round (openai client): round 2 aborted within 100 ms, no round 3", async () => {
  await using stack = await faultStack({ maxContinuations: 8 }, { maxOutputTokens: 20 });
  const stream = await openai(stack).chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi [[sim words=400 pace_ms=10]]" }],
    stream: true,
  });
  const rounds = () => stack.simulator.requests.filter((request) => request.body);
  const iterator = stream[Symbol.asyncIterator]();
  while (rounds().length < 2) await iterator.next();
  const second = rounds()[1];
  const abortedAt = performance.now();
  void iterator.return?.();
  equal(
    await Promise.race([second.outcome, new Promise((resolve) => setTimeout(resolve, 1000, "running"))]),
    "aborted",
  );
  assertPrompt(performance.now() - abortedAt);
  await new Promise((resolve) => setTimeout(resolve, 100));
  equal(rounds().length, 2);
});
