/** The real `@google/genai` client against the relay's Gemini API front and the simulator, over loopback HTTP. */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { type FunctionDeclaration, GoogleGenAI, Type } from "@google/genai";
import { startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";
const THINKING = "anthropic::2024-10-22::claude-sonnet-4-thinking-latest";

function client(baseUrl: string, apiKey = TOKEN): GoogleGenAI {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl } });
}

function streamBodies(stack: { simulator: { requests: { path: string; body?: unknown }[] } }) {
  return stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream")
    .map((request) => request.body as Record<string, unknown>);
}

const readFile: FunctionDeclaration = {
  name: "read_file",
  description: "Read a file",
  parameters: {
    type: Type.OBJECT,
    properties: { path: { type: Type.STRING, description: "The file's path" } },
    required: ["path"],
  },
};

Deno.test("generateContent: text, STOP, usage and modelVersion; a gemini-* name is answered by the default model", async () => {
  await using stack = await startStack();
  const response = await client(stack.relayUrl).models.generateContent({
    model: "gemini-2.5-flash",
    contents: "Hello",
    config: { systemInstruction: "Be brief.", maxOutputTokens: 200, temperature: 0.5, topK: 40 },
  });
  match(response.text ?? "", /^This is the cody-relay simulator answering as .*\. You said: Hello$/);
  equal(response.candidates?.[0].finishReason, "STOP");
  equal(response.modelVersion, "gemini-2.5-flash");
  ok(response.responseId);
  const usage = response.usageMetadata!;
  ok(usage.promptTokenCount! > 0 && usage.candidatesTokenCount! > 0);
  equal(usage.totalTokenCount, usage.promptTokenCount! + usage.candidatesTokenCount!);
  const [body] = streamBodies(stack);
  equal(body.model, undefined, "the instance's default model answers a gemini-* name it lacks");
  equal(body.maxTokensToSample, 200);
  equal(body.topK, 40);
  deepEqual(body.messages, [{ speaker: "system", text: "Be brief." }, { speaker: "human", text: "Hello" }]);
});

Deno.test("generateContentStream: deltas over SSE that join into the answer, the last with STOP and usage", async () => {
  await using stack = await startStack({ simulator: { paceMs: 2 } });
  const stream = await client(stack.relayUrl).models.generateContentStream({
    model: SONNET,
    contents: [{ role: "user", parts: [{ text: "Stream please" }] }],
  });
  const chunks = await Array.fromAsync(stream);
  ok(chunks.length > 3, "one response per delta");
  equal(
    chunks.map((chunk) => chunk.text ?? "").join(""),
    `This is the cody-relay simulator answering as ${SONNET}. You said: Stream please`,
  );
  equal(chunks.at(-1)?.candidates?.[0].finishReason, "STOP");
  ok(chunks.at(-1)?.usageMetadata?.candidatesTokenCount);
  equal(new Set(chunks.map((chunk) => chunk.responseId)).size, 1, "one responseId");
  equal(streamBodies(stack)[0].model, SONNET, "an instance id with colons goes in the path as it is");
});

Deno.test("a function-calling round trip in a chat: functionCall with parsed args, then the functionResponse answered", async () => {
  await using stack = await startStack();
  const chat = client(stack.relayUrl).chats.create({
    model: SONNET,
    config: { tools: [{ functionDeclarations: [readFile] }] },
  });
  const first = await chat.sendMessage({ message: "Read a.ts" });
  equal(first.candidates?.[0].finishReason, "STOP");
  const [call] = first.functionCalls ?? [];
  equal(call?.name, "read_file");
  deepEqual(call.args, { path: "example path" });
  const second = await chat.sendMessage({
    message: [{ functionResponse: { name: "read_file", response: { output: "export const a = 1;" } } }],
  });
  equal(second.text, "The tool returned: export const a = 1;");
  const bodies = streamBodies(stack);
  const tools = bodies[0].tools as { function: { name: string; parameters: unknown } }[];
  deepEqual(tools[0].function.parameters, {
    type: "object",
    properties: { path: { type: "string", description: "The file's path" } },
    required: ["path"],
  }, "Gemini's OpenAPI schema reaches the upstream as JSON Schema");
  const messages = bodies[1].messages as { speaker: string; content?: { type: string }[] }[];
  deepEqual(messages.map((message) => message.speaker), ["human", "assistant", "human"]);
  deepEqual(messages[2].content?.map((part) => part.type), ["tool_result"]);
});

Deno.test("a streamed function call arrives whole in one part, with parametersJsonSchema and toolConfig ANY", async () => {
  await using stack = await startStack();
  const stream = await client(stack.relayUrl).models.generateContentStream({
    model: SONNET,
    contents: "What is the weather in Paris?",
    config: {
      tools: [{
        functionDeclarations: [{
          name: "get_weather",
          parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } },
        }, readFile],
      }],
      toolConfig: { functionCallingConfig: { mode: "ANY" as never, allowedFunctionNames: ["get_weather"] } },
    },
  });
  const calls = (await Array.fromAsync(stream)).flatMap((chunk) => chunk.functionCalls ?? []);
  deepEqual(calls, [{ name: "get_weather", args: { city: "example city" } }]);
  const [body] = streamBodies(stack);
  deepEqual((body.tools as { function: { name: string } }[]).map((tool) => tool.function.name), ["get_weather"]);
});

