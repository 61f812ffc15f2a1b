/** The README's examples run as written: Embedding against the simulator, the adapter against a token server, the config file. */
import { deepEqual, equal, match } from "node:assert/strict";
import OpenAI from "openai";
import { serve } from "../lib/server/serve.ts";
import { createSimulator } from "../lib/simulator/simulator.ts";
import { TOKEN } from "./harness.ts";
import { startProcess } from "./process.ts";
import { buildUpstream } from "../lib/cli/build_upstream.ts";
import { parseConfig } from "../lib/cli/config.ts";
import { interpolateEnv, parseJsonc, validateConfig } from "../lib/config/load_config.ts";

const root = new URL("../", import.meta.url);

Deno.test("the README Embedding example streams OpenAI chunks from a Sourcegraph response", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const example = readme.split("## Embedding")[1].match(/```ts\n([\s\S]*?)```/)![1];
  const file = new URL(`.readme_example_${crypto.randomUUID()}.ts`, root);
  await Deno.writeTextFile(file, example);
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

Deno.test("the README adapter example serves a token-streaming API to the openai client", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const example = readme.split("### Writing an adapter")[1].match(/```ts\n([\s\S]*?)```/)![1];
  const file = new URL(`.readme_adapter_${crypto.randomUUID()}.ts`, root);
  await Deno.writeTextFile(file, example);
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

Deno.test("the README config file example is valid and builds its two upstreams", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const example = readme.split("## Config file")[1].match(/```jsonc\n([\s\S]*?)```/)![1];
  const { value, problems } = interpolateEnv(parseJsonc(example), { SRC_ACCESS_TOKEN: "sgp_x", RELAY_KEY: "k" });
  deepEqual(problems, []);
  const file = validateConfig(value, "README.md");
  const { description } = await buildUpstream(parseConfig([], {}, file));
  equal(description, "relaying to cody (cody), local (openai-compatible); default cody");
});
