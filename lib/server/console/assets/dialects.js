/**
 * The playground's dialects: for each API the relay speaks, the request a client of that
 * dialect sends (endpoint, headers, body) and how to read the answer out of one of its
 * wire frames. Plain functions for the browser, checked by Deno's doc tests.
 *
 * @module
 */
import { sseFields } from "./frame_splitter.js";

/**
 * What the playground's form holds.
 *
 * @typedef {object} PlaygroundInput
 * @property {string} model The model id.
 * @property {string} prompt The user's message (the code before the cursor, for completions).
 * @property {string} [system] A system prompt.
 * @property {string} [suffix] The code after the cursor (fill-in-the-middle).
 * @property {number} [maxTokens] The output limit.
 * @property {ToolDefinition} [tool] A tool the model may call.
 */

/**
 * A tool, as OpenAI's `function` describes it.
 *
 * @typedef {object} ToolDefinition
 * @property {string} name
 * @property {string} [description]
 * @property {Record<string, unknown>} [parameters] A JSON Schema of its arguments.
 */

/**
 * A piece of the answer read from a frame.
 *
 * @typedef {object} AnswerPart
 * @property {string} [text] Answer text.
 * @property {string} [thinking] Reasoning text.
 * @property {string} [toolName] A tool call starts, to this tool.
 * @property {string} [toolArguments] More of the current tool call's arguments.
 * @property {string} [finish] How the answer ended, in the dialect's words.
 * @property {number} [outputTokens] Tokens written, as the answer reports them.
 * @property {string} [error] The answer failed with this message.
 */

/**
 * One dialect.
 *
 * @typedef {object} PlaygroundDialect
 * @property {string} label Its name in the menu.
 * @property {"sse" | "ndjson"} format How its stream is framed.
 * @property {boolean} system Whether it takes a system prompt.
 * @property {boolean} tools Whether it takes tools.
 * @property {boolean} fim Whether it takes a suffix (fill-in-the-middle).
 * @property {(input: PlaygroundInput) => string} endpoint The path to post to.
 * @property {Record<string, string>} headers Headers besides the key and `content-type`.
 * @property {(input: PlaygroundInput) => Record<string, unknown>} body The request body.
 * @property {(frame: string) => AnswerPart[]} read The answer's pieces in one frame.
 */

/**
 * The JSON of an SSE frame's data, or undefined (a comment, `[DONE]`, or not JSON).
 *
 * @param {string} frame
 * @returns {any}
 */
function sseJson(frame) {
  const { data } = sseFields(frame);
  return json(data);
}

/**
 * @param {string} text
 * @returns {any}
 */
