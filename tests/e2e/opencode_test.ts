/**
 * The real opencode (`opencode run`, non-interactive) against the relay's OpenAI front and
 * the simulator, both in a loopback-only network: a text turn and a tool turn (its `bash`
 * tool) complete. Backs the opencode setup in docs/clients.md.
 */
import { equal, match } from "node:assert/strict";
import { agentStage, requestLines } from "../agent_run.ts";
import { documentedBlock } from "../docs_clients.ts";

const OPENCODE = { name: "opencode-ai", version: "1.18.33", bin: "opencode" };
const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

/**
 * The `~/.config/opencode/opencode.json` of docs/clients.md: a provider on `@ai-sdk/openai-compatible` at the relay,
 * with autoupdate and sharing off (the test runs offline).
 */
async function writeConfig(home: string, relayUrl: string): Promise<void> {
  const config = JSON.parse(await documentedBlock("opencode", "json", relayUrl));
  equal(config.provider.cody.options.baseURL, `${relayUrl}/v1`);
  equal(config.model, `cody/${SONNET}`);
  await Deno.mkdir(`${home}/.config/opencode`, { recursive: true });
  await Deno.writeTextFile(
    `${home}/.config/opencode/opencode.json`,
    JSON.stringify({ ...config, autoupdate: false, share: "disabled" }),
  );
}

Deno.test("opencode: a text turn and a tool turn running its bash tool", async () => {
  await using stage = await agentStage(OPENCODE);
  if (!stage) return;
  await writeConfig(stage.home, stage.relayUrl);

  const text = await stage.run(["run", "Say hello [[sim tool=none]]"], {});
  equal(text.code, 0, `opencode run failed:\n${text.stdout}\n${text.stderr}`);
  match(text.stdout, new RegExp(`This is the cody-relay simulator answering as ${SONNET}\\. You said: .*Say hello`));

  const tool = await stage.run(["run", "Run a command [[sim tool=bash]]"], {});
  equal(tool.code, 0, `opencode run failed:\n${tool.stdout}\n${tool.stderr}`);
  match(tool.stdout, /The tool returned: simulated-42/, "the command ran and its output went back to the model");
  const lines = requestLines(stage.relay);
  equal(lines.filter((line) => line !== "POST /v1/chat/completions → 200").length, 0, lines.join("; "));
});
