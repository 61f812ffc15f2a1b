/** parseResponsesRequest: Codex CLI's recorded requests, every item and tool kind, and the 400s. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { RelayError } from "../../../lib/hub/errors.ts";
import { parseResponsesRequest, responsesMessages } from "../../../lib/fronts/responses/request.ts";

const fixture = async (name: string) =>
  JSON.parse(await Deno.readTextFile(new URL(`../../fixtures/responses/${name}.json`, import.meta.url)));

/** The 400 a body gets, as `[param, message]`. */
function refusal(body: unknown, options = {}): [string | undefined, string] {
  try {
    parseResponsesRequest(body, options);
  } catch (error) {
    ok(error instanceof RelayError && error.status === 400, String(error));
    return [error.param, error.message];
  }
  throw new Error("expected a 400");
}

Deno.test("Codex CLI 0.171's first request: developer messages as system, its tools (namespaces flattened), web_search dropped", async () => {
  const body = await fixture("codex_0.171.0_turn1_tool_call");
  const parsed = parseResponsesRequest(body, { droppableTools: ["web_search"] });
  equal(parsed.stream, true);
  equal(parsed.store, false);
  equal(parsed.includeEncryptedReasoning, true);
  deepEqual(parsed.droppedTools, ["web_search"]);
  deepEqual(parsed.request.messages.map((message) => message.role), ["system", "system", "user"]);
  const user = parsed.request.messages[2];
  equal(user.parts.length, 2, "the environment context and the prompt: one user turn");
  deepEqual(user.parts[1], { type: "text", text: "Run a command [[sim tool=exec_command]]" });
  const names = parsed.request.tools!.map((tool) => tool.name);
  equal(names[0], "exec_command");
  ok(names.includes("multi_agent_v1__spawn_agent"), names.join(", "));
  ok(!names.includes("web_search"));
  deepEqual(parsed.tools.get("multi_agent_v1__spawn_agent"), {
    kind: "function",
    name: "spawn_agent",
    namespace: "multi_agent_v1",
  });
  equal(parsed.request.toolChoice, "auto");
  equal(parsed.echo.prompt_cache_key, body.prompt_cache_key);
  deepEqual(parsed.echo.reasoning, { effort: null, summary: "auto" });
  ok(parsed.echo.tools.every((tool) => (tool as { type: string }).type !== "web_search"));
  // Another client sending web_search gets a 400 naming it.
  const [param, message] = refusal(body);
  equal(param, `tools[${body.tools.length - 1}].type`);
  match(message, /'web_search' is not supported/);
});

Deno.test("Codex CLI 0.171's second request: its own output items and the tool output replay as one assistant and one user turn", async () => {
  const parsed = parseResponsesRequest(await fixture("codex_0.171.0_turn2_tool_result"), {
    droppableTools: ["web_search"],
  });
  const [, , user, assistant, result] = parsed.request.messages;
  equal(user.role, "user");
  deepEqual(assistant, {
    role: "assistant",
    parts: [
      { type: "text", text: "I'll call the exec_command tool." },
      {
        type: "tool_call",
        id: "toolu_sim_30d91a25",
        name: "exec_command",
        arguments: JSON.stringify({ cmd: "printf 'simulated-%s\\n' 42" }),
      },
    ],
  });
  equal(result.role, "user");
  equal(result.parts.length, 1);
  const part = result.parts[0];
  ok(part.type === "tool_result" && part.toolCallId === "toolu_sim_30d91a25");
  match(part.content, /Output:\nsimulated-42\n$/);
});

Deno.test("items: reasoning (with encrypted_content as the signature), custom tool calls, namespaced calls, images, messages without type", () => {
  const messages = responsesMessages([
    { type: "message", role: "developer", content: [{ type: "input_text", text: "Be brief." }] },
    {
      type: "message",
      role: "user",
      content: [{ type: "input_text", text: "Look" }, {
        type: "input_image",
        image_url: "data:image/png;base64,AAAA",
        detail: "low",
      }],
    },
    { type: "reasoning", summary: [{ type: "summary_text", text: "Thinking." }], encrypted_content: "sig" },
    { type: "custom_tool_call", call_id: "c1", name: "apply_patch", input: "*** Begin Patch" },
    { type: "function_call", call_id: "c2", name: "spawn_agent", namespace: "multi_agent_v1", arguments: "{}" },
    { type: "custom_tool_call_output", call_id: "c1", output: [{ type: "input_text", text: "Done" }] },
    {
      type: "function_call_output",
      call_id: "c2",
      output: [{ type: "input_text", text: "agent 1" }, { type: "input_image", image_url: "https://x/y.png" }],
    },
    {
      type: "message",
      role: "assistant",
      content: [{ type: "output_text", text: "Both done." }, { type: "refusal", refusal: "No more." }],
    },
  ], "Instructions.");
  deepEqual(messages, [
    { role: "system", parts: [{ type: "text", text: "Instructions." }] },
    { role: "system", parts: [{ type: "text", text: "Be brief." }] },
    {
      role: "user",
      parts: [{ type: "text", text: "Look" }, { type: "image", url: "data:image/png;base64,AAAA", detail: "low" }],
    },
    {
      role: "assistant",
      parts: [
        { type: "thinking", text: "Thinking.", signature: "sig" },
        { type: "tool_call", id: "c1", name: "apply_patch", arguments: '{"input":"*** Begin Patch"}' },
        { type: "tool_call", id: "c2", name: "multi_agent_v1__spawn_agent", arguments: "{}" },
      ],
    },
    {
      role: "user",
      parts: [
        { type: "tool_result", toolCallId: "c1", content: "Done" },
        { type: "tool_result", toolCallId: "c2", content: "agent 1\n[image]" },
      ],
    },
    { role: "assistant", parts: [{ type: "text", text: "Both done." }, { type: "text", text: "No more." }] },
  ]);
  const untyped = parseResponsesRequest({ model: "m", input: [{ role: "user", content: "Hi" }] });
  deepEqual(untyped.request.messages, [{ role: "user", parts: [{ type: "text", text: "Hi" }] }]);
});

