import { deepEqual, equal, ok } from "node:assert/strict";
import type { RelayEvent } from "../../lib/hub/events.ts";
import { interruptible } from "../../lib/hub/interruptible.ts";
import { superviseAnswer } from "../../lib/hub/supervise.ts";
import { guardRound } from "../../lib/hub/timeouts.ts";
import { RequestTrace } from "../../lib/hub/trace.ts";

/** Events sent with a pause before each of the given indices, then a stall or a finish. */
function paced(events: RelayEvent[], pauseMs: number, stall = false): ReadableStream<RelayEvent> {
  let index = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (index < events.length) return controller.enqueue(events[index++]);
      if (stall) return new Promise(() => {});
      controller.close();
    },
  }, { highWaterMark: 0 });
}

const text = (value: string): RelayEvent => ({ type: "text", text: value });
const finish: RelayEvent = { type: "finish", reason: "stop" };

Deno.test("interruptible: first is known before reading; failed starts and reads become error events", async () => {
  const started = interruptible(ReadableStream.from([text("a"), finish]));
  deepEqual(await started.first, text("a"));
  deepEqual(await Array.fromAsync(started.events), [text("a"), finish]);

  const rejected = interruptible(Promise.reject(new Error("no route to host")));
  const [failure] = await Array.fromAsync(rejected.events);
  ok(failure.type === "error" && failure.error.status === 502 && /no route to host/.test(failure.error.message));

  const broken = new ReadableStream<RelayEvent>({
    start(controller) {
      controller.enqueue(text("a"));
      controller.error(new Error("reset"));
    },
  });
  const events = await Array.fromAsync(interruptible(broken).events);
  equal(events.at(-1)?.type, "error");
  equal(await interruptible(ReadableStream.from<RelayEvent>([])).first, undefined);
});

Deno.test("interruptible: cancelling before the source opened cancels it once it does", async () => {
  let cancelled = false;
  let open!: (stream: ReadableStream<RelayEvent>) => void;
  const guarded = interruptible(new Promise((resolve) => open = resolve));
  await guarded.events.cancel();
  open(new ReadableStream({ cancel: () => void (cancelled = true) }));
  await new Promise((resolve) => setTimeout(resolve, 0));
  ok(cancelled);
});

Deno.test("guardRound: the idle limit ends a stalled round after between idleMs and 1.25 × idleMs, aborting it", async () => {
  let signal!: AbortSignal;
  const started = performance.now();
  const { events } = guardRound((given) => {
    signal = given;
    return Promise.resolve(paced([text("a"), text("b")], 10, true));
  }, { firstEventMs: 1_000, idleMs: 200 });
  const seen = await Array.fromAsync(events);
  const quietFor = performance.now() - started - 20;
  deepEqual(seen.slice(0, 2), [text("a"), text("b")]);
  ok(seen[2].type === "error" && seen[2].error.code === "upstream_timeout" && /idle/.test(seen[2].error.message));
  ok(quietFor >= 190 && quietFor < 320, `expired after ${quietFor.toFixed(0)} ms of quiet`);
  ok(signal.aborted);
});

Deno.test("guardRound: a round that finishes in time is not aborted; a parent abort reaches the upstream", async () => {
  let signal!: AbortSignal;
  const { events } = guardRound((given) => {
    signal = given;
    return Promise.resolve(paced([text("a"), finish], 5));
  }, { firstEventMs: 200, idleMs: 200 });
  deepEqual(await Array.fromAsync(events), [text("a"), finish]);
  ok(!signal.aborted);

  const parent = new AbortController();
  let child!: AbortSignal;
  guardRound((given) => (child = given, new Promise(() => {})), { firstEventMs: 10_000, idleMs: 10_000 }, parent.signal)
    .events.cancel();
  parent.abort();
  ok(child.aborted);
});

Deno.test("superviseAnswer: the total limit, usage, continuations and the error go to the trace", async () => {
  const trace = new RequestTrace();
  const usage = { promptTokens: 4, completionTokens: 2 };
  const { events } = superviseAnswer(paced([text("a"), { type: "usage", usage }, text("b")], 40, true), {
    totalMs: 150,
    trace,
  });
  const seen = await Array.fromAsync(events);
  ok(seen.at(-1)?.type === "error");
  deepEqual(trace.usage, usage);
  equal(trace.error?.code, "upstream_timeout");
  trace.end();
  equal(trace.outcome, "timeout");

  const finished = new RequestTrace();
  const done = superviseAnswer(ReadableStream.from<RelayEvent>([{ ...finish, continuations: 2 }]), {
    totalMs: 1_000,
    trace: finished,
  });
  await Array.fromAsync(done.events);
  equal(finished.continuations, 2);
});

Deno.test("superviseAnswer: abandoning (cancel or interrupt) calls onAbandon once; finishing does not", async () => {
  let abandoned = 0;
  const cancelled = superviseAnswer(paced([text("a")], 5, true), { totalMs: 1_000, onAbandon: () => abandoned++ });
  await cancelled.first;
  await cancelled.events.cancel();
  equal(abandoned, 1);
  const completed = superviseAnswer(ReadableStream.from([finish]), { totalMs: 1_000, onAbandon: () => abandoned++ });
  await Array.fromAsync(completed.events);
  equal(abandoned, 1);
});
