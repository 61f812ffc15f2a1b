/** The simulator's OpenAI protocol, checked with the real openai client against it directly. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { countTokens } from "../../lib/hub/usage_estimate.ts";
import { serve } from "../../lib/server/serve.ts";
import { createSimulator } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

async function openAISimulator() {
  const simulator = createSimulator({ accessTokens: [TOKEN] });
  const server = await serve({ fetch: simulator.fetch, port: 0 });
  return {
    simulator,
    client: (apiKey = TOKEN) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 }),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("OpenAI mode: models, a streamed answer with usage from the tokenizer, and the same non-streamed", async () => {
  await using sim = await openAISimulator();
  const models = await sim.client().models.list();
  ok(models.data.some((model) => model.id === MODEL));
  const stream = await sim.client().chat.completions.create({
    model: MODEL,
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello there" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = await Array.fromAsync(stream);
  const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
  equal(text, `This is the cody-relay simulator answering as ${MODEL}. You said: Hello there`);
  equal(chunks.filter((chunk) => chunk.choices[0]?.finish_reason).at(-1)?.choices[0].finish_reason, "stop");
  deepEqual(chunks.at(-1)!.usage, {
    prompt_tokens: await countTokens("Be brief.\nHello there"),
    completion_tokens: await countTokens(text),
    total_tokens: await countTokens("Be brief.\nHello there") + await countTokens(text),
  });
  const completion = await sim.client().chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hello there" }],
    max_tokens: 4,
  });
  equal(completion.choices[0].finish_reason, "length");
  equal(completion.choices[0].message.content, "This is the cody-relay");
  equal(sim.simulator.requests.at(-1)!.body?.model, MODEL, "requests are recorded");
});

Deno.test("OpenAI mode: tools round trip through the client's strict stream helper", async () => {
  await using sim = await openAISimulator();
  const tools = [{
    type: "function" as const,
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  }];
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather?" }];
  const first = await sim.client().chat.completions.stream({ model: MODEL, messages, tools }).finalChatCompletion();
  equal(first.choices[0].finish_reason, "tool_calls");
  const call = first.choices[0].message.tool_calls![0];
  ok(call.type === "function");
  deepEqual(JSON.parse(call.function.arguments), { city: "example city" });
  messages.push(first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "sunny" });
  const second = await sim.client().chat.completions.create({ model: MODEL, messages, tools });
  equal(second.choices[0].message.content, "The tool returned: sunny");
});

Deno.test("OpenAI mode: errors in OpenAI's shape (401, unknown model 404, 429 with retry-after) and stream faults", async () => {
  await using sim = await openAISimulator();
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error) => error);
  const unauthorized = await failure(sim.client("wrong").chat.completions.create({ model: MODEL, messages: [] }));
  ok(unauthorized instanceof OpenAI.AuthenticationError);
  const unknown = await failure(sim.client().chat.completions.create({ model: "nope", messages: [] }));
  ok(unknown instanceof OpenAI.NotFoundError);
  const limited = await failure(
    sim.client().chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Hi [[sim status=429 retry_after=7]]" }],
    }),
  );
  ok(limited instanceof OpenAI.RateLimitError);
  equal(limited.headers.get("retry-after"), "7");
  const broken = await sim.client().chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: 'Hi [[sim words=20 error_after=3 message="boom"]]' }],
    stream: true,
  });
  const error = await failure(Array.fromAsync(broken));
  match(String(error), /boom/);
});
