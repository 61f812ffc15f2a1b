/**
 * The real Codex CLI (`codex exec`, non-interactive) against the relay's Responses API
 * front and the simulator, both in a loopback-only network, with a fresh CODEX_HOME: a text
 * turn prints the simulator's answer, and a tool turn (with a thinking model) runs a shell command
 * through Codex's own `exec_command` tool and sends its output back. Backs the Codex CLI setup in docs/clients.md.
 */
import { equal, match, ok } from "node:assert/strict";
import { agentStage, requestLines } from "../agent_run.ts";
import { documentedBlock } from "../docs_clients.ts";

const CODEX = { name: "@openai/codex", version: "0.171.0", bin: "codex" };
const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";
const THINKING = "anthropic::2024-10-22::claude-sonnet-4-thinking-latest";

/** The config.toml of docs/clients.md for Codex CLI, pointed at `relayUrl` instead of the default port. */
async function codexConfig(relayUrl: string): Promise<string> {
  const config = await documentedBlock("Codex CLI", "toml", relayUrl);
  ok(config.includes(`model = "${SONNET}"`) && config.includes(`base_url = "${relayUrl}/v1"`), config);
  return config;
}

/** A fresh CODEX_HOME holding only the documented config.toml, and the environment that names it and holds the key. */
async function codexEnvironment(home: string, relayUrl: string): Promise<Record<string, string>> {
  const codexHome = `${home}/.codex`;
  await Deno.mkdir(codexHome, { recursive: true });
  await Deno.writeTextFile(`${codexHome}/config.toml`, await codexConfig(relayUrl));
  return { CODEX_HOME: codexHome, CODY_RELAY_API_KEY: "sgp_your_token" };
}

Deno.test("Codex CLI: a text turn prints the answer, and a tool turn runs its shell tool and sends the output back", async () => {
  await using stage = await agentStage(CODEX);
  if (!stage) return;
  const env = await codexEnvironment(stage.home, stage.relayUrl);
  const exec = (prompt: string, ...flags: string[]) =>
    stage.run(["exec", "--skip-git-repo-check", ...flags, prompt], env, 90_000);

  const text = await exec("Say hello [[sim tool=none]]");
  equal(text.code, 0, `codex exec failed:\n${text.stdout}\n${text.stderr}`);
  match(
    text.stdout,
    new RegExp(`^This is the cody-relay simulator answering as ${SONNET}\\. You said: [\\s\\S]*Say hello\\n$`),
  );
  equal(requestLines(stage.relay).join("; "), "POST /v1/responses → 200");
  match(stage.relay.stderr, /dropped the built-in tool web_search: codex_exec sends it on every request/);

  // With a thinking model: its reasoning items (summary and signature) go back to the relay with the tool's output.
  const tool = await exec("Run a command [[sim tool=exec_command]]", "-m", THINKING);
  equal(tool.code, 0, `codex exec failed:\n${tool.stdout}\n${tool.stderr}`);
  match(tool.stderr, /The user said "[\s\S]*Run a command[\s\S]*"\. I will answer briefly\./, "the reasoning summary");
  match(tool.stderr, /I'll call the exec_command tool\./);
  match(tool.stderr, /printf 'simulated-%s\\\\n' 42/, "Codex ran the simulator's command");
  match(
    tool.stdout,
    /^The tool returned: [\s\S]*Process exited with code 0[\s\S]*\nsimulated-42\n/,
    "its output went back",
  );
  const lines = requestLines(stage.relay);
  equal(lines.length, 3, lines.join("; "));
  ok(lines.every((line) => line === "POST /v1/responses → 200"));
  ok(!stage.relay.stderr.includes("sgp_your_token"), "the key is not logged");
});
