/**
 * The documentation's examples run as written: the README's client against the relay,
 * docs/library.md's embedding and console examples against the simulator and its adapter
 * against a token server, and docs/configuration.md's config file.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { serve } from "../lib/server/serve.ts";
import { createSimulator } from "../lib/simulator/simulator.ts";
import { TOKEN } from "./harness.ts";
import { startProcess } from "./process.ts";
import { buildUpstream } from "../lib/cli/build_upstream.ts";
import { parseConfig } from "../lib/cli/config.ts";
import { configuredApp } from "../lib/cli/relay_app.ts";
import { interpolateEnv, parseJsonc, validateConfig } from "../lib/config/load_config.ts";

const root = new URL("../", import.meta.url);

/** The first fenced block in `lang` after `marker` in the document at `path` (from the repository's root). */
async function example(path: string, marker: string, lang: string): Promise<string> {
  const document = await Deno.readTextFile(new URL(path, root));
  ok(document.includes(marker), `${path} has no "${marker}"`);
  return document.split(marker)[1].match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"))![1];
}

Deno.test("the README's client streams an answer from the relay", async () => {
  const snippet = await example("README.md", "## Point a client at it", "ts ignore");
  const shutdown = new AbortController();
  const { app } = await configuredApp(parseConfig(["--simulator", "--log-level", "error"], {}), shutdown.signal);
  const relay = await serve({ fetch: app.fetch, port: 0 });
  const folder = await Deno.makeTempDir();
  try {
    ok(snippet.includes('"http://127.0.0.1:8787/v1"'), snippet);
    await Deno.writeTextFile(`${folder}/client.ts`, snippet.replace("http://127.0.0.1:8787", relay.url));
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", new URL("deno.test.json", root).pathname, `${folder}/client.ts`],
      env: { SRC_ACCESS_TOKEN: "any key works with the simulator", NO_COLOR: "1" },
    }).output();
    if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
    match(new TextDecoder().decode(stdout), /cody-relay simulator answering .*You said: Explain this regex: \^a\+\$/s);
  } finally {
    await Deno.remove(folder, { recursive: true });
    shutdown.abort();
    await relay.shutdown();
  }
});

Deno.test("docs/library.md's embedding example streams OpenAI chunks from a Sourcegraph response", async () => {
  const file = new URL(`.docs_example_${crypto.randomUUID()}.ts`, root);
  await Deno.writeTextFile(file, await example("docs/library.md", "## Embedding the transforms", "ts"));
  const simulator = await serve({ fetch: createSimulator({ accessTokens: [TOKEN] }).fetch, port: 0 });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", file.pathname],
      env: { SRC_ENDPOINT: simulator.url, SRC_ACCESS_TOKEN: TOKEN, NO_COLOR: "1" },
    }).output();
    const output = new TextDecoder().decode(stdout);
    if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
    match(output, /"delta":\{"content":"[^"]*cody-relay simulator answering/);
    match(output, /data: \[DONE\]/);
  } finally {
    await Deno.remove(file);
    await simulator.shutdown();
  }
});

Deno.test("docs/library.md's adapter example serves a token-streaming API to the openai client", async () => {
  const file = new URL(`.docs_adapter_${crypto.randomUUID()}.ts`, root);
  await Deno.writeTextFile(file, await example("docs/library.md", "## Writing an adapter", "ts"));
  const seen: { authorization: string | null; body: Record<string, unknown> }[] = [];
  const api = await serve({
    port: 0,
    async fetch(request) {
      seen.push({ authorization: request.headers.get("authorization"), body: await request.json() });
      const events = ["Hel", "lo"].map((token) => `data: ${JSON.stringify({ token })}\n\n`);
      return new Response([...events, 'data: {"done": true}\n\n'].join(""), {
        headers: { "content-type": "text/event-stream" },
      });
    },
  });
  try {
    await using relay = await startProcess(Deno.execPath(), ["run", "-A", file.pathname], {
      TOKEN_API_URL: api.url,
      TOKEN_API_KEY: "tok-123",
    }, 1);
    const url = relay.lines[0].replace("listening on ", "");
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    const answer = await openai.chat.completions.create({
      model: "token-stream",
      messages: [{ role: "user", content: "Say hello" }],
      temperature: 0.25,
    });
    equal(answer.choices[0].message.content, "Hello");
    deepEqual(seen[0], {
      authorization: "Bearer tok-123",
      body: { sampling: { temperature: 0.25 }, prompt: "Say hello" },
    });
  } finally {
    await Deno.remove(file);
    await api.shutdown();
  }
});

Deno.test("docs/library.md's console example serves the relay with its web console at /ui", async () => {
  const file = new URL(`.docs_console_${crypto.randomUUID()}.ts`, root);
  await Deno.writeTextFile(file, await example("docs/library.md", "## Serving the web console", "ts"));
  const simulator = await serve({ fetch: createSimulator({ accessTokens: [TOKEN] }).fetch, port: 0 });
  try {
    await using relay = await startProcess(Deno.execPath(), ["run", "-A", file.pathname], {
      SRC_ENDPOINT: simulator.url,
    }, 1);
    const url = relay.lines[0].replace("console at ", "");
    const page = await fetch(url);
    equal(page.status, 200);
    match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    match(await page.text(), /<!doctype html>/i);
    const models = await fetch(url.replace(/\/ui$/, "/v1/models"), { headers: { authorization: `Bearer ${TOKEN}` } });
    equal(models.status, 200);
    await models.body?.cancel();
  } finally {
    await Deno.remove(file);
    await simulator.shutdown();
  }
});

Deno.test("docs/configuration.md's config file example is valid and builds its two upstreams", async () => {
  const text = await example("docs/configuration.md", "## Config file", "jsonc");
  const { value, problems } = interpolateEnv(parseJsonc(text), { SRC_ACCESS_TOKEN: "sgp_x", RELAY_KEY: "k" });
  deepEqual(problems, []);
  const file = validateConfig(value, "docs/configuration.md");
  const { description } = await buildUpstream(parseConfig([], {}, file));
  equal(description, "relaying to cody (cody), local (openai-compatible); default cody");
});