Deno.test("parameters: budget, sampling, text.format, tool_choice, allowed_tools, custom tools' grammar", () => {
  const parsed = parseResponsesRequest({
    model: "m",
    input: "Hi",
    max_output_tokens: 100,
    temperature: 0.5,
    top_p: 0.9,
    text: { format: { type: "json_schema", name: "city", schema: { type: "object" } }, verbosity: "low" },
    tools: [
      { type: "function", name: "a", parameters: { type: "object" } },
      { type: "function", name: "b" },
      {
        type: "custom",
        name: "apply_patch",
        description: "Edit files",
        format: { type: "grammar", syntax: "lark", definition: "start: /.+/" },
      },
    ],
    tool_choice: { type: "custom", name: "apply_patch" },
    metadata: { a: "b" },
    store: true,
    previous_response_id: "resp_1",
  });
  equal(parsed.request.maxTokens, 100);
  equal(parsed.request.temperature, 0.5);
  equal(parsed.request.topP, 0.9);
  deepEqual(parsed.request.responseFormat, { type: "json", schema: { type: "object" }, name: "city" });
  deepEqual(parsed.request.toolChoice, { name: "apply_patch" });
  equal(parsed.previousResponseId, "resp_1");
  const custom = parsed.request.tools!.find((tool) => tool.name === "apply_patch")!;
  match(custom.description!, /^Edit files\n\nThe input must match this lark grammar:\nstart: \/\.\+\//);
  deepEqual(custom.parameters, { type: "object", properties: { input: { type: "string" } }, required: ["input"] });
  const allowed = parseResponsesRequest({
    input: "Hi",
    tools: [{ type: "function", name: "a" }, { type: "function", name: "b" }],
    tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "b" }] },
  });
  deepEqual(allowed.request.tools!.map((tool) => tool.name), ["b"]);
  equal(allowed.request.toolChoice, "required");
  equal(allowed.model, "default", "no model: the upstream's default");
  const json = parseResponsesRequest({ input: "Hi", text: { format: { type: "json_object" } } });
  deepEqual(json.request.responseFormat, { type: "json" });
});

Deno.test("400s name the field: wrong types, unknown items and parts, built-in tools and tool choices, unsupported features", () => {
  deepEqual(refusal({ input: "Hi", temperature: "hot" })[0], "temperature");
  deepEqual(refusal({ input: 42 })[0], "input");
  deepEqual(refusal({ input: [{ type: "item_reference", id: "msg_1" }] })[0], "input[0].type");
  deepEqual(refusal({ input: [{ type: "function_call", name: "f", arguments: "{}" }] })[0], "input[0].call_id");
  deepEqual(refusal({ input: [{ role: "user", content: [{ type: "input_audio" }] }] })[0], "input[0].content[0].type");
  deepEqual(
    refusal({ input: [{ role: "user", content: [{ type: "input_file", file_id: "f" }] }] })[0],
    "input[0].content[0]",
  );
  deepEqual(
    refusal({ input: [{ role: "user", content: [{ type: "input_image", file_id: "f" }] }] })[0],
    "input[0].content[0]",
  );
  deepEqual(refusal({ input: "Hi", tools: [{ type: "function" }] })[0], "tools[0].name");
  deepEqual(refusal({ input: "Hi", tools: [{ type: "file_search" }] })[0], "tools[0].type");
  deepEqual(refusal({ input: "Hi", tool_choice: { type: "web_search" } })[0], "tool_choice.type");
  deepEqual(
    refusal({ input: "Hi", tools: [{ type: "function", name: "a" }], tool_choice: { type: "function", name: "b" } })[0],
    "tool_choice.name",
  );
  deepEqual(refusal({ input: "Hi", conversation: "conv_1" })[0], "conversation");
  deepEqual(refusal({ input: "Hi", prompt: { id: "pmpt_1" } })[0], "prompt");
  deepEqual(refusal({ input: "Hi", background: true })[0], "background");
  deepEqual(refusal({ input: "Hi", max_output_tokens: 0 })[0], "max_output_tokens");
  deepEqual(refusal({ input: "Hi", text: { format: { type: "xml" } } })[0], "text.format.type");
  // Unknown fields are ignored.
  ok(parseResponsesRequest({ input: "Hi", service_tier: "auto", stream_options: {}, client_metadata: { a: 1 } }));
});
