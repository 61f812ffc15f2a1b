/**
 * Fault suite, part 2: upstreams that stall, break or send garbage. Each must become a
 * precise client-visible error, never a clean finish and never a hang; the upstream
 * request is abandoned when the relay gives up on it.
 */
import { equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { TOKEN } from "../harness.ts";
import { chatError, completionRequests, faultStack, MODEL, referenceText, streamChat } from "./helpers.ts";

/** What the simulator answers to `Hi [[sim words=40]]` when nothing goes wrong. */
const WHOLE = await referenceText(40);

/** Asserts `text` is a proper beginning of the whole answer: something arrived, not all of it. */
function partial(text: string): void {
  ok(text.length > 0 && text.length < WHOLE.length && WHOLE.startsWith(text), `partial text: ${JSON.stringify(text)}`);
}

Deno.test("stall before the first event: a 504 naming the time-to-first-event limit; the upstream is abandoned", async () => {
  await using stack = await faultStack({ timeouts: { firstEventMs: 300 } });
  const started = performance.now();
  const error = await chatError(stack, "Hi [[sim stall_after=0]]", { stream: true });
  const elapsed = performance.now() - started;
  equal(error.status, 504);
  match(error.message, /no answer within 0\.3 s.*--first-event-timeout/);
  ok(elapsed >= 290 && elapsed < 2_000, `gave up after ${elapsed} ms`);
  equal(await stack.simulator.requests.at(-1)!.outcome, "aborted");
  equal(completionRequests(stack), 1, "a time limit is not retried");
});

Deno.test("stall mid-stream: the text so far, then an in-stream 504 naming the idle limit", async () => {
  await using stack = await faultStack({ timeouts: { idleMs: 300 } });
  const { text, error, finish } = await streamChat(stack, "Hi [[sim words=40 stall_after=3]]");
  ok(error instanceof OpenAI.APIError, String(error));
  match(error.message, /went quiet for 0\.3 s.*--idle-timeout/);
  partial(text);
  equal(finish, undefined, "never a finish_reason");
  equal(await stack.simulator.requests.at(-1)!.outcome, "aborted");
});

Deno.test("the total limit ends a slow answer with a 504, whatever its pace", async () => {
  await using stack = await faultStack({ timeouts: { totalMs: 400 } });
  const { text, error } = await streamChat(stack, "Hi [[sim words=200 pace_ms=20]]");
  match(String(error?.message), /longer than 0\.4 s.*--total-timeout/);
  ok(text.length > 0, "some text arrived before the limit");
  equal(await stack.simulator.requests.at(-1)!.outcome, "aborted");
});

Deno.test("an upstream error event after N deltas: the text, then that error; not retried", async () => {
  await using stack = await faultStack();
  const { text, error, finish } = await streamChat(stack, 'Hi [[sim words=30 error_after=4 message="quota gone"]]');
  match(String(error?.message), /quota gone/);
  partial(text);
  equal(finish, undefined);
  equal(completionRequests(stack), 1);
});

for (
  const [fault, expected] of [
    ["drop_after=3", /upstream (connection|stream) failed|closed before the response ended/],
    ["truncate_after=3", /closed the stream before the answer finished \(no done event\)/],
    ["bad_json_after=3", /malformed completion event: \{"deltaText":"trunc/],
  ] as const
) {
  Deno.test(`${fault}: the text so far, then an error, never a clean finish`, async () => {
    await using stack = await faultStack();
    const { text, error, finish } = await streamChat(stack, `Hi [[sim words=40 ${fault}]]`);
    ok(error instanceof OpenAI.APIError, String(error));
    match(error.message, expected);
    partial(text);
    equal(finish, undefined);
  });
}

Deno.test("a garbage body with an event-stream type: an error, not an empty answer", async () => {
  await using stack = await faultStack();
  const error = await chatError(stack, "Hi [[sim garbage=1]]", { stream: true });
  equal(error.status, 502);
  match(error.message, /no done event/);
});

for (const status of [200, 503]) {
  Deno.test(`an HTML page with ${status} (a proxy's "Just a moment…"): a 502 that says so`, async () => {
    await using stack = await faultStack({ retry: { maxRetries: 0 } });
    stack.simulator.script({ html: 1, status });
    const error = await chatError(stack, "Hi", { stream: true });
    equal(error.status, 502);
    match(error.message, /HTML page.*proxy or firewall/);
    ok(!error.message.includes("<html"), "the page itself is not passed on");
  });
}

Deno.test("non-streaming answers fail the same way: a JSON error, not a partial answer", async () => {
  await using stack = await faultStack({ timeouts: { idleMs: 300 } });
  const error = await chatError(stack, "Hi [[sim words=40 stall_after=3]]");
  equal(error.status, 504);
  match(error.message, /--idle-timeout/);
});

Deno.test("a slow first event: ': keepalive' comments keep the stream open, and clients parse the answer", async () => {
  await using stack = await faultStack({ keepAliveMs: 100 });
  const response = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({
      model: MODEL,
      stream: true,
      messages: [{ role: "user", content: "Hi [[sim delay_ms=450]]" }],
    }),
  });
  equal(response.status, 200);
  const body = await response.text();
  const keepalives = body.split("\n\n").filter((event) => event === ": keepalive").length;
  ok(keepalives >= 3 && keepalives <= 6, `${keepalives} keep-alives in 450 ms at 100 ms`);
  ok(body.indexOf(": keepalive") < body.indexOf("data: "), "keep-alives come before the answer");
  ok(body.trimEnd().endsWith("data: [DONE]"));

  const { text, error } = await streamChat(stack, "Hi [[sim delay_ms=350]]");
  equal(error, undefined);
  match(text, /You said: Hi/);
});

Deno.test("an upstream that fails after the stream committed early: an in-stream error", async () => {
  await using stack = await faultStack({ keepAliveMs: 100, timeouts: { firstEventMs: 400 } });
  const { text, error } = await streamChat(stack, "Hi [[sim stall_after=0]]");
  equal(text, "");
  match(String(error?.message), /--first-event-timeout/);
});

Deno.test("Ollama's NDJSON gets no keep-alive comments", async () => {
  await using stack = await faultStack({ keepAliveMs: 100 });
  const response = await fetch(`${stack.relayUrl}/api/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Hi [[sim delay_ms=350]]" }] }),
  });
  const lines = (await response.text()).trim().split("\n");
  ok(lines.every((line) => JSON.parse(line)), "every line is JSON");
  equal(JSON.parse(lines.at(-1)!).done, true);
});
