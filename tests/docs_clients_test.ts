/**
 * docs/clients.md keeps the shape the web console's "Connect a client" page reads (a
 * `### <name>` section per client, a first paragraph saying where the text goes, fenced
 * blocks naming the relay and the model exactly as the console replaces them), its JSON
 * blocks parse, and its TypeScript blocks run against the relay on the simulator. The agent
 * tests in tests/e2e/ run their clients with the other blocks.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { configuredApp } from "../lib/cli/relay_app.ts";
import { parseConfig } from "../lib/cli/config.ts";
import { serve } from "../lib/server/serve.ts";
import { clientSetups, DOCUMENTED_MODEL, DOCUMENTED_RELAY, documentedSetups } from "./docs_clients.ts";

const root = new URL("../", import.meta.url);

Deno.test("every client in docs/clients.md has a where-it-goes paragraph and blocks naming the relay and the model exactly", async () => {
  const setups = await documentedSetups();
  ok(setups.length >= 15, `only ${setups.length} clients`);
  deepEqual(new Set(setups.map((setup) => setup.name)).size, setups.length, "client names are unique");
  for (const { name, intro, blocks } of setups) {
    ok(intro.endsWith(":"), `### ${name}: the first paragraph says where the text goes, ending in ":": ${intro}`);
    ok(intro.length <= 400, `### ${name}: the first paragraph is short`);
    ok(blocks.length > 0, `### ${name} has no fenced block`);
    for (const { lang, text } of blocks) {
      ok(lang !== "", `### ${name}: a block without a language`);
      ok(text.includes(DOCUMENTED_RELAY), `### ${name}: a ${lang} block does not name ${DOCUMENTED_RELAY}`);
      for (const [address] of text.matchAll(/(https?:\/\/)?(127\.0\.0\.1|localhost|0\.0\.0\.0)(:\d+)?/g)) {
        equal(address, DOCUMENTED_RELAY, `### ${name}: the relay is written as ${DOCUMENTED_RELAY}`);
      }
      for (const [model] of text.matchAll(/[\w-]+::\d{4}-\d{2}-\d{2}::[\w.-]+/g)) {
        equal(model, DOCUMENTED_MODEL, `### ${name}: the model is written as ${DOCUMENTED_MODEL}`);
      }
      if (lang === "json") JSON.parse(text);
    }
  }
});

Deno.test("clientSetups: sections end at any heading above ###, headings inside blocks do not count", () => {
  const markdown = [
    "# Clients",
    "### A",
    "In `a.json`:",
    "more of the same paragraph:",
    "",
    "```sh",
    "# a comment, not a heading",
    "run",
    "```",
    "",
    "after",
    "## Other",
    "not a client",
  ].join("\n");
  deepEqual(clientSetups(markdown), [
    {
      name: "A",
      intro: "In `a.json`: more of the same paragraph:",
      blocks: [{ lang: "sh", text: "# a comment, not a heading\nrun\n" }],
    },
  ]);
});

Deno.test("every TypeScript block in docs/clients.md gets the simulator's answer from the relay", async () => {
  const scripts = (await documentedSetups()).flatMap(({ name, blocks }) =>
    blocks.filter((block) => block.lang === "ts").map((block) => ({ name, text: block.text }))
  );
  ok(scripts.length >= 4, scripts.map((script) => script.name).join(", "));
  const shutdown = new AbortController();
  const { app } = await configuredApp(parseConfig(["--simulator", "--log-level", "error"], {}), shutdown.signal);
  const relay = await serve({ fetch: app.fetch, port: 0 });
  const folder = await Deno.makeTempDir();
  try {
    for (const { name, text } of scripts) {
      const file = `${folder}/${name.replaceAll(/\W+/g, "_")}.ts`;
      await Deno.writeTextFile(file, text.replaceAll(DOCUMENTED_RELAY, relay.url));
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", new URL("deno.test.json", root).pathname, file],
        env: { SRC_ACCESS_TOKEN: "any key works with the simulator", NO_COLOR: "1" },
      }).output();
      equal(code, 0, `### ${name}:\n${new TextDecoder().decode(stderr)}`);
      match(
        new TextDecoder().decode(stdout),
        /cody-relay simulator answering .*Explain this regex: \^a\+\$/s,
        `### ${name} prints the answer`,
      );
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
    shutdown.abort();
    await relay.shutdown();
  }
});
