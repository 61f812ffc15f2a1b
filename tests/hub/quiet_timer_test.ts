import { equal, ok } from "node:assert/strict";
import { QuietTimer } from "../../lib/hub/quiet_timer.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("quiet timers of one period: a touched one stays quiet while an untouched one fires, each on its own", async () => {
  let touchedFired = 0;
  let quietFired = 0;
  const touched = new QuietTimer(40, () => touchedFired++);
  const quiet = new QuietTimer(40, () => quietFired++);
  const toucher = setInterval(() => touched.touch(), 5);
  await sleep(130);
  quiet.stop();
  const firedBeforeStop = quietFired;
  await sleep(60);
  clearInterval(toucher);
  touched.stop();
  equal(touchedFired, 0);
  ok(firedBeforeStop >= 1 && firedBeforeStop <= 3, `fired ${firedBeforeStop} times in 130 ms`);
  equal(quietFired, firedBeforeStop, "a stopped timer no longer fires");
});

Deno.test("a quiet timer does not fire before its period has passed, whenever in the shared interval it starts", async () => {
  const early = new QuietTimer(80, () => {});
  await sleep(30);
  let firedAt: number | undefined;
  const started = performance.now();
  const late = new QuietTimer(80, () => firedAt ??= performance.now() - started);
  await sleep(200);
  early.stop();
  late.stop();
  ok(firedAt !== undefined && firedAt >= 75, `fired after ${firedAt} ms`);
});
