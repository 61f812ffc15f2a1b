import { deepEqual, equal, ok } from "node:assert/strict";
import { Deadline } from "../../lib/hub/deadline.ts";
import { sleep } from "../../lib/hub/sleep.ts";
import { countCalls, inProcess } from "./runtime_timers.ts";

Deno.test("deadlines of one duration expire in the order they were set, none before its time", async () => {
  const expired: [string, number][] = [];
  const started = performance.now();
  const at = (name: string) => () => expired.push([name, performance.now() - started]);
  new Deadline(40, at("first"));
  await sleep(15);
  new Deadline(40, at("second"));
  await sleep(100);
  deepEqual(expired.map(([name]) => name), ["first", "second"]);
  ok(expired[0][1] >= 39, `the first expired after ${expired[0][1]} ms`);
  ok(expired[1][1] >= 54, `the second expired after ${expired[1][1]} ms`);
});

Deno.test("a cancelled deadline never expires, first, middle or last of its list", async () => {
  const expired: string[] = [];
  const first = new Deadline(30, () => expired.push("first"));
  const middle = new Deadline(30, () => expired.push("middle"));
  new Deadline(30, () => expired.push("kept"));
  const last = new Deadline(30, () => expired.push("last"));
  first.cancel();
  middle.cancel();
  last.cancel();
  last.cancel(); // twice does nothing
  await sleep(80);
  deepEqual(expired, ["kept"]);
});

Deno.test("a list whose head was cancelled still expires the next at its own time", async () => {
  const started = performance.now();
  let expiredAfter: number | undefined;
  const head = new Deadline(30, () => {});
  await sleep(20);
  new Deadline(30, () => expiredAfter = performance.now() - started);
  head.cancel();
  await sleep(90);
  ok(expiredAfter !== undefined && expiredAfter >= 49, `expired after ${expiredAfter} ms`);
});

Deno.test("deadlines of different durations keep to their own times", async () => {
  const expired: string[] = [];
  new Deadline(60, () => expired.push("long"));
  new Deadline(10, () => expired.push("short"));
  await sleep(100);
  deepEqual(expired, ["short", "long"]);
});

Deno.test("a deadline set while its list expires, and one that throws, do not stop the others", async () => {
  const expired: string[] = [];
  const thrown: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    thrown.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    new Deadline(20, () => {
      expired.push("first");
      new Deadline(20, () => expired.push("set while expiring"));
      throw new Error("boom");
    });
    new Deadline(20, () => expired.push("second"));
    await sleep(90);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  deepEqual(expired, ["first", "second", "set while expiring"]);
  equal((thrown[0] as Error).message, "boom");
});

Deno.test("cancelling a deadline after it expired does nothing, and a later one of that duration still expires", async () => {
  let expired = 0;
  const done = new Deadline(10, () => expired++);
  await sleep(40);
  done.cancel();
  new Deadline(10, () => expired++);
  await sleep(40);
  equal(expired, 2);
});

Deno.test("a deadline further off than a runtime timer can wait neither expires nor wakes the process over and over", async () => {
  let expired = false;
  const armed = await countCalls("setTimeout", async () => {
    const far = new Deadline(2 ** 32, () => expired = true);
    await sleep(50);
    far.cancel();
  });
  equal(expired, false);
  ok(armed <= 2, `armed ${armed} runtime timers in 50 ms`); // the test's own sleep is one
});

Deno.test("deadlines set and cancelled one at a time (one user's requests) share one runtime timer, and the next still expires", async () => {
  let expired = 0;
  const armed = await countCalls("setTimeout", () => {
    for (let request = 0; request < 100; request++) new Deadline(61, () => expired += 100).cancel();
    new Deadline(61, () => expired++);
  });
  equal(armed, 1, `armed ${armed} runtime timers for 101 deadlines set one after another`);
  await sleep(150);
  equal(expired, 1);
});

Deno.test("a cancelled deadline keeps no process waiting; one set after it keeps the process until it expires", async () => {
  const cancelled = await inProcess("deadline.ts", "Deadline", "new Deadline(60_000, () => {}).cancel();");
  ok(cancelled.ms < 10_000, `a process with only a cancelled 60 s deadline ran ${Math.round(cancelled.ms)} ms`);
  const later = await inProcess(
    "deadline.ts",
    "Deadline",
    `
    new Deadline(100, () => {}).cancel();
    setTimeout(() => new Deadline(100, () => console.log("expired")), 20);
  `,
  );
  equal(later.stdout, "expired\n");
});
