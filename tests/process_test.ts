/**
 * tests/process.ts ends whole process trees: a started process's children go with it, as the
 * relay that `npx cody-relay` runs as its child (it outlived a SIGTERM to npx).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { endProcessGroup, groupMembers, isAlive, startProcess } from "./process.ts";

/** A shell that starts `sleep 60` as its child, prints the child's pid and waits for it, as npx does its command. */
const PARENT_OF_SLEEP = ["-c", "sleep 60 & echo $!; wait"];

/** Kills `pid` if a failed assertion left it running. */
async function killIfAlive(pid: number): Promise<void> {
  if (pid && await isAlive(pid)) Deno.kill(pid, "SIGKILL");
}

Deno.test("disposing of a started process ends the children it started, at once", async () => {
  let sleep = 0;
  try {
    const started = performance.now();
    {
      await using parent = await startProcess("sh", PARENT_OF_SLEEP, {}, 1);
      sleep = Number(parent.lines[0]);
      ok(await isAlive(sleep), "the child runs");
    }
    const elapsed = performance.now() - started;
    ok(elapsed < 5_000, `disposed of in ${elapsed.toFixed(0)} ms (not waiting for the child, heir of its pipes)`);
    equal(await isAlive(sleep), false, "the child ended with its parent");
  } finally {
    await killIfAlive(sleep);
  }
});

Deno.test("a child its parent left behind on exit is still ended on disposal", async () => {
  let sleep = 0;
  try {
    {
      // The child's output goes elsewhere: `status` waits for the end of stderr, which an heir of the pipe would hold.
      await using parent = await startProcess("sh", ["-c", "sleep 60 >/dev/null 2>&1 & echo $!; wait"], {}, 1);
      sleep = Number(parent.lines[0]);
      parent.kill("SIGTERM");
      equal((await parent.status).signal, "SIGTERM");
      ok(await isAlive(sleep), "the orphaned child still runs once its parent exited");
    }
    equal(await isAlive(sleep), false, "the orphaned child ended on disposal");
  } finally {
    await killIfAlive(sleep);
  }
});

Deno.test("endProcessGroup SIGKILLs the processes that ignore SIGTERM once the grace period is over", async () => {
  const parent = new Deno.Command("sh", {
    args: ["-c", `trap "" TERM; ${PARENT_OF_SLEEP[1]}`], // an ignored signal stays ignored in the child
    stdout: "piped",
    detached: true,
  }).spawn();
  const line = await parent.stdout.pipeThrough(new TextDecoderStream()).getReader().read();
  const sleep = Number(line.value);
  try {
    const started = performance.now();
    await endProcessGroup(parent.pid, 300);
    const elapsed = performance.now() - started;
    ok(elapsed >= 300 && elapsed < 3_000, `ended ${elapsed.toFixed(0)} ms after SIGTERM`);
    equal((await parent.status).signal, "SIGKILL");
    deepEqual(await groupMembers(parent.pid), []);
  } finally {
    await killIfAlive(sleep);
  }
});
