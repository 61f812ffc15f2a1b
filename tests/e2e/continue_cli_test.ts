/**
 * The real Continue CLI (`cn -p`, non-interactive) against the relay's OpenAI front and the
 * simulator, both in a loopback-only network: a text turn and a tool turn (its `Bash`
 * tool) complete. Backs the Continue CLI setup in docs/clients.md.
 */
import { equal, match, ok } from "node:assert/strict";
import { agentStage, requestLines } from "../agent_run.ts";
import { documentedBlock } from "../docs_clients.ts";

const CONTINUE_CLI = { name: "@continuedev/cli", version: "1.5.47", bin: "cn" };
const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

/** The `config.yaml` of docs/clients.md: one `provider: openai` model at the relay. */
async function config(relayUrl: string): Promise<string> {
  const yaml = await documentedBlock("Continue CLI", "yaml", relayUrl);
  ok(yaml.includes(`model: ${SONNET}`) && yaml.includes(`apiBase: ${relayUrl}/v1`), yaml);
  return yaml;
}

Deno.test("Continue CLI: a text turn and a tool turn running its Bash tool", async () => {
  await using stage = await agentStage(CONTINUE_CLI);
  if (!stage) return;
  const file = `${stage.home}/.continue/config.yaml`;
  await Deno.mkdir(`${stage.home}/.continue`, { recursive: true });
  await Deno.writeTextFile(file, await config(stage.relayUrl));

  const text = await stage.run(["--config", file, "-p", "Say hello [[sim tool=none]]"], {});
  equal(text.code, 0, `cn -p failed:\n${text.stdout}\n${text.stderr}`);
  match(text.stdout, new RegExp(`This is the cody-relay simulator answering as ${SONNET}\\. You said: Say hello`));

  const tool = await stage.run(["--config", file, "-p", "Run a command [[sim tool=Bash]]"], {});
  equal(tool.code, 0, `cn -p failed:\n${tool.stdout}\n${tool.stderr}`);
  match(tool.stdout, /The tool returned: simulated-42/, "the command ran and its output went back to the model");
  const lines = requestLines(stage.relay);
  equal(lines.filter((line) => line !== "POST /v1/chat/completions → 200").length, 0, lines.join("; "));
});
