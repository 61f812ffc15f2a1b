/**
 * What a config reload changes for an operator, on the real CLI: a gateway key the edit
 * removed stops working everywhere, the console's live feed included.
 */
import { equal, ok } from "node:assert/strict";
import { startRelay } from "../process.ts";

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 8_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A config file of the simulator behind these settings. */
const config = (server: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  JSON.stringify({ upstreams: { sim: { type: "simulator", paceMs: 1 } }, models: { default: "sim" }, server, ...more });

Deno.test("a reload that removes a gateway key ends the console's live feeds opened with it", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/cody-relay.json`;
  await Deno.writeTextFile(path, config({ apiKeys: ["key-one"] }));
  try {
    await using relay = await startRelay(["--config", path, "--port", "0"]);
    const status = async (key: string) =>
      (await fetch(`${relay.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((response) => {
        void response.body?.cancel();
        return response;
      })).status;
    const feed = await fetch(`${relay.url}/ui/api/requests/live`, { headers: { authorization: "Bearer key-one" } });
    equal(feed.status, 200);
    const reader = feed.body!.pipeThrough(new TextDecoderStream()).getReader();
    ok((await reader.read()).value?.startsWith("event: snapshot"));

    await Deno.writeTextFile(path, config({ apiKeys: ["key-two"] }));
    await until(async () => await status("key-one") === 401, "the reload to drop key-one");
    equal(await status("key-two"), 200);

    // The feed must end (its console then reconnects, and key-one is refused), not go on showing every request.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      (async () => {
        while (!(await reader.read()).done) { /* events after the reload */ }
        return true;
      })(),
      new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), 3_000)),
    ]);
    clearTimeout(timer);
    if (!ended) await reader.cancel();
    ok(ended, "the live feed opened with the removed key still streams after the reload");
    const again = await fetch(`${relay.url}/ui/api/requests/live`, { headers: { authorization: "Bearer key-one" } });
    equal(again.status, 401);
    await again.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
