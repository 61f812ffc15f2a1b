/** Gemini API request bodies → hub requests: both key spellings, parts, tool calls without ids, config, and 400s naming the field. */
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  parseGeminiCountTokensRequest,
  parseGenerateContentRequest,
} from "../../../lib/fronts/gemini/generate_request.ts";
import type { RelayError } from "../../../lib/hub/errors.ts";

const user = (text: string) => ({ role: "user", parts: [{ text }] });

/** The 400 `parse` throws, checked to name `param`. */
function rejects400(parse: () => unknown, param: string): RelayError {
  let caught: RelayError | undefined;
  throws(parse, (error: RelayError) => {
    caught = error;
    return error.status === 400 && error.param === param;
  }, `a 400 naming ${param}`);
  return caught!;
}

Deno.test("snake_case keys as in Google's REST examples read like camelCase, but not inside schemas' property names or args", () => {
  const { request, includeThoughts } = parseGenerateContentRequest({
    system_instruction: { parts: [{ text: "Be brief." }] },
    contents: [
      { role: "user", parts: [{ text: "Look" }, { inline_data: { mime_type: "image/png", data: "iVBORw0KGgo=" } }] },
      { role: "model", parts: [{ function_call: { name: "list_directory", args: { dir_path: "." } } }] },
      { role: "user", parts: [{ function_response: { name: "list_directory", response: { file_count: 2 } } }] },
    ],
    tools: [{
      function_declarations: [{
        name: "list_directory",
        parameters: { type: "OBJECT", properties: { dir_path: { type: "STRING" } }, required: ["dir_path"] },
      }],
    }],
    tool_config: { function_calling_config: { mode: "AUTO" } },
    generation_config: {
      max_output_tokens: 300,
      stop_sequences: ["END"],
      top_k: 20,
      thinking_config: { include_thoughts: true },
    },
  }, "gemini-2.5-pro");
  deepEqual(request.messages, [
    { role: "system", parts: [{ type: "text", text: "Be brief." }] },
    {
      role: "user",
      parts: [{ type: "text", text: "Look" }, { type: "image", url: "data:image/png;base64,iVBORw0KGgo=" }],
    },
    {
      role: "assistant",
      parts: [{ type: "tool_call", id: "call_1_0", name: "list_directory", arguments: '{"dir_path":"."}' }],
    },
    { role: "user", parts: [{ type: "tool_result", toolCallId: "call_1_0", content: '{"file_count":2}' }] },
  ]);
  deepEqual(request.tools, [{
    name: "list_directory",
    parameters: { type: "object", properties: { dir_path: { type: "string" } }, required: ["dir_path"] },
  }]);
  equal(request.toolChoice, "auto");
  equal(request.maxTokens, 300);
  deepEqual(request.stop, ["END"]);
  equal(request.topK, 20);
  ok(includeThoughts);
});

Deno.test("function responses answer calls by id, else the earliest unanswered call of their name", () => {
  const { request } = parseGenerateContentRequest({
    contents: [
      user("Read both"),
      {
        role: "model",
        parts: [
          { functionCall: { name: "read_file", args: { path: "a" } } },
          { functionCall: { name: "read_file", args: { path: "b" } } },
          { functionCall: { id: "own-id", name: "glob", args: {} } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { id: "own-id", name: "glob", response: { output: "a\nb" } } },
          { functionResponse: { id: "read_file-123-x", name: "read_file", response: { output: "A" } } },
          { functionResponse: { name: "read_file", response: { error: "no such file" } } },
        ],
      },
    ],
  }, "gemini-2.5-pro");
  deepEqual(
    request.messages[1].parts.map((part) => part.type === "tool_call" ? part.id : ""),
    ["call_1_0", "call_1_1", "own-id"],
  );
  deepEqual(request.messages[2].parts, [
    { type: "tool_result", toolCallId: "own-id", content: "a\nb" },
    { type: "tool_result", toolCallId: "call_1_0", content: "A" },
    { type: "tool_result", toolCallId: "call_1_1", content: "Error: no such file" },
  ]);
  const error = rejects400(
    () =>
      parseGenerateContentRequest({
        contents: [user("Hi"), { role: "user", parts: [{ functionResponse: { name: "x", response: {} } }] }],
      }, "m"),
    "contents[1].parts[0].functionResponse",
  );
  ok(error.message.includes("answers no earlier functionCall of x"));
});

Deno.test("thought signatures sent back sign the turn's thinking: the thought parts', or an empty thinking part before the call", () => {
  const { request } = parseGenerateContentRequest({
    contents: [
      user("Q1"),
      {
        role: "model",
        parts: [
          { text: "Let me think.", thought: true },
          { text: "Answer 1", thoughtSignature: "sig-1" },
        ],
      },
      user("Q2"),
      { role: "model", parts: [{ functionCall: { name: "ls", args: {} }, thoughtSignature: "sig-2" }] },
      { role: "user", parts: [{ functionResponse: { name: "ls", response: { output: "." } } }] },
    ],
  }, "m");
  deepEqual(request.messages[1].parts, [
    { type: "thinking", text: "Let me think.", signature: "sig-1" },
    { type: "text", text: "Answer 1" },
  ]);
  deepEqual(request.messages[3].parts, [
    { type: "thinking", text: "", signature: "sig-2" },
    { type: "tool_call", id: "call_3_0", name: "ls", arguments: "{}" },
  ]);
});

