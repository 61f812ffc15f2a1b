import { deepEqual } from "node:assert/strict";
import { openAIChatBody } from "../../lib/openai_compatible/request_body.ts";

Deno.test("hub conversation → OpenAI messages: system, images, tool calls and results, tools, sampling; not the client's stops", () => {
  const body = openAIChatBody({
    model: "m",
    messages: [
      { role: "system", parts: [{ type: "text", text: "Be brief." }, { type: "text", text: "Be kind." }] },
      {
        role: "user",
        parts: [{ type: "text", text: "What is this?" }, {
          type: "image",
          url: "data:image/png;base64,AA",
          detail: "low",
        }],
      },
      {
        role: "assistant",
        parts: [
          { type: "thinking", text: "hmm", signature: "s" },
          { type: "text", text: "Let me look." },
          { type: "tool_call", id: "c1", name: "look", arguments: '{"at":"it"}' },
        ],
      },
      {
        role: "user",
        parts: [{ type: "tool_result", toolCallId: "c1", content: "a cat" }, { type: "text", text: "So?" }],
      },
    ],
    tools: [{ name: "look", description: "Looks", parameters: { type: "object" } }],
    toolChoice: { name: "look" },
    maxTokens: 100,
    temperature: 0.3,
    topP: 0.9,
    topK: 40,
    stop: ["END"],
  });
  deepEqual(body, {
    model: "m",
    messages: [
      { role: "system", content: "Be brief.\n\nBe kind." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AA", detail: "low" } },
        ],
      },
      {
        role: "assistant",
        content: "Let me look.",
        tool_calls: [{ id: "c1", type: "function", function: { name: "look", arguments: '{"at":"it"}' } }],
      },
      { role: "tool", tool_call_id: "c1", content: "a cat" },
      { role: "user", content: "So?" },
    ],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 100,
    temperature: 0.3,
    top_p: 0.9,
    tools: [{ type: "function", function: { name: "look", description: "Looks", parameters: { type: "object" } } }],
    tool_choice: { type: "function", function: { name: "look" } },
  });
});

Deno.test("defaults: the model and budget when the request has none; no usage request when turned off; FIM as chat", () => {
  const body = openAIChatBody(
    { messages: [], infill: { prefix: "a = ", suffix: ";" } },
    { defaultModel: "local", defaultMaxTokens: 64, includeUsage: false },
  );
  deepEqual(Object.keys(body), ["model", "messages", "stream", "max_tokens"]);
  deepEqual(body.messages.length, 1);
});
