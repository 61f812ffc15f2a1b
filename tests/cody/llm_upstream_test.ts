/** Sourcegraph's `/.api/llm` as an upstream: real clients → the relay → the simulator's `/.api/llm`. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { sourcegraphLlmUpstream } from "../../lib/cody/llm_upstream.ts";
import { OpenAIChunkDecoder } from "../../lib/openai_compatible/chunk_decoder.ts";
import { createApp } from "../../lib/server/app.ts";
import { serve } from "../../lib/server/serve.ts";
import { createSimulator } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
const COOKIE = "sgs-session-cookie-value";

async function llmStack(accessToken?: string) {
  const simulator = createSimulator({ accessTokens: [TOKEN], sessionCookies: [COOKIE] });
  const upstreamServer = await serve({ fetch: simulator.fetch, port: 0 });
  const upstream = sourcegraphLlmUpstream({ endpoint: upstreamServer.url, ...(accessToken ? { accessToken } : {}) });
  const relay = await serve({ fetch: createApp({ upstream, retry: { maxRetries: 0 } }).fetch, port: 0 });
  return {
    simulator,
    client: (apiKey: string) => new OpenAI({ baseURL: `${relay.url}/v1`, apiKey, maxRetries: 0 }),
    async [Symbol.asyncDispose]() {
      await Promise.all([relay.shutdown(), upstreamServer.shutdown()]);
    },
  };
}

Deno.test("/.api/llm: a streamed answer without [DONE], system text folded in, token auth, X-Requested-With", async () => {
  await using stack = await llmStack();
  const stream = await stack.client(TOKEN).chat.completions.create({
    model: MODEL,
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = await Array.fromAsync(stream);
  const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
  match(text, /You said: Be brief\.\n\nHello$/, JSON.stringify(text));
  equal(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason, "stop");
  ok((chunks.at(-1)!.usage?.completion_tokens ?? 0) > 0);
  const sent = stack.simulator.requests.find((request) => request.path === "/.api/llm/chat/completions")!;
  equal(sent.auth, "token");
  match(sent.headers["x-requested-with"], /^cody-relay \d/);
  equal((sent.body as { max_tokens?: number }).max_tokens, 4000, "Sourcegraph's default of 16 is never used");
  deepEqual((sent.body as { messages?: unknown }).messages, [{ role: "user", content: "Be brief.\n\nHello" }]);
});

Deno.test("/.api/llm: a session cookie as the key, models from /.api/llm/models, a tool call with empty continuation ids", async () => {
  await using stack = await llmStack();
  const models = await stack.client(COOKIE).models.list();
  ok(models.data.some((model) => model.id === MODEL));
  const completion = await stack.client(COOKIE).chat.completions.stream({
    model: MODEL,
    messages: [{ role: "user", content: "Weather?" }],
    tools: [{
      type: "function",
      function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
    }],
  }).finalChatCompletion();
  equal(completion.choices[0].finish_reason, "tool_calls");
  equal(completion.choices[0].message.tool_calls?.length, 1);
  equal(stack.simulator.requests.find((request) => request.path === "/.api/llm/chat/completions")!.auth, "session");
});

Deno.test("/.api/llm: with SRC_ACCESS_TOKEN clients need no Sourcegraph key; a wrong one is a 401", async () => {
  {
    await using stack = await llmStack(TOKEN);
    const answer = await stack.client("anything").chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
    });
    match(answer.choices[0].message.content ?? "", /You said: Hi$/);
  }
  await using stack = await llmStack();
  const error = await stack.client("sgp_0000000000000000000000000000000000000000").chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
  }).then(() => undefined, (error) => error);
  ok(error instanceof OpenAI.AuthenticationError, String(error));
});

Deno.test("the recorded /.api/llm tool-call stream (cody-protocol.md F8) decodes to one call and tool_calls", async () => {
  const bytes = await Deno.readFile(new URL("../fixtures/sourcegraph-llm/f8-tool-call.sse", import.meta.url));
  const decoder = new OpenAIChunkDecoder();
  const events = [...decoder.push(bytes), ...decoder.flush()];
  deepEqual(events, [
    { type: "tool_call_start", index: 0, id: "toolu_vrtx_01SP5neyz6", name: "read_file" },
    { type: "tool_call_delta", index: 0, arguments: '{"path": "src/main/kotlin/Foo.kt"}' },
    { type: "usage", usage: { promptTokens: 748, completionTokens: 62 } },
    { type: "finish", reason: "tool_calls", upstreamReason: "tool_calls" },
  ]);
});
