/** The README's Embedding example runs as written, against the simulator. */
import { match } from "node:assert/strict";
import { serve } from "../lib/server/serve.ts";
import { createSimulator } from "../lib/simulator/simulator.ts";
import { TOKEN } from "./harness.ts";

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