function json(text) {
  if (!text || text === "[DONE]") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The message of an error object in any dialect's shape.
 *
 * @param {any} error
 * @returns {string}
 */
function errorMessage(error) {
  return typeof error === "string" ? error : String(error?.message ?? JSON.stringify(error));
}

/**
 * `parts` without the empty ones.
 *
 * @param {AnswerPart[]} parts
 * @returns {AnswerPart[]}
 */
function present(parts) {
  return parts.filter((part) => Object.values(part).some((value) => value !== undefined && value !== ""));
}

/**
 * The system prompt and the user's message as OpenAI-style messages.
 *
 * @param {PlaygroundInput} input
 */
function chatMessages(input) {
  return [...(input.system ? [{ role: "system", content: input.system }] : []), {
    role: "user",
    content: input.prompt,
  }];
}

/**
 * `{ [key]: value }`, or nothing when `value` is not set (to spread into a body).
 *
 * @param {string} key
 * @param {unknown} value
 * @returns {Record<string, unknown>}
 */
function given(key, value) {
  return value === undefined || value === "" || value === 0 ? {} : { [key]: value };
}

/**
 * A frame reader for dialects whose every frame is one JSON object that may carry an
 * `error`: nothing for frames without JSON, the error's message, or what `read` finds.
 *
 * @param {(frame: string) => any} parse
 * @param {(chunk: any) => AnswerPart[]} read
 * @returns {(frame: string) => AnswerPart[]}
 */
function readObjects(parse, read) {
  return (frame) => {
    const chunk = parse(frame);
    if (!chunk) return [];
    if (chunk.error) return [{ error: errorMessage(chunk.error) }];
    return read(chunk);
  };
}

/**
 * A dialect: most are SSE chat dialects that take a system prompt and tools, and no suffix.
 *
 * @param {string} label
 * @param {Partial<PlaygroundDialect> & Pick<PlaygroundDialect, "endpoint" | "body" | "read">} spec
 * @returns {PlaygroundDialect}
 */
function dialect(label, spec) {
  return { label, format: "sse", system: true, tools: true, fim: false, headers: {}, ...spec };
}

/** A model may call this tool, in OpenAI's shape (chat completions, Ollama). @param {PlaygroundInput} input */
function openAiTools(input) {
  return given("tools", input.tool && [{ type: "function", function: input.tool }]);
}

/**
 * The dialects by key, in the menu's order.
 *
 * @example
 * ```js
 * import { deepEqual, equal } from "node:assert/strict";
 * import { DIALECTS } from "./dialects.js";
 * const anthropic = DIALECTS.anthropic;
 * equal(anthropic.endpoint({ model: "m", prompt: "Hi" }), "/v1/messages");
 * equal(anthropic.body({ model: "m", prompt: "Hi", maxTokens: 50 }).max_tokens, 50);
 * deepEqual(anthropic.read('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}'), [{ text: "Hello" }]);
 * deepEqual(DIALECTS.ollama.read('{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","eval_count":7}'), [{ finish: "stop", outputTokens: 7 }]);
 * deepEqual(DIALECTS.openai.body({ model: "m", prompt: "Hi" }), { model: "m", messages: [{ role: "user", content: "Hi" }], stream: true, stream_options: { include_usage: true } });
 * deepEqual(DIALECTS.completions.read('data: {"error":{"message":"no"}}'), [{ error: "no" }]);
 * equal(DIALECTS.llamacpp.endpoint({ model: "m", prompt: "a", suffix: "b" }), "/infill");
 * ```
 *
 * @type {Record<string, PlaygroundDialect>}
 */
export const DIALECTS = {
  openai: dialect("OpenAI chat", {
    endpoint: () => "/v1/chat/completions",
    body: (input) => ({
      model: input.model,
      messages: chatMessages(input),
      ...given("max_tokens", input.maxTokens),
      ...openAiTools(input),
      stream: true,
      stream_options: { include_usage: true },
    }),
    read: readObjects(sseJson, (chunk) => {
      const choice = chunk.choices?.[0];
      const delta = choice?.delta ?? {};
      return present([
        { thinking: delta.reasoning_content ?? delta.reasoning, text: delta.content ?? undefined },
        ...(delta.tool_calls ?? []).map((/** @type {any} */ call) => ({
          toolName: call.function?.name,
          toolArguments: call.function?.arguments,
        })),
        { finish: choice?.finish_reason ?? undefined, outputTokens: chunk.usage?.completion_tokens },
      ]);
    }),
  }),
  responses: dialect("OpenAI Responses", {
    endpoint: () => "/v1/responses",
    body: (input) => ({
      model: input.model,
      input: input.prompt,
      ...given("instructions", input.system),
      ...given("max_output_tokens", input.maxTokens),
      ...given("tools", input.tool && [{ type: "function", ...input.tool }]),
      stream: true,
      store: false,
    }),
    read(frame) {
      const event = sseJson(frame);
      switch (event?.type) {
        case "response.output_text.delta":
          return [{ text: event.delta }];
        case "response.reasoning_summary_text.delta":
          return [{ thinking: event.delta }];
        case "response.output_item.added":
          return event.item?.type === "function_call" ? [{ toolName: event.item.name }] : [];
        case "response.function_call_arguments.delta":
          return [{ toolArguments: event.delta }];
        case "response.completed":
        case "response.incomplete": {
          const response = event.response ?? {};
          const reason = response.incomplete_details?.reason;
          return [{
            finish: reason ? `${response.status}: ${reason}` : response.status,
            outputTokens: response.usage?.output_tokens,
          }];
        }
        case "response.failed":
          return [{ error: errorMessage(event.response?.error ?? "the response failed") }];
        case "error":
          return [{ error: errorMessage(event.error ?? event) }];
        default:
          return [];
      }
    },
  }),
  anthropic: dialect("Anthropic Messages", {
    endpoint: () => "/v1/messages",
    headers: { "anthropic-version": "2023-06-01" },
    body: (input) => ({
      model: input.model,
      max_tokens: input.maxTokens ?? 1024,
      ...given("system", input.system),
      messages: [{ role: "user", content: input.prompt }],
      ...given(
        "tools",
        input.tool && [{
          name: input.tool.name,
          description: input.tool.description ?? "",
          input_schema: input.tool.parameters ?? { type: "object" },
        }],
      ),
      stream: true,
    }),
    read(frame) {
      const event = sseJson(frame);
      switch (event?.type) {
        case "content_block_start":
          return event.content_block?.type === "tool_use" ? [{ toolName: event.content_block.name }] : [];
        case "content_block_delta": {
          const delta = event.delta ?? {};
          if (delta.type === "text_delta") return [{ text: delta.text }];
          if (delta.type === "thinking_delta") return [{ thinking: delta.thinking }];
          if (delta.type === "input_json_delta") return [{ toolArguments: delta.partial_json }];
          return [];
        }
        case "message_delta":
          return [{ finish: event.delta?.stop_reason ?? undefined, outputTokens: event.usage?.output_tokens }];
        case "error":
          return [{ error: errorMessage(event.error) }];
        default:
          return [];
      }
    },
  }),
  gemini: dialect("Gemini generateContent", {
    endpoint: (input) => `/v1beta/models/${encodeURIComponent(input.model)}:streamGenerateContent?alt=sse`,
    body: (input) => ({
      contents: [{ role: "user", parts: [{ text: input.prompt }] }],
      ...given("systemInstruction", input.system && { parts: [{ text: input.system }] }),
      ...given("generationConfig", input.maxTokens && { maxOutputTokens: input.maxTokens }),
      ...given("tools", input.tool && [{ functionDeclarations: [input.tool] }]),
    }),
    read: readObjects(sseJson, (chunk) => {
      const candidate = chunk.candidates?.[0];
      return present([
        ...(candidate?.content?.parts ?? []).map((/** @type {any} */ part) =>
          part.functionCall
            ? { toolName: part.functionCall.name, toolArguments: JSON.stringify(part.functionCall.args ?? {}) }
            : part.thought
            ? { thinking: part.text }
            : { text: part.text }
        ),
        { finish: candidate?.finishReason, outputTokens: chunk.usageMetadata?.candidatesTokenCount },
      ]);
    }),
  }),
  ollama: dialect("Ollama chat", {
    format: "ndjson",
    endpoint: () => "/api/chat",
    body: (input) => ({
      model: input.model,
      messages: chatMessages(input),
      ...given("options", input.maxTokens && { num_predict: input.maxTokens }),
      ...openAiTools(input),
      stream: true,
    }),
    read: readObjects(json, (line) => {
      const message = line.message ?? {};
      return present([
        { thinking: message.thinking, text: message.content },
        ...(message.tool_calls ?? []).map((/** @type {any} */ call) => ({
          toolName: call.function?.name,
          toolArguments: JSON.stringify(call.function?.arguments ?? {}),
        })),
        line.done ? { finish: line.done_reason, outputTokens: line.eval_count } : {},
      ]);
    }),
  }),
  llamacpp: dialect("llama.cpp completion", {
    system: false,
    tools: false,
    fim: true,
    endpoint: (input) => input.suffix ? "/infill" : "/completion",
    body: (input) => ({
      model: input.model,
      ...(input.suffix ? { input_prefix: input.prompt, input_suffix: input.suffix } : { prompt: input.prompt }),
      ...given("n_predict", input.maxTokens),
      stream: true,
    }),
    read: readObjects(sseJson, (event) =>
      present([{
        text: event.content,
        ...(event.stop ? { finish: event.stop_type, outputTokens: event.tokens_predicted } : {}),
      }])),
  }),
  completions: dialect("OpenAI legacy completions / FIM", {
    system: false,
    tools: false,
    fim: true,
    endpoint: () => "/v1/completions",
    body: (input) => ({
      model: input.model,
      prompt: input.prompt,
      ...given("suffix", input.suffix),
      ...given("max_tokens", input.maxTokens),
      stream: true,
      stream_options: { include_usage: true },
    }),
    read: readObjects(sseJson, (chunk) => {
      const choice = chunk.choices?.[0];
      return present([{
        text: choice?.text,
        finish: choice?.finish_reason ?? undefined,
        outputTokens: chunk.usage?.completion_tokens,
      }]);
    }),
  }),
};
