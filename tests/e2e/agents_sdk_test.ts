/** The OpenAI Agents SDK (`@openai/agents`) on the Responses API: an agent with one function tool, run to completion. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { Agent, OpenAIResponsesModel, run, setTracingDisabled, tool } from "@openai/agents";
import OpenAI from "openai";
import { z } from "zod";
import { startStack, TOKEN } from "../harness.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

setTracingDisabled(true); // traces would go to api.openai.com

function weatherAgent(relayUrl: string, calls: string[]): Agent {
  const client = new OpenAI({ baseURL: `${relayUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
  const getWeather = tool({
    name: "get_weather",
    description: "The weather in a city",
    parameters: z.object({ city: z.string() }),
    execute: ({ city }) => {
      calls.push(city);
      return `sunny in ${city}`;
    },
  });
  return new Agent({
    name: "Forecaster",
    instructions: "Answer with the weather.",
    model: new OpenAIResponsesModel(client, MODEL),
    tools: [getWeather],
  });
}

Deno.test("Agents SDK: the agent calls its function tool, gets the result back, and finishes with text", async () => {
  await using stack = await startStack();
  const calls: string[] = [];
  const result = await run(weatherAgent(stack.relayUrl, calls), "Weather in Paris?");
  deepEqual(calls, ["example city"]);
  equal(result.finalOutput, "The tool returned: sunny in example city");
  const upstream = stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream");
  equal(upstream.length, 2);
  const last = upstream[1].body?.messages?.at(-1) as { content?: { type: string; tool_result?: unknown }[] };
  ok(last.content?.some((part) => part.type === "tool_result"), JSON.stringify(last));
});

Deno.test("Agents SDK streamed: text deltas arrive, the run completes, and a follow-up continues by previousResponseId", async () => {
  await using stack = await startStack();
  const calls: string[] = [];
  const agent = weatherAgent(stack.relayUrl, calls);
  const stream = await run(agent, "Weather in Oslo?", { stream: true });
  const text = await Array.fromAsync(stream.toTextStream());
  await stream.completed;
  deepEqual(calls, ["example city"]);
  equal(stream.finalOutput, "The tool returned: sunny in example city");
  ok(text.join("").endsWith("The tool returned: sunny in example city"));
  ok(stream.lastResponseId?.startsWith("resp_"));
  const followUp = await run(agent, "Thanks [[sim tool=none]]", { previousResponseId: stream.lastResponseId });
  equal(followUp.finalOutput, `This is the cody-relay simulator answering as ${MODEL}. You said: Thanks`);
  const upstream = stack.simulator.requests.filter((request) => request.path === "/.api/completions/stream");
  const history = upstream.at(-1)!.body!.messages!.map((message) => message.speaker);
  deepEqual(history, ["system", "human", "assistant", "human", "assistant", "human"]);
});
