import { deepEqual, equal, throws } from "node:assert/strict";
import { buildCodyRequest } from "../../lib/cody/request_builder.ts";
import { RelayError } from "../../lib/hub/errors.ts";
import type { RelayMessage } from "../../lib/hub/request.ts";

const user = (text: string): RelayMessage => ({ role: "user", parts: [{ type: "text", text }] });
const system = (text: string): RelayMessage => ({ role: "system", parts: [{ type: "text", text }] });
const assistant = (text: string): RelayMessage => ({ role: "assistant", parts: [{ type: "text", text }] });

Deno.test("defaults: streaming, Cody's temperature, -1 top-k/top-p, default max tokens, no model", () => {
  deepEqual(buildCodyRequest({ messages: [user("Hi")] }, { apiVersion: 9, defaultMaxTokens: 1234 }), {
    messages: [{ speaker: "human", text: "Hi" }],
    maxTokensToSample: 1234,
    temperature: 0.2,
    topK: -1,
    topP: -1,
    stream: true,
  });
});

Deno.test("client parameters pass through; the client's stops do not (the relay finds them itself)", () => {
  const body = buildCodyRequest(
    {
      model: "anthropic/claude-3-haiku",
      messages: [user("Hi")],
      maxTokens: 7,
      temperature: 0,
      topP: 0.5,
      stop: ["\n\n"],
    },
    { apiVersion: 9 },
  );
  equal(body.model, "anthropic/claude-3-haiku");
  equal(body.maxTokensToSample, 7);
  equal(body.temperature, 0);
  equal(body.topP, 0.5);
  equal(body.stopSequences, undefined);
});

Deno.test("leading system messages merge; a later one becomes a marked human instruction merged with its neighbour", () => {
  const body = buildCodyRequest({
    messages: [system("A"), system("B"), user("Q1"), assistant("A1"), system("Be terse"), user("Q2")],
  }, { apiVersion: 9 });
  deepEqual(body.messages, [
    { speaker: "system", text: "A\n\nB" },
    { speaker: "human", text: "Q1" },
    { speaker: "assistant", text: "A1" },
    { speaker: "human", text: "[System instruction]\nBe terse\n\nQ2" },
  ]);
});

Deno.test("empty assistant turns drop; a final assistant prefill loses trailing whitespace", () => {
  const body = buildCodyRequest({ messages: [user("Q"), assistant(""), user("Q2"), assistant("Sure:  \n")] }, {
    apiVersion: 9,
  });
  deepEqual(body.messages, [{ speaker: "human", text: "Q\n\nQ2" }, { speaker: "assistant", text: "Sure:" }]);
});

Deno.test("images use content parts at api-version 3+, and are a 400 below", () => {
  const request = {
    messages: [{
      role: "user" as const,
      parts: [{ type: "text" as const, text: "What is this?" }, {
        type: "image" as const,
        url: "data:image/png;base64,AA==",
      }],
    }],
  };
  deepEqual(buildCodyRequest(request, { apiVersion: 3 }).messages[0], {
    speaker: "human",
    content: [{ type: "text", text: "What is this?" }, {
      type: "image_url",
      image_url: { url: "data:image/png;base64,AA==" },
    }],
  });
  throws(
    () => buildCodyRequest(request, { apiVersion: 2 }),
    (error: RelayError) => error.status === 400 && error.param === "messages[0].content",
  );
});

Deno.test("tools and tool turns need api-version 9", () => {
  const tools = [{ name: "f", parameters: { type: "object" } }];
  throws(
    () => buildCodyRequest({ messages: [user("Hi")], tools }, { apiVersion: 8 }),
    (error: RelayError) => error.param === "tools",
  );
  const toolTurn: RelayMessage = { role: "user", parts: [{ type: "tool_result", toolCallId: "t", content: "42" }] };
  throws(() => buildCodyRequest({ messages: [user("Hi"), toolTurn] }, { apiVersion: 8 }), RelayError);
  deepEqual(buildCodyRequest({ messages: [user("Hi")], tools }, { apiVersion: 9 }).tools, [
    { type: "function", function: { name: "f", parameters: { type: "object" } } },
  ]);
});

Deno.test("tool_choice becomes a system instruction, since Cody has no such field", () => {
  const tools = [{ name: "lookup" }];
  const named = buildCodyRequest({ messages: [user("Hi")], tools, toolChoice: { name: "lookup" } }, { apiVersion: 9 });
  deepEqual(named.messages[0], { speaker: "system", text: "You must call the tool `lookup` in your next reply." });
  const auto = buildCodyRequest({ messages: [user("Hi")], tools, toolChoice: "auto" }, { apiVersion: 9 });
  equal(auto.messages[0].speaker, "human");
});

Deno.test("a conversation without any user turn is a 400", () => {
  throws(
    () => buildCodyRequest({ messages: [system("only me")] }, { apiVersion: 9 }),
    (error: RelayError) => error.status === 400,
  );
});
