import { deepEqual, equal, ok } from "node:assert/strict";
import { RelayError } from "../../lib/hub/errors.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import { backoffDelay, DEFAULT_RETRY_POLICY, firstRound, isRetryable } from "../../lib/hub/retry.ts";
import { timeoutError } from "../../lib/hub/timeouts.ts";
import { RequestTrace } from "../../lib/hub/trace.ts";

const fast = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1 };

/** An upstream that answers each attempt from `plan` (an error or text) and records the models asked. */
function scripted(plan: (RelayError | string)[]) {
  const asked: (string | undefined)[] = [];
  const open = (model: string | undefined) => {
    asked.push(model);
    const step = plan.shift() ?? "ok";
    const event: RelayEvent = step instanceof RelayError
      ? { type: "error", error: step }
      : { type: "text", text: step };
    const events: RelayEvent[] = event.type === "error" ? [event] : [event, { type: "finish", reason: "stop" }];
    return { events: ReadableStream.from(events), first: Promise.resolve(event) };
  };
  return { open, asked };
}

Deno.test("backoff: exponential with jitter between half and all of it, never below retry-after", () => {
  for (const attempt of [0, 1, 2, 3]) {
    const full = DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** attempt;
    equal(backoffDelay(attempt, DEFAULT_RETRY_POLICY, undefined, () => 0), full / 2);
    equal(backoffDelay(attempt, DEFAULT_RETRY_POLICY, undefined, () => 1), full);
  }
  equal(backoffDelay(0, DEFAULT_RETRY_POLICY, 7_000, () => 1), 7_000);
});

Deno.test("what is retried: 429 and 502-504 and unreachable; never 4xx, refused credentials or a time limit", () => {
  for (const status of [429, 502, 503, 504]) ok(isRetryable(new RelayError(status, "x")), String(status));
  for (const status of [400, 401, 403, 404, 413]) ok(!isRetryable(new RelayError(status, "x")), String(status));
  ok(!isRetryable(timeoutError("firstEventMs", 1000)));
  ok(!isRetryable(new RelayError(502, "not Sourcegraph", { retryable: false })));
});

Deno.test("a failing first round is retried up to maxRetries, and the trace counts the retries and failures", async () => {
  const { open, asked } = scripted([new RelayError(503, "a"), new RelayError(502, "b"), "answer"]);
  const trace = new RequestTrace();
  const { events, model } = await firstRound(open, ["m"], { policy: fast, trace });
  deepEqual((await Array.fromAsync(events)).map((event) => event.type), ["text", "finish"]);
  equal(model, "m");
  equal(asked.length, 3);
  equal(trace.retries, 2);
  deepEqual(trace.upstreamErrors, ["503", "502"]);
});

Deno.test("retries stop after maxRetries; the last failure is the answer", async () => {
  const { open, asked } = scripted([new RelayError(503, "1"), new RelayError(503, "2"), new RelayError(503, "3")]);
  const { events } = await firstRound(open, ["m"], { policy: fast });
  const [event] = await Array.fromAsync(events);
  ok(event.type === "error" && event.error.message === "3");
  equal(asked.length, 3);
});

Deno.test("a 429 whose retry-after passes the wait budget is not waited for; it gets its retry-after kept", async () => {
  const { open, asked } = scripted([new RelayError(429, "busy", { retryAfterMs: 60_000 })]);
  const started = performance.now();
  const [event] = await Array.fromAsync((await firstRound(open, ["m"], { policy: fast })).events);
  ok(performance.now() - started < 500);
  ok(event.type === "error" && event.error.retryAfterMs === 60_000);
  equal(asked.length, 1);
});

Deno.test("fallback models are tried in order after the requested one's retries; 4xx never falls back", async () => {
  const busy = () => new RelayError(429, "busy", { retryAfterMs: 60_000 });
  const fallback = scripted([
    busy(),
    new RelayError(503, "down"),
    new RelayError(503, "down"),
    new RelayError(503, "down"),
    "ok",
  ]);
  const answered = await firstRound(fallback.open, ["a", "b", "c"], { policy: fast });
  equal(answered.model, "c");
  deepEqual(fallback.asked, ["a", "b", "b", "b", "c"]);

  const bad = scripted([new RelayError(400, "bad model")]);
  const refused = await firstRound(bad.open, ["a", "b"], { policy: fast });
  deepEqual(bad.asked, ["a"]);
  equal(refused.model, "a");
});

Deno.test("an aborted signal stops retrying at once", async () => {
  const { open, asked } = scripted([new RelayError(503, "down"), "ok"]);
  const controller = new AbortController();
  controller.abort();
  const [event] = await Array.fromAsync(
    (await firstRound(open, ["m"], { policy: fast, signal: controller.signal })).events,
  );
  equal(event.type, "error");
  equal(asked.length, 1);
});