Deno.test("inline data: images as data URLs, text types as text; other types and uploaded files are 400s", () => {
  const utf8 = parseGenerateContentRequest({
    contents: [{ parts: [{ inlineData: { mimeType: "text/markdown", data: "aMOpbGxv" } }] }],
  }, "m");
  deepEqual(utf8.request.messages[0], { role: "user", parts: [{ type: "text", text: "héllo" }] });
  rejects400(
    () =>
      parseGenerateContentRequest(
        { contents: [{ parts: [{ inlineData: { mimeType: "text/plain", data: "/w==" } }] }] },
        "m",
      ),
    "contents[0].parts[0].inlineData.data",
  );
  rejects400(
    () =>
      parseGenerateContentRequest({
        contents: [{ parts: [{ inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } }] }],
      }, "m"),
    "contents[0].parts[0].inlineData.mimeType",
  );
  rejects400(
    () =>
      parseGenerateContentRequest({
        contents: [{ parts: [{ fileData: { mimeType: "image/png", fileUri: "https://generativelanguage/files/x" } }] }],
      }, "m"),
    "contents[0].parts[0].fileData",
  );
});

Deno.test("toolConfig: ANY with allowed names offers only those (one is a named choice), NONE is none", () => {
  const tools = [{ functionDeclarations: [{ name: "a" }, { name: "b" }, { name: "c" }] }];
  const one = parseGenerateContentRequest({
    contents: [user("x")],
    tools,
    toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["b"] } },
  }, "m").request;
  deepEqual(one.tools?.map((tool) => tool.name), ["b"]);
  deepEqual(one.toolChoice, { name: "b" });
  const two = parseGenerateContentRequest({
    contents: [user("x")],
    tools,
    toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["a", "c"] } },
  }, "m").request;
  deepEqual(two.tools?.map((tool) => tool.name), ["a", "c"]);
  equal(two.toolChoice, "required");
  const none = parseGenerateContentRequest({
    contents: [user("x")],
    tools,
    toolConfig: { functionCallingConfig: { mode: "NONE" } },
  }, "m").request;
  equal(none.toolChoice, "none");
  equal(parseGenerateContentRequest({ contents: [user("x")], tools: [] }, "m").request.tools, undefined);
});

Deno.test("JSON output: responseJsonSchema (Gemini CLI writes upper-case types in it) or responseSchema, as JSON Schema", () => {
  const cli = parseGenerateContentRequest({
    contents: [user("Route this")],
    generationConfig: {
      responseMimeType: "application/json",
      responseJsonSchema: {
        type: "OBJECT",
        properties: { complexity_score: { type: "INTEGER" } },
        required: ["complexity_score"],
      },
    },
  }, "gemini-3.5-flash-lite").request;
  deepEqual(cli.responseFormat, {
    type: "json",
    schema: { type: "object", properties: { complexity_score: { type: "integer" } }, required: ["complexity_score"] },
  });
  const any = parseGenerateContentRequest({
    contents: [user("JSON please")],
    generationConfig: { responseMimeType: "application/json" },
  }, "m").request;
  deepEqual(any.responseFormat, { type: "json" });
  rejects400(
    () =>
      parseGenerateContentRequest(
        { contents: [user("x")], generationConfig: { responseMimeType: "text/x.enum" } },
        "m",
      ),
    "generationConfig.responseMimeType",
  );
});

Deno.test("400s name the field: wrong types, several candidates, built-in tools, no contents, an absurd model id", () => {
  rejects400(
    () => parseGenerateContentRequest({ contents: [user("x")], generationConfig: { temperature: "hot" } }, "m"),
    "generationConfig.temperature",
  );
  rejects400(
    () => parseGenerateContentRequest({ contents: [user("x")], generationConfig: { candidateCount: 2 } }, "m"),
    "generationConfig.candidateCount",
  );
  rejects400(
    () => parseGenerateContentRequest({ contents: [user("x")], tools: [{ googleSearch: {} }] }, "m"),
    "tools[0].googleSearch",
  );
  rejects400(() => parseGenerateContentRequest({ contents: [] }, "m"), "contents");
  rejects400(() => parseGenerateContentRequest({ contents: [{ role: "system", parts: [] }] }, "m"), "contents[0].role");
  rejects400(() => parseGenerateContentRequest({ contents: [user("x")] }, "x".repeat(300)), "model");
});

Deno.test("unknown fields are ignored; the model loses its models/ prefix; countTokens takes contents or a whole request", () => {
  const parsed = parseGenerateContentRequest({
    contents: [user("x")],
    safetySettings: [{ category: "HARM_CATEGORY_HATE_SPEECH", threshold: "BLOCK_NONE" }],
    labels: { team: "a" },
    generationConfig: { seed: 7, presencePenalty: 0.5, responseModalities: ["TEXT"] },
  }, "models/gemini-2.5-flash");
  equal(parsed.model, "gemini-2.5-flash");
  equal(parsed.request.model, "gemini-2.5-flash");
  equal(parsed.includeThoughts, false);
  const counted = parseGeminiCountTokensRequest({
    generateContentRequest: { model: "models/m", contents: [user("a")], systemInstruction: { parts: [{ text: "s" }] } },
  }, "m");
  deepEqual(counted.request.messages.map((message) => message.role), ["system", "user"]);
  equal(parseGeminiCountTokensRequest({ contents: [user("a")] }, "m").request.messages.length, 1);
});
