/**
 * Config hot reload on the real CLI under load: a valid edit takes effect (file watching and
 * SIGHUP), a broken one is rejected with a log line while the previous config keeps serving,
 * and no request of the steady load fails because of a reload.
 */
import { equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { startRelay } from "../process.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

const config = (aliases: Record<string, string>) =>
  JSON.stringify({
    upstreams: { sim: { type: "simulator", paceMs: 2 } },
    models: {
      default: "sim",
      codyAliases: false,
      aliases: Object.fromEntries(Object.entries(aliases).map(([id, model]) => [id, { upstream: "sim", model }])),
    },
  });

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 8_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("hot reload: valid edits apply, a broken one is rejected and logged, the steady load never fails", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/cody-relay.json`;
  await Deno.writeTextFile(path, config({ first: SONNET }));
  try {
    await using relay = await startRelay(["--config", path, "--port", "0"]);
    const openai = new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "demo", maxRetries: 0 });
    const works = (model: string) =>
      openai.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] }).then(
        () => true,
        () => false,
      );

    let running = true;
    let done = 0;
    const failures: string[] = [];
    const load = Array.from({ length: 8 }, async () => {
      while (running) {
        try {
          const stream = await openai.chat.completions.create({
            model: SONNET,
            messages: [{ role: "user", content: "Hi [[sim words=30]]" }],
            stream: true,
          });
          let finish: string | null | undefined;
          for await (const chunk of stream) finish ??= chunk.choices[0]?.finish_reason;
          if (finish !== "stop") failures.push(`finish ${finish}`);
          done++;
        } catch (error) {
          failures.push(String(error));
        }
      }
    });

    ok(await works("first"));
    equal(await works("second"), false);
    await Deno.writeTextFile(path, config({ first: SONNET, second: SONNET }));
    await until(() => works("second"), "the file watch to apply a valid edit");

    await Deno.writeTextFile(path, '{ "upstreams": { "sim": { "type": "simulator" } }, "models": ');
    relay.kill("SIGHUP");
    await until(() => relay.stderr.includes("config reload rejected"), "the broken edit to be rejected");
    match(relay.stderr, /config reload rejected \((SIGHUP|the file changed)\): .*not valid JSON/);
    ok(await works("second"), "the previous config keeps serving");

    await Deno.writeTextFile(path, config({ second: SONNET }));
    relay.kill("SIGHUP");
    await until(async () => !(await works("first")), "SIGHUP to apply an edit that drops an alias");
    ok(await works("second"));

    running = false;
    await Promise.all(load);
    equal(failures.length, 0, failures.slice(0, 3).join("\n"));
    ok(done > 20, `${done} streams completed under load`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
