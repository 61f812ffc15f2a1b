/** The real `ollama` npm client against the relay and the simulator, over loopback HTTP. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { Ollama } from "ollama";
import { startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";
const CODE_MODEL = "fireworks::v1::deepseek-coder-v2-lite-base";

function client(host: string): Ollama {
  return new Ollama({ host, headers: { authorization: `Bearer ${TOKEN}` } });
}

Deno.test("probe, version, list and show answer as Ollama does", async () => {
  await using stack = await startStack();
  equal(await (await fetch(stack.relayUrl)).text(), "Ollama is running");
  const { version } = await client(stack.relayUrl).version();
  ok(version.localeCompare("0.6.4", undefined, { numeric: true }) >= 0, version);
  const { models } = await client(stack.relayUrl).list();
  equal(models[0].name, SONNET);
  equal(models[0].model, SONNET);
  const shown = await client(stack.relayUrl).show({ model: SONNET });
  equal(shown.details.family, (shown.model_info as unknown as Record<string, unknown>)["general.architecture"]);
  ok(shown.capabilities.includes("completion") && shown.capabilities.includes("tools"));
  ok(!shown.template.includes(".Suffix"), "no FIM on a chat model");
  const code = await client(stack.relayUrl).show({ model: CODE_MODEL });
  ok(code.template.includes("{{ .Suffix }}") && code.capabilities.includes("insert"));
});

Deno.test("chat streams NDJSON lines and ends with done, done_reason and counts", async () => {
  await using stack = await startStack();
  const parts = await Array.fromAsync(
    await client(stack.relayUrl).chat({ model: SONNET, messages: [{ role: "user", content: "Hello" }], stream: true }),
  );
  const last = parts.at(-1)!;
  equal(last.done, true);
  equal(last.done_reason, "stop");
  ok(last.eval_count > 0 && last.prompt_eval_count > 0);
  equal(
    parts.map((part) => part.message.content).join(""),
    `This is the cody-relay simulator answering as ${SONNET}. You said: Hello`,
  );
  ok(parts.slice(0, -1).every((part) => part.done === false));
});

Deno.test("chat without stream gives one response; tool calls carry object arguments and round-trip", async () => {
  await using stack = await startStack();
  const tools = [{
    type: "function",
    function: {
      name: "read_file",
      description: "Read a file",
      parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    },
  }];
  const first = await client(stack.relayUrl).chat({
    model: SONNET,
    messages: [{ role: "user", content: "Read a.ts" }],
    tools,
    stream: false,
  });
  const call = first.message.tool_calls![0];
  equal(call.function.name, "read_file");
  equal(typeof call.function.arguments, "object");
  const second = await client(stack.relayUrl).chat({
    model: SONNET,
    messages: [
      { role: "user", content: "Read a.ts" },
      first.message,
      { role: "tool", content: "export const a = 1;", tool_name: "read_file" },
    ],
    tools,
    stream: false,
  });
  equal(second.message.content, "The tool returned: export const a = 1;");
});

Deno.test("generate with suffix is code completion: only the middle comes back", async () => {
  await using stack = await startStack();
  const result = await client(stack.relayUrl).generate({
    model: CODE_MODEL,
    prompt: "function add(a, b) {\n  ",
    suffix: "\n}\n",
    stream: false,
    options: { num_predict: 64, temperature: 0.1 },
  });
  equal(result.response, '[middle after "function add(a, b) {" before "}"]');
  equal(result.done, true);
  ok(stack.simulator.requests.some((request) => request.path === "/.api/completions/code"));
});

Deno.test("a long chat answer continues across a seam; errors come as {error}", async () => {
  await using stack = await startStack({ simulator: { maxOutputTokens: 12 } });
  const parts = await Array.fromAsync(
    await client(stack.relayUrl).chat({
      model: SONNET,
      messages: [{ role: "user", content: "[[sim words=40]] story" }],
      stream: true,
      options: { num_predict: 500 },
    }),
  );
  equal(parts.map((part) => part.message.content).join("").split(" ").length, 40);
  equal(parts.at(-1)!.done_reason, "stop");

  const failed = await client(stack.relayUrl).chat({
    model: SONNET,
    messages: [{ role: "user", content: "Hi [[sim status=429 retry_after=30]]" }],
    stream: false,
  }).catch((error) => error);
  equal(failed.status_code, 429);
  match(failed.error, /rate limit/i);
  const raw = await fetch(`${stack.relayUrl}/api/embed`, { method: "POST", body: "{}" });
  equal(raw.status, 501);
  deepEqual(Object.keys(await raw.json()), ["error"]);
});

Deno.test("num_predict cutting a tool call's arguments ends with done_reason length, not an error", async () => {
  await using stack = await startStack();
  const request = {
    model: SONNET,
    messages: [{ role: "user", content: "Weather in Paris?" }],
    tools: [{
      type: "function",
      function: {
        name: "get_weather",
        description: "",
        parameters: { type: "object", properties: { city: { type: "string", description: "" } } },
      },
    }],
    options: { num_predict: 7 }, // "I'll call the get_weather tool." is 6 tokens: the 7th is in the arguments
  };
  const whole = await client(stack.relayUrl).chat({ ...request, stream: false });
  equal(whole.done_reason, "length");
  equal(whole.message.content, "I'll call the get_weather tool.");
  equal(whole.message.tool_calls, undefined, "a cut-off call is not passed off as a call");
  const lines = await Array.fromAsync(await client(stack.relayUrl).chat({ ...request, stream: true }));
  equal(lines.at(-1)?.done_reason, "length");
  equal(lines.map((line) => line.message.content).join(""), "I'll call the get_weather tool.");
  ok(lines.every((line) => !line.message.tool_calls));
});
