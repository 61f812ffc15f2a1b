import { equal, ok } from "node:assert/strict";
import { QuietTimer } from "../../lib/hub/quiet_timer.ts";
import { countCalls, inProcess } from "./runtime_timers.ts";

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

Deno.test("quiet timers started and stopped one at a time (one user's requests) share one runtime interval", async () => {
  const started = await countCalls("setInterval", () => {
    for (let request = 0; request < 100; request++) new QuietTimer(44, () => {}).stop();
  });
  equal(started, 1, `started ${started} runtime intervals for 100 timers one after another`);
});

Deno.test("a stopped quiet timer keeps no process waiting; one started after it keeps the process until stopped", async () => {
  const run = (code: string) => inProcess("quiet_timer.ts", "QuietTimer", code);
  const stopped = await run("new QuietTimer(60_000, () => {}).stop();");
  ok(stopped.ms < 10_000, `a process with only a stopped 60 s quiet timer ran ${Math.round(stopped.ms)} ms`);
  const later = await run(`
    new QuietTimer(80, () => {}).stop();
    setTimeout(() => {
      const timer = new QuietTimer(80, () => {
        console.log("quiet");
        timer.stop();
      });
    }, 10);
  `);
  equal(later.stdout, "quiet\n");
});
