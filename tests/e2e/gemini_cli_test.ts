/**
 * The real Gemini CLI (`gemini -p`, non-interactive) against the relay's Gemini API front
 * and the simulator, both in a loopback-only network: a text turn and a tool turn complete.
 * Backs the Gemini CLI setup in docs/clients.md.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { agentStage, requestLines } from "../agent_run.ts";
import { documentedBlock, shellExports } from "../docs_clients.ts";

const GEMINI_CLI = { name: "@google/gemini-cli", version: "0.61.0", bin: "gemini" };
const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

/**
 * The setup of docs/clients.md: API-key auth chosen in settings.json (the JSON its `echo` writes), the API key and
 * base URL in the environment (its `export` line), and the workspace trusted for a headless run (its quirks).
 */
async function geminiEnvironment(home: string, relayUrl: string): Promise<Record<string, string>> {
  const setup = await documentedBlock("Gemini CLI", "sh", relayUrl);
  const settings = setup.match(/echo '(.*)' > ~\/\.gemini\/settings\.json/)![1];
  deepEqual(JSON.parse(settings), { security: { auth: { selectedType: "gemini-api-key" } } });
  await Deno.mkdir(`${home}/.gemini`, { recursive: true });
  await Deno.writeTextFile(`${home}/.gemini/settings.json`, settings);
  const env = shellExports(setup);
  deepEqual(env, { GOOGLE_GEMINI_BASE_URL: relayUrl, GEMINI_API_KEY: "sgp_your_token" });
  ok(setup.includes(`gemini -m ${SONNET}`), setup);
  return { ...env, GEMINI_CLI_TRUST_WORKSPACE: "true" };
}

Deno.test("Gemini CLI: a text turn with its own model names, and a tool turn running its shell tool", async () => {
  await using stage = await agentStage(GEMINI_CLI);
  if (!stage) return;
  const env = await geminiEnvironment(stage.home, stage.relayUrl);

  const text = await stage.run(["-p", "Say hello [[sim tool=none]]"], env);
  equal(text.code, 0, `gemini -p failed:\n${text.stdout}\n${text.stderr}`);
  match(text.stdout, /This is the cody-relay simulator answering as .*Say hello/s);
  const asked = requestLines(stage.relay);
  ok(
    asked.some((line) => /^POST \/v1beta\/models\/gemini-[\w.-]+:generateContent → 200$/.test(line)),
    `the routing call, with a JSON schema, is answered: ${asked.join("; ")}`,
  );
  ok(asked.some((line) => /^POST \/v1beta\/models\/gemini-[\w.-]+:streamGenerateContent → 200$/.test(line)));

  const tool = await stage.run(
    ["--approval-mode", "yolo", "-m", SONNET, "-p", "Run a command [[sim tool=run_shell_command]]"],
    env,
  );
  equal(tool.code, 0, `gemini -p failed:\n${tool.stdout}\n${tool.stderr}`);
  match(tool.stdout, /I'll call the run_shell_command tool/);
  match(tool.stdout, /The tool returned: [\s\S]*simulated-42/, "the command ran and its output went back to the model");
  const streamed = requestLines(stage.relay).filter((line) => line.includes(`/v1beta/models/${SONNET}:`));
  equal(streamed.length, 2, "the call, then the function response: the id's colons reach the relay unencoded");
  ok(streamed.every((line) => line.endsWith("→ 200")));
  ok(!stage.relay.stderr.includes("sgp_your_token"), "the key is not logged");
});
