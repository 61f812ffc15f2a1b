/**
 * Fault suite, part 1: upstream HTTP failures before streaming, through the real openai
 * client: what the client sees, and how often the relay asked the upstream.
 */
import { equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { TOKEN } from "../harness.ts";
import { chatError, completionRequests, FALLBACK, faultStack, MODEL, streamChat } from "./helpers.ts";

Deno.test("401 from the upstream: AuthenticationError, never retried", async () => {
  await using stack = await faultStack();
  const error = await chatError(stack, "Hi", { stream: true }, "sgp_not_a_valid_token_0123456789");
  ok(error instanceof OpenAI.AuthenticationError, String(error));
  match(error.message, /Invalid access token/);
  equal(completionRequests(stack), 1);
});

Deno.test("403 from the upstream: PermissionDeniedError, never retried", async () => {
  await using stack = await faultStack();
  stack.simulator.script({ status: 403, message: "cody is not enabled for this user" });
  const error = await chatError(stack, "Hi", { stream: true });
  ok(error instanceof OpenAI.PermissionDeniedError, String(error));
  match(error.message, /cody is not enabled/);
  equal(completionRequests(stack), 1);
});

Deno.test("406 (client not allowed): a 502 with the --client-name hint, never retried", async () => {
  await using stack = await faultStack();
  stack.simulator.script({ status: 406, message: "client not supported; supported clients: web, vscode" });
  const error = await chatError(stack, "Hi");
  equal(error.status, 502);
  match(error.message, /--client-name web/);
  equal(error.headers?.get("x-should-retry"), "false");
  equal(completionRequests(stack), 1);
});

Deno.test("429 with a retry-after beyond the wait budget: surfaced at once with retry-after and retry-after-ms", async () => {
  await using stack = await faultStack();
  stack.simulator.script({ status: 429, retryAfter: 3600 });
  const error = await chatError(stack, "Hi", { stream: true });
  ok(error instanceof OpenAI.RateLimitError, String(error));
  const seconds = Number(error.headers?.get("retry-after"));
  ok(seconds > 3590 && seconds <= 3600, `retry-after ${seconds}`);
  ok(Number(error.headers?.get("retry-after-ms")) > 3_590_000);
  equal(completionRequests(stack), 1);
});

Deno.test("429 with a short retry-after: retried after waiting that long, then answered", async () => {
  await using stack = await faultStack();
  stack.simulator.script({ status: 429, retryAfter: 2 }); // an HTTP date: 1–2 s from now
  const started = performance.now();
  const { text, error, finish } = await streamChat(stack, "Hi");
  equal(error, undefined);
  equal(finish, "stop");
  match(text, /You said: Hi/);
  ok(performance.now() - started >= 1000, "waited for retry-after");
  equal(completionRequests(stack), 2);
});

Deno.test("429 without retry-after: retried with backoff, then surfaced with the relay's own retry-after", async () => {
  await using stack = await faultStack();
  const error = await chatError(stack, "Hi [[sim status=429 retry_after=0]]");
  ok(error instanceof OpenAI.RateLimitError, String(error));
  ok(Number(error.headers?.get("retry-after-ms")) > 0, "a retry hint");
  ok(Number(error.headers?.get("retry-after")) >= 1);
  equal(completionRequests(stack), 3, "first try and two retries");
});

for (const status of [500, 502, 503]) {
  Deno.test(`${status} before streaming: retried, and answered when the upstream recovers`, async () => {
    await using stack = await faultStack();
    stack.simulator.script({ status, message: "maintenance" });
    const { text, error } = await streamChat(stack, "Hi");
    equal(error, undefined);
    match(text, /You said: Hi/);
    equal(completionRequests(stack), 2);
  });

  Deno.test(`${status} before streaming that persists: surfaced as a 502 with the upstream's message`, async () => {
    await using stack = await faultStack();
    const error = await chatError(stack, `Hi [[sim status=${status} message="maintenance window"]]`, { stream: true });
    ok(error instanceof OpenAI.InternalServerError, String(error));
    equal(error.status, 502);
    match(error.message, new RegExp(`HTTP ${status}: maintenance window`));
    equal(completionRequests(stack), 3);
  });
}

Deno.test("retries stop at the wait budget", async () => {
  await using stack = await faultStack({ retry: { baseDelayMs: 400, maxWaitMs: 500 } });
  const error = await chatError(stack, "Hi [[sim status=503]]");
  equal(error.status, 502);
  equal(completionRequests(stack), 2, "the second backoff (≥ 400 ms) would pass the 500 ms budget");
});

Deno.test("400 is never retried", async () => {
  await using stack = await faultStack();
  const error = await chatError(stack, "Hi", { model: "no::such::model" });
  equal(error.status, 400);
  equal(completionRequests(stack), 1);
});

Deno.test("fallback model: answers when the requested one fails with 5xx, and the response names it", async () => {
  await using stack = await faultStack({ retry: { maxRetries: 0 }, fallbackModels: [FALLBACK] });
  stack.simulator.script({ status: 503 });
  const { text, model, error } = await streamChat(stack, "Hi");
  equal(error, undefined);
  equal(model, FALLBACK);
  match(text, new RegExp(`answering as ${FALLBACK}`));
  const sent = stack.simulator.requests.filter((request) => request.body).map((request) => request.body?.model);
  equal(sent.join(" "), `${MODEL} ${FALLBACK}`);

  stack.simulator.script({ status: 429, retryAfter: 3600 });
  const response = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }),
  });
  const completion = await response.json();
  equal(response.headers.get("x-cody-relay-model"), FALLBACK);
  equal(completion.model, FALLBACK);
});

Deno.test("an upstream error event before any text (HTTP 200) is retried like an HTTP failure", async () => {
  await using stack = await faultStack();
  stack.simulator.script({ errorAfter: 0, message: "Anthropic: unexpected status code 503: overloaded" });
  const { text, error } = await streamChat(stack, "Hi");
  equal(error, undefined);
  match(text, /You said: Hi/);
  equal(completionRequests(stack), 2);
});
