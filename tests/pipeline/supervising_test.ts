/** Every time limit and shutdown, in one wrapper: before the answer starts they reject `open`; after, they end it with an error. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { supervising, timeoutError } from "../../lib/pipeline/supervising.ts";
import { isRetryable } from "../../lib/pipeline/retrying.ts";
import { drainAnswer, finish, scripted, text } from "./helpers.ts";

Deno.test("first-event limit: before open resolved it rejects with a 504 and aborts the request; after, it ends the answer", async () => {
  let signal: AbortSignal | undefined;
  const never = {
    open: (_: unknown, context: { signal?: AbortSignal }) => (signal = context.signal, new Promise<never>(() => {})),
    models: () => Promise.resolve([]),
  };
  const error = await supervising(never, { timeouts: { firstEventMs: 30 } }).open({ messages: [] }, {}, () => {})
    .catch((error) => error);
  equal(error.status, 504);
  ok(/first-event-timeout/.test(error.message));
  ok(signal?.aborted, "the upstream's signal aborted");
  ok(!isRetryable(timeoutError("firstEventMs", 30)), "a time limit is never retried");

  const { upstream, asked } = scripted({ events: [], stall: true });
  const [event] = await drainAnswer(supervising(upstream, { timeouts: { firstEventMs: 30 } }));
  ok(event.type === "error" && event.error.status === 504);
  equal(asked.cancelled, 1);
});

Deno.test("idle limit: a stream quiet for idleMs to 1.25 × idleMs ends with an error after what it sent", async () => {
  const { upstream, asked } = scripted({ events: [text("a"), text("b")], pauseMs: 10, stall: true });
  const started = performance.now();
  const events = await drainAnswer(supervising(upstream, { timeouts: { firstEventMs: 1_000, idleMs: 200 } }));
  const quietFor = performance.now() - started - 20;
  deepEqual(events.slice(0, 2), [text("a"), text("b")]);
  const last = events.at(-1)!;
  ok(last.type === "error" && last.error.code === "upstream_timeout" && /idle/.test(last.error.message));
  ok(quietFor >= 190 && quietFor < 330, `expired after ${quietFor.toFixed(0)} ms of quiet`);
  equal(asked.cancelled, 1);
});

Deno.test("total limit: a long answer ends with the total-timeout error; a finished one is not cancelled", async () => {
  const slow = scripted({ events: [text("a"), text("b"), text("c"), text("d")], pauseMs: 40, stall: true });
  const events = await drainAnswer(supervising(slow.upstream, { timeouts: { totalMs: 100 } }));
  const last = events.at(-1)!;
  ok(last.type === "error" && /--total-timeout/.test(last.error.message));
  const quick = scripted({ events: [text("a"), finish] });
  deepEqual(await drainAnswer(supervising(quick.upstream, { timeouts: { totalMs: 1_000 } })), [text("a"), finish]);
  equal(quick.asked.cancelled, 0);
  ok(!quick.asked.contexts[0].signal?.aborted);
});

Deno.test("shutdown: running answers end with a 503 shutting_down; a client's abort reaches the upstream", async () => {
  const shutdown = new AbortController();
  const { upstream } = scripted({ events: [text("a")], stall: true });
  const answer = drainAnswer(supervising(upstream, { shutdownSignal: shutdown.signal }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  shutdown.abort();
  const last = (await answer).at(-1)!;
  ok(last.type === "error" && last.error.status === 503 && last.error.code === "shutting_down");

  const client = new AbortController();
  const abandoned = scripted({ events: [], stall: true });
  void supervising(abandoned.upstream).open({ messages: [] }, { signal: client.signal }, () => {});
  await new Promise((resolve) => setTimeout(resolve, 10));
  client.abort();
  ok(abandoned.asked.contexts[0].signal?.aborted);
});