Deno.test("JSON output: responseMimeType application/json with a responseSchema answers JSON that matches it", async () => {
  await using stack = await startStack();
  const response = await client(stack.relayUrl).models.generateContent({
    model: SONNET,
    contents: "Rate this task",
    config: {
      responseMimeType: "application/json",
      responseSchema: {
        type: Type.OBJECT,
        properties: { reasoning: { type: Type.STRING }, score: { type: Type.INTEGER } },
        required: ["reasoning", "score"],
      },
    },
  });
  deepEqual(JSON.parse(response.text!), { reasoning: "example reasoning", score: 1 });
});

Deno.test("thoughts come back as thought parts only when includeThoughts asks for them", async () => {
  await using stack = await startStack();
  const ask = (includeThoughts: boolean) =>
    client(stack.relayUrl).models.generateContent({
      model: THINKING,
      contents: "Think first",
      config: { thinkingConfig: { includeThoughts } },
    });
  const withThoughts = await ask(true);
  const parts = withThoughts.candidates?.[0].content?.parts ?? [];
  ok(parts[0].thought && parts[0].text, "a thought part first");
  match(withThoughts.text ?? "", /You said: Think first$/);
  const without = await ask(false);
  ok(!(without.candidates?.[0].content?.parts ?? []).some((part) => part.thought));
});

Deno.test("countTokens, models.list and models.get", async () => {
  await using stack = await startStack();
  const ai = client(stack.relayUrl);
  const { totalTokens } = await ai.models.countTokens({ model: SONNET, contents: "How many tokens is this?" });
  ok(totalTokens! > 3 && totalTokens! < 20);
  const names: string[] = [];
  for await (const model of await ai.models.list()) names.push(model.name!);
  ok(names.includes(`models/${SONNET}`));
  const model = await ai.models.get({ model: SONNET });
  equal(model.name, `models/${SONNET}`);
  ok(model.supportedActions?.includes("generateContent") || model.outputTokenLimit! > 0);
});

Deno.test("errors in Google's shape: a bad field is INVALID_ARGUMENT naming it, a bad key UNAUTHENTICATED", async () => {
  await using stack = await startStack();
  await rejects(
    client(stack.relayUrl).models.generateContent({ model: SONNET, contents: "Hi", config: { candidateCount: 2 } }),
    (error: Error & { status?: number }) => {
      equal(error.status, 400);
      const body = JSON.parse(error.message);
      equal(body.error.status, "INVALID_ARGUMENT");
      match(body.error.message, /generationConfig\.candidateCount/);
      equal(body.error.details[0].fieldViolations[0].field, "generationConfig.candidateCount");
      return true;
    },
  );
  const bad = "sgp_ffffffffffffffff_ffffffffffffffffffffffffffffffffffffffff";
  await rejects(
    client(stack.relayUrl, bad).models.generateContent({ model: SONNET, contents: "Hi" }),
    (error: Error & { status?: number }) => {
      equal(error.status, 401);
      equal(JSON.parse(error.message).error.status, "UNAUTHENTICATED");
      ok(!error.message.includes(bad), "the key is not echoed");
      return true;
    },
  );
});

Deno.test("a 429 is RESOURCE_EXHAUSTED with RetryInfo; a failure mid-stream is an error event the SDK throws", async () => {
  await using stack = await startStack({ simulator: { paceMs: 2 } });
  stack.simulator.script({ status: 429, retryAfter: 30 });
  await rejects(
    client(stack.relayUrl).models.generateContentStream({ model: SONNET, contents: "Hi" }),
    (error: Error & { status?: number }) => {
      equal(error.status, 429);
      const body = JSON.parse(error.message);
      equal(body.error.status, "RESOURCE_EXHAUSTED");
      deepEqual(body.error.details.at(-1), { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "30s" });
      return true;
    },
  );
  stack.simulator.script({ errorAfter: 4, message: "upstream broke" });
  const stream = await client(stack.relayUrl).models.generateContentStream({ model: SONNET, contents: "Hi" });
  const texts: string[] = [];
  await rejects(
    (async () => {
      for await (const chunk of stream) texts.push(chunk.text ?? "");
    })(),
    (error: Error & { status?: number }) => {
      match(error.message, /upstream broke/);
      ok(error.status! >= 500);
      return true;
    },
  );
  ok(texts.join("").length > 0, "the text before the failure arrived");
});

Deno.test("without ?alt=sse the stream is one JSON array written as it grows, and ?key= is the API key", async () => {
  await using stack = await startStack();
  const response = await fetch(`${stack.relayUrl}/v1beta/models/${SONNET}:streamGenerateContent?key=${TOKEN}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Array please" }] }] }),
  });
  equal(response.status, 200);
  match(response.headers.get("content-type") ?? "", /^application\/json/);
  const responses = JSON.parse(await response.text()) as { candidates: { content: { parts: { text: string }[] } }[] }[];
  equal(
    responses.map((item) => item.candidates[0].content.parts[0].text).join(""),
    `This is the cody-relay simulator answering as ${SONNET}. You said: Array please`,
  );
});
