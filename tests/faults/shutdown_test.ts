/**
 * Fault suite, part 5: SIGTERM with streams in flight, on the real cli.ts process (Deno,
 * and Bun when available): no new connections, a short answer finishes within the grace
 * period, a long one ends with an in-stream `shutting_down` error, and the exit code is 0.
 */
import { equal, match, ok } from "node:assert/strict";
import { bunPath, startProcess } from "../process.ts";
import { MODEL, openai } from "./helpers.ts";
import type { Stack } from "../harness.ts";

/** Starts a stream and reads its first chunk; `rest` reads the remainder (wrapped, so awaiting the start does not await the end). */
async function streamFrom(url: string, words: number) {
  const stream = await openai({ relayUrl: url } as Stack, "demo").chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: `Hi [[sim words=${words}]]` }],
    stream: true,
  });
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  const rest = (async () => {
    let text = first.value?.choices[0]?.delta.content ?? "";
    let finish: string | null | undefined;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        text += next.value.choices[0]?.delta.content ?? "";
        finish ??= next.value.choices[0]?.finish_reason;
      }
      return { text, finish };
    } catch (error) {
      return { text, finish, error: error as Error };
    }
  })();
  return { rest };
}

const bun = await bunPath();
const runtimes: [string, string, string[]][] = [["Deno", Deno.execPath(), ["run", "-A", "cli.ts"]]];
if (bun) runtimes.push(["Bun", bun, ["cli.ts"]]);
else console.log("Bun shutdown test skipped: `npx -y bun@1.4.4` cannot run here.");

for (const [name, command, args] of runtimes) {
  Deno.test(`${name}: SIGTERM lets short answers finish, ends long ones with an error, exits 0`, async () => {
    await using relay = await startProcess(command, [...args, "--port", "0", "--shutdown-grace", "1.5"]);
    // The demo simulator paces 15 ms per word: 30 words take ~0.5 s, 2,000 words ~30 s.
    const [short, long] = await Promise.all([streamFrom(relay.url, 30), streamFrom(relay.url, 2000)]);
    const signalled = performance.now();
    relay.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await fetch(`${relay.url}/health`).then(() => false, () => true);
    ok(refused, "no new connections after SIGTERM");
    const shortResult = await short.rest;
    equal(shortResult.error, undefined);
    equal(shortResult.finish, "stop");
    const longResult = await long.rest;
    match(String(longResult.error?.message), /shutting down/, relay.stderr);
    equal(longResult.finish, undefined);
    const status = await relay.status;
    const elapsed = performance.now() - signalled;
    equal(status.code, 0, relay.stderr);
    ok(elapsed >= 1_400 && elapsed < 5_000, `exited ${elapsed.toFixed(0)} ms after SIGTERM`);
  });
}
