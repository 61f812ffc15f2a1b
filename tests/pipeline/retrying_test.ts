/** Retries and fallback models as an upstream wrapper: failed starts asked again, nothing half-sent. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RelayError } from "../../lib/hub/errors.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryable, retrying } from "../../lib/pipeline/retrying.ts";
import { drainAnswer, finish, type Script, scripted, text } from "./helpers.ts";

const fast = { baseDelayMs: 1 };
const answer = (value: string): Script => ({ events: [text(value), finish] });
/** A start that fails inside the stream: its first event is the error (Cody's `event: error`). */
const failsInStream = (error: RelayError): Script => ({ events: [{ type: "error", error }] });

Deno.test("backoff: exponential with jitter between half and all of it, never below retry-after", () => {
  for (const attempt of [0, 1, 2, 3]) {
    const full = DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** attempt;
    equal(backoffDelay(attempt, DEFAULT_RETRY_POLICY, undefined, () => 0), full / 2);
    equal(backoffDelay(attempt, DEFAULT_RETRY_POLICY, undefined, () => 1), full);
  }
  equal(backoffDelay(0, DEFAULT_RETRY_POLICY, 7_000, () => 1), 7_000);
});

Deno.test("what is retried: 429 and 502-504 and unreachable; never 4xx or a body that is not the upstream's", () => {
  for (const status of [429, 502, 503, 504]) ok(isRetryable(new RelayError(status, "x")), String(status));
  for (const status of [400, 401, 403, 404, 413]) ok(!isRetryable(new RelayError(status, "x")), String(status));
  ok(!isRetryable(new RelayError(502, "not Sourcegraph", { retryable: false })));
});

Deno.test("a failing start is retried up to maxRetries; the answer names the failures before it in a meta event", async () => {
  const { upstream, asked } = scripted(new RelayError(503, "a"), failsInStream(new RelayError(502, "b")), answer("ok"));
  const events = await drainAnswer(retrying(upstream, { policy: fast }), { model: "m", messages: [] });
  deepEqual(events, [{ type: "meta", meta: { failures: ["503", "502"] } }, text("ok"), finish]);
  equal(asked.requests.length, 3);
});

Deno.test("retries stop after maxRetries: the last failure rejects open, and nothing was sent", async () => {
  const { upstream, asked } = scripted(new RelayError(503, "1"), new RelayError(503, "2"), new RelayError(503, "3"));
  const sent: RelayEvent[] = [];
  const error = await retrying(upstream, { policy: fast }).open({ messages: [] }, {}, (batch) => sent.push(...batch))
    .catch((error) => error);
  equal(error.message, "3");
  equal(asked.requests.length, 3);
  deepEqual(sent, []);
});

Deno.test("a 429 whose retry-after passes the wait budget is not waited for, and keeps its retry-after", async () => {
  const { upstream, asked } = scripted(new RelayError(429, "busy", { retryAfterMs: 60_000 }));
  const started = performance.now();
  const error = await retrying(upstream, { policy: fast }).open({ messages: [] }, {}, () => {}).catch((error) => error);
  ok(performance.now() - started < 500);
  equal(error.retryAfterMs, 60_000);
  equal(asked.requests.length, 1);
});

Deno.test("fallback models are tried in order after the requested one's retries; 4xx never falls back", async () => {
  const busy = () => new RelayError(429, "busy", { retryAfterMs: 60_000 });
  const down = () => new RelayError(503, "down");
  const fallback = scripted(busy(), down(), down(), down(), answer("ok"));
  const events = await drainAnswer(
    retrying(fallback.upstream, { policy: fast, fallbackModels: ["b", "c"] }),
    { model: "a", messages: [] },
  );
  deepEqual(fallback.asked.requests.map((request) => request.model), ["a", "b", "b", "b", "c"]);
  deepEqual(events[0], { type: "meta", meta: { failures: ["429", "503", "503", "503"], model: "c" } });

  const bad = scripted(new RelayError(400, "bad model"));
  const error = await retrying(bad.upstream, { policy: fast, fallbackModels: ["b"] })
    .open({ model: "a", messages: [] }, {}, () => {}).catch((error) => error);
  equal(error.status, 400);
  deepEqual(bad.asked.requests.map((request) => request.model), ["a"]);
});

Deno.test("an aborted signal stops retrying at once", async () => {
  const { upstream, asked } = scripted(new RelayError(503, "down"), answer("ok"));
  const controller = new AbortController();
  controller.abort();
  const error = await retrying(upstream, { policy: fast }).open(
    { messages: [] },
    { signal: controller.signal },
    () => {},
  )
    .catch((error) => error);
  equal(error.status, 503);
  equal(asked.requests.length, 1);
});

Deno.test("once started, a later error is the answer's, not retried", async () => {
  const { upstream, asked } = scripted({
    events: [text("half"), { type: "error", error: new RelayError(502, "reset") }],
  });
  const events = await drainAnswer(retrying(upstream, { policy: fast }));
  deepEqual(events.map((event) => event.type), ["text", "error"]);
  equal(asked.requests.length, 1);
});
