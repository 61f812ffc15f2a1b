import { deepEqual, equal, throws } from "node:assert/strict";
import { parseChatRequest } from "../../../lib/fronts/openai/chat_request.ts";
import type { RelayError } from "../../../lib/hub/errors.ts";

const base = { model: "m", messages: [{ role: "user", content: "Hi" }] };

function rejectsWith(body: unknown, param: string | undefined, message: RegExp) {
  throws(() => parseChatRequest(body), (error: RelayError) => {
    equal(error.status, 400);
    equal(error.param, param);
    if (!message.test(error.message)) throw new Error(`message ${error.message} does not match ${message}`);
    return true;
  });
}

Deno.test("missing stream means non-streaming; unknown fields are ignored", () => {
  const parsed = parseChatRequest({
    ...base,
    prompt_cache_key: "x",
    parallel_tool_calls: true,
    metadata: {},
    user: "u",
  });
  equal(parsed.stream, false);
  equal(parsed.includeUsage, false);
  equal(parsed.model, "m");
});

Deno.test("max_completion_tokens wins over max_tokens; stop string becomes a list", () => {
  const parsed = parseChatRequest({ ...base, max_tokens: 10, max_completion_tokens: 20, stop: "END" });
  equal(parsed.request.maxTokens, 20);
  deepEqual(parsed.request.stop, ["END"]);
});

Deno.test("developer becomes system; tool messages become tool results; assistant tool calls become parts", () => {
  const parsed = parseChatRequest({
    model: "m",
    messages: [
      { role: "developer", content: [{ type: "text", text: "rules" }] },
      { role: "user", content: "q" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "c1", content: "result" },
    ],
  });
  deepEqual(parsed.request.messages, [
    { role: "system", parts: [{ type: "text", text: "rules" }] },
    { role: "user", parts: [{ type: "text", text: "q" }] },
    { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "f", arguments: "{}" }] },
    { role: "user", parts: [{ type: "tool_result", toolCallId: "c1", content: "result" }] },
  ]);
});

Deno.test("validation errors name the field", () => {
  rejectsWith({ model: "m", messages: [] }, "messages", /at least one message/);
  rejectsWith({ model: "m", messages: [{ role: "robot", content: "x" }] }, "messages[0].role", /messages\[0\]\.role/);
  rejectsWith({ model: "m", messages: [{ role: "user" }] }, "messages[0].content", /messages\[0\]\.content/);
  rejectsWith({ ...base, max_tokens: -1 }, "max_tokens", /max_tokens/);
  rejectsWith({ ...base, temperature: "hot" }, "temperature", /temperature/);
  rejectsWith({ model: 3, messages: base.messages }, "model", /model/);
  rejectsWith("just a string", undefined, /body/);
});

Deno.test("unsupported features are refused, not ignored", () => {
  rejectsWith({ ...base, n: 2 }, "n", /n = 1/);
  rejectsWith({ ...base, response_format: { type: "xml" } }, "response_format.type", /response_format/);
  rejectsWith({ ...base, logprobs: true }, "logprobs", /logprobs/);
  rejectsWith({ ...base, functions: [{ name: "f" }] }, "functions", /use tools/);
});
