import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import { ConnectGate } from "../../lib/transport/connect_gate.ts";

Deno.test("connect gate: at most limit inside, the others let in in order as they leave", async () => {
  const gate = new ConnectGate(2);
  const order: number[] = [];
  const leaves = await Promise.all([gate.enter(), gate.enter()]);
  const waiting = [3, 4, 5].map((n) => gate.enter().then((leave) => (order.push(n), leave)));
  await Promise.resolve();
  equal(gate.inside, 2);
  deepEqual(order, []);
  leaves[0]();
  leaves[0](); // leaving twice frees one place only
  const third = await waiting[0];
  deepEqual(order, [3]);
  equal(gate.inside, 2);
  leaves[1]();
  third();
  for (const leave of await Promise.all(waiting.slice(1))) leave();
  deepEqual(order, [3, 4, 5]);
  equal(gate.inside, 0);
});

Deno.test("connect gate: an aborted wait takes no place; an aborted signal is refused at once", async () => {
  const gate = new ConnectGate(1);
  const leave = await gate.enter();
  const abort = new AbortController();
  const aborted = gate.enter(abort.signal);
  const next = gate.enter();
  abort.abort(new Error("gone"));
  await rejects(aborted, /gone/);
  leave();
  (await next)();
  equal(gate.inside, 0);
  await rejects(gate.enter(AbortSignal.abort(new Error("already"))), /already/);
  throws(() => new ConnectGate(0), RangeError);
});
