/** The Vercel AI SDK's OpenAI-compatible provider (what Cline uses) against the relay. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { jsonSchema, streamText, tool } from "ai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

Deno.test("streamText with a tool: the call parses (id and name first), finish reason tool-calls, usage", async () => {
  await using stack = await startStack();
  const provider = createOpenAICompatible({
    name: "cody-relay",
    baseURL: `${stack.relayUrl}/v1`,
    apiKey: TOKEN,
    includeUsage: true,
  });
  const result = streamText({
    model: provider(SONNET),
    prompt: "Read a.ts",
    tools: {
      read_file: tool({
        description: "Read a file",
        inputSchema: jsonSchema<{ path: string }>({
          type: "object",
          properties: { path: { type: "string" } },
          required: ["path"],
        }),
      }),
    },
  });
  const calls = await result.toolCalls;
  equal(calls.length, 1);
  equal(calls[0].toolName, "read_file");
  equal(typeof calls[0].input, "object");
  equal(await result.finishReason, "tool-calls");
  const usage = await result.usage;
  ok((usage.inputTokens ?? 0) > 0 && (usage.outputTokens ?? 0) > 0);
});

Deno.test("streamText text answer ends with finish reason stop", async () => {
  await using stack = await startStack();
  const provider = createOpenAICompatible({ name: "cody-relay", baseURL: `${stack.relayUrl}/v1`, apiKey: TOKEN });
  const result = streamText({ model: provider(SONNET), prompt: "Hello" });
  deepEqual(await result.text, `This is the cody-relay simulator answering as ${SONNET}. You said: Hello`);
  equal(await result.finishReason, "stop");
});
