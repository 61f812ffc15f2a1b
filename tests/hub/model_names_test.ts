/**
 * Client model names against a real instance's recorded model list
 * (`tests/fixtures/cody/supported-models.json`): Claude Code's defaults, Anthropic dated and
 * `-latest` ids, OpenAI and Gemini ids, Cody's legacy `provider/model` form; and every
 * dialect resolving a name the same way over loopback.
 */
import { equal } from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { modelsFromCatalog, SupportedModels } from "../../lib/cody/models.ts";
import { CodyUpstream } from "../../lib/cody/upstream.ts";
import { resolveModelName } from "../../lib/hub/model_names.ts";
import { upstreamModelFor } from "../../lib/fronts/anthropic/model_alias.ts";
import { RoutingUpstream } from "../../lib/routing/routing_upstream.ts";
import { createApp } from "../../lib/server/app.ts";
import { serve } from "../../lib/server/serve.ts";
import type { SimulatorCatalog } from "../../lib/simulator/catalog.ts";
import { startStack, TOKEN } from "../harness.ts";

const recorded = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/cody/supported-models.json", import.meta.url)),
);
const models = modelsFromCatalog(SupportedModels.parse(recorded));

/** Name → the id it resolves to on the recorded instance (undefined: not one of its models). */
const NAMES: [string, string | undefined][] = [
  // Claude Code's built-in names (Anthropic dated ids).
  ["claude-sonnet-4-20250514", "anthropic::2024-10-22::claude-sonnet-4-latest"],
  ["claude-3-5-haiku-20241022", "anthropic::2024-10-22::claude-3-5-haiku-latest"],
  ["claude-3-7-sonnet-20250219", "anthropic::2024-10-22::claude-3-7-sonnet-latest"],
  ["claude-sonnet-4-5-20250929", undefined],
  ["claude-haiku-4-5-20251001", undefined],
  // Anthropic aliases: the stable model whose id ends in the name, not the deprecated one that shares its modelName.
  ["claude-3-5-sonnet-latest", "anthropic::2024-10-22::claude-3-5-sonnet-latest"],
  ["claude-3-5-sonnet-20241022", "anthropic::2024-10-22::claude-3-5-sonnet-latest"],
  ["claude-3-5-sonnet-20240620", "anthropic::2023-06-01::claude-3-5-sonnet-20240620"],
  ["claude-3-opus-20240229", "anthropic::2023-06-01::claude-3-opus"],
  ["claude-3-opus-latest", "anthropic::2023-06-01::claude-3-opus"],
  ["Claude-3.7-Sonnet", "anthropic::2024-10-22::claude-3-7-sonnet-latest"],
  // OpenAI ids.
  ["gpt-4o", "openai::2024-02-01::gpt-4o"],
  ["gpt-4o-2024-08-06", "openai::2024-02-01::gpt-4o"],
  ["gpt-4.1-mini", "openai::2024-02-01::gpt-4.1-mini"],
  ["o3-mini", "openai::2024-02-01::o3-mini-medium"],
  ["o1", "openai::2024-02-01::o1"],
  ["gpt-5", undefined],
  // Gemini ids, bare and as the Gemini API names them.
  ["gemini-2.5-pro", "google::v1::gemini-2.5-pro"],
  ["models/gemini-2.0-flash", "google::v1::gemini-2.0-flash"],
  ["gemini-1.5-pro", "google::v1::gemini-1.5-pro"],
  // Cody's legacy provider/model form.
  ["anthropic/claude-3-haiku", "anthropic::2023-06-01::claude-3-haiku"],
  ["anthropic/claude-3-5-sonnet-20240620", "anthropic::2023-06-01::claude-3-5-sonnet-20240620"],
  ["google/gemini-1.5-pro", "google::v1::gemini-1.5-pro"],
  ["fireworks/starcoder", "fireworks::v1::starcoder"],
  ["fireworks/deepseek-coder-v2-lite-base", "fireworks::v1::deepseek-coder-v2-lite-base"],
  ["fireworks/starcoder-7b", undefined],
  // Exact references stay as they are.
  ["anthropic::2023-06-01::claude-3.5-sonnet", "anthropic::2023-06-01::claude-3.5-sonnet"],
  ["anthropic::2024-10-22::claude-sonnet-4", "anthropic::2024-10-22::claude-sonnet-4-latest"],
];

for (const [name, expected] of NAMES) {
  Deno.test(`model name ${name} → ${expected ?? "none"}`, () => {
    equal(resolveModelName(name, models), expected);
  });
}

Deno.test("Anthropic: a claude-* name the instance lacks goes to --anthropic-default-model or the default", () => {
  equal(
    upstreamModelFor("claude-sonnet-4-5-20250929", models, "anthropic::2024-10-22::claude-sonnet-4-latest"),
    "anthropic::2024-10-22::claude-sonnet-4-latest",
  );
  equal(upstreamModelFor("claude-sonnet-4-5-20250929", models), undefined);
  equal(upstreamModelFor("claude-3-5-sonnet-latest", models), "anthropic::2024-10-22::claude-3-5-sonnet-latest");
  equal(upstreamModelFor("gpt-5", models), "gpt-5", "other names pass through to be refused by name");
});

Deno.test("every dialect resolves claude-3-5-sonnet-latest to the same stable model over loopback", async () => {
  await using stack = await startStack({ simulator: { catalog: recorded as SimulatorCatalog } });
  // The relay as the CLI builds it: the instance behind the router.
  const cody = new CodyUpstream({ endpoint: stack.simulatorUrl });
  const routed = new RoutingUpstream({ cody }, { default: "cody" });
  const server = await serve({ fetch: createApp({ upstream: routed }).fetch, port: 0 });
  try {
    const name = "claude-3-5-sonnet-latest";
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    await openai.chat.completions.create({ model: name, messages: [{ role: "user", content: "Hi" }] });
    const anthropic = new Anthropic({ baseURL: server.url, apiKey: TOKEN, maxRetries: 0 });
    await anthropic.messages.create({ model: name, max_tokens: 20, messages: [{ role: "user", content: "Hi" }] });
    const ollama = await fetch(`${server.url}/api/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model: name, stream: false, messages: [{ role: "user", content: "Hi" }] }),
    });
    equal(ollama.status, 200);
    await ollama.body?.cancel();
    const asked = stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream")
      .map((request) => (request.body as { model?: string }).model);
    equal(asked.length, 3);
    for (const model of asked) equal(model, "anthropic::2024-10-22::claude-3-5-sonnet-latest");
  } finally {
    await server.shutdown();
  }
});
