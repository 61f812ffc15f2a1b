/**
 * The real Qwen Code (`qwen -p`, non-interactive) against the relay's OpenAI front and the
 * simulator, both in a loopback-only network: a text turn (with an unreachable
 * `HTTP_PROXY` that `NO_PROXY` exempts the relay's host from) and a tool turn (its
 * `run_shell_command`) complete. Backs the Qwen Code setup in docs/clients.md.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { agentStage } from "../agent_run.ts";
import { documentedBlock, shellExports } from "../docs_clients.ts";

const QWEN_CODE = { name: "@qwen-code/qwen-code", version: "0.24.4", bin: "qwen" };
const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

Deno.test("Qwen Code: a text turn past a proxy NO_PROXY names, and a tool turn running its shell tool", async () => {
  await using stage = await agentStage(QWEN_CODE);
  if (!stage) return;
  // The variables of docs/clients.md.
  const env = shellExports(await documentedBlock("Qwen Code", "sh", stage.relayUrl));
  deepEqual(env, { OPENAI_BASE_URL: `${stage.relayUrl}/v1`, OPENAI_API_KEY: "sgp_your_token", OPENAI_MODEL: SONNET });
  const host = new URL(stage.relayUrl).hostname;
  const proxied = {
    HTTP_PROXY: "http://127.0.0.1:9",
    HTTPS_PROXY: "http://127.0.0.1:9",
    NO_PROXY: host,
    no_proxy: host,
  };

  const text = await stage.run(["-p", "Say hello [[sim tool=none]]"], { ...env, ...proxied });
  equal(text.code, 0, `qwen -p failed:\n${text.stdout}\n${text.stderr}`);
  match(
    text.stdout,
    new RegExp(`This is the cody-relay simulator answering as ${SONNET}\\. You said: [\\s\\S]*Say hello`),
  );

  const tool = await stage.run(["--approval-mode", "yolo", "-p", "Run a command [[sim tool=run_shell_command]]"], env);
  equal(tool.code, 0, `qwen -p failed:\n${tool.stdout}\n${tool.stderr}`);
  match(tool.stdout, /The tool returned: [\s\S]*Output: simulated-42/, "the command ran and its output went back");
});
