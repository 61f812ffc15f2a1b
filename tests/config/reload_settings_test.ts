/**
 * What a config reload changes for an operator, on the real CLI: a gateway key the edit
 * removed stops working everywhere, the console's live feed included; the other settings apply;
 * and an open console does not hold up a shutdown.
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

Deno.test("a reload applies what it changes: metrics off, the log level and format, the shutdown grace", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/cody-relay.json`;
  await Deno.writeTextFile(path, config({ metrics: true }, { logging: { level: "info" } }));
  try {
    await using relay = await startRelay(["--config", path, "--port", "0"]);
    const metrics = async () => {
      const response = await fetch(`${relay.url}/metrics`);
      await response.body?.cancel();
      return response.status;
    };
    equal(await metrics(), 200);
    await Deno.writeTextFile(
      path,
      config({ metrics: false, shutdownGrace: 0.2 }, { logging: { level: "debug", format: "json" } }),
    );
    await until(() => relay.stderr.includes("config reloaded"), "the reload");
    equal(await metrics(), 404, "metrics turned off by the reload are still served");
    // Debug lines (probes are logged at debug level), as JSON.
    await (await fetch(`${relay.url}/health`)).body?.cancel();
    await until(
      () =>
        relay.stderr.split("\n").some((line) =>
          line.startsWith("{") && line.includes('"level":"DEBUG"') && line.includes('"path":"/health"')
        ),
      "a debug line in JSON after the reload",
      3_000,
    );

    // A stream that outlives the new grace period of 0.2 s (the old one was 10 s) ends with the shutdown error.
    const stream = await fetch(`${relay.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer demo" },
      body: JSON.stringify({
        model: "cody-sonnet",
        stream: true,
        messages: [{ role: "user", content: "Hi [[sim words=5000]]" }],
      }),
    });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    await reader.read();
    const signalled = performance.now();
    relay.kill("SIGTERM");
    let text = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
    ok(text.includes("shutting_down"), text.slice(-300));
    const waited = performance.now() - signalled;
    ok(waited < 5_000, `the stream ended ${Math.round(waited)} ms after SIGTERM: the reloaded grace was ignored`);
    equal((await relay.status).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM with a console open and no answer in flight exits at once, not after the grace period", async () => {
  await using relay = await startRelay(["--port", "0", "--shutdown-grace", "30"]);
  const feed = await fetch(`${relay.url}/ui/api/requests/live`);
  const reader = feed.body!.pipeThrough(new TextDecoderStream()).getReader();
  ok((await reader.read()).value?.startsWith("event: snapshot"));
  const signalled = performance.now();
  relay.kill("SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = await Promise.race([
    relay.status.then((status) => status.code),
    new Promise<"waiting">((resolve) => timer = setTimeout(() => resolve("waiting"), 5_000)),
  ]);
  clearTimeout(timer);
  await reader.cancel().catch(() => {});
  equal(exited, 0, `still running ${Math.round(performance.now() - signalled)} ms after SIGTERM`);
  ok(!relay.stderr.includes("grace period over"), relay.stderr);
});
