/**
 * A plain prompt (no suffix, no FIM template) is text to continue, and one hub request
 * whatever the dialect: OpenAI legacy `/v1/completions`, llama.cpp `/completion` and Ollama
 * `/api/generate` send the upstream the same request for the same prompt and model.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { startStack, TOKEN } from "../harness.ts";

const PROMPT = "The quick brown fox";
const CHAT_MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
const CODE_MODEL = "fireworks::v1::deepseek-coder-v2-lite-base";

/** The same prompt through each dialect; `model` undefined leaves it out where the dialect allows. */
function requests(model: string | undefined): [path: string, body: Record<string, unknown>][] {
  return [
    ["/v1/completions", { ...(model ? { model } : {}), prompt: PROMPT, max_tokens: 40 }],
    ["/completion", { ...(model ? { model } : {}), prompt: PROMPT, n_predict: 40 }],
    ["/api/generate", { model: model ?? CODE_MODEL, prompt: PROMPT, stream: false, options: { num_predict: 40 } }],
  ];
}

/** Sends each request and returns what the upstream received for each: its path and body. */
async function upstreamRequests(model: string | undefined): Promise<{ path: string; body: unknown }[]> {
  await using stack = await startStack();
  for (const [path, body] of requests(model)) {
    const response = await fetch(`${stack.relayUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    equal(response.status, 200, `${path}: ${await response.clone().text()}`);
    await response.body?.cancel();
  }
  return stack.simulator.requests.filter((request) => request.path.startsWith("/.api/completions/"))
    .map(({ path, body }) => ({ path, body }));
}

Deno.test("a plain prompt for a chat model: the same continuation request from every dialect", async () => {
  const sent = await upstreamRequests(CHAT_MODEL);
  equal(sent.length, 3);
  for (const request of sent) deepEqual(request, sent[0]);
  equal(sent[0].path, "/.api/completions/stream");
  const [message] = (sent[0].body as { messages: { speaker: string; text: string }[] }).messages;
  equal(message.speaker, "human");
  match(message.text, /^Continue the text below from exactly where it stops\./);
  match(message.text, new RegExp(`\\n\\n${PROMPT}$`));
});

Deno.test("a plain prompt for a code model: the same code completion from every dialect", async () => {
  const sent = await upstreamRequests(CODE_MODEL);
  equal(sent.length, 3);
  for (const request of sent) deepEqual(request, sent[0]);
  equal(sent[0].path, "/.api/completions/code");
  equal((sent[0].body as { model: string }).model, CODE_MODEL);
});

Deno.test("without a model, /v1/completions and /completion ask the instance's default code model, as /api/generate names it", async () => {
  const sent = await upstreamRequests(undefined);
  equal(sent.length, 3);
  for (const request of sent) deepEqual(request, sent[0]);
});
