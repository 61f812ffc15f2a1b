/**
 * OpenAI Responses API `POST /v1/responses` request → hub request. Unknown fields are
 * accepted and ignored; wrong types, and features the relay cannot serve (built-in tools,
 * stored prompts, conversations, files), are a 400 naming the field.
 *
 * @module
 */
import { z } from "zod";
import { RelayError } from "../../hub/errors.ts";
import { ModelId, OutputTokens, validationError } from "../../hub/validation.ts";
import type { RelayMessage, RelayPart, RelayRequest, RelayTool, RelayToolChoice } from "../../hub/request.ts";

const InputText = z.object({ type: z.literal("input_text"), text: z.string() });
const OutputText = z.object({ type: z.literal("output_text"), text: z.string() });
const Refusal = z.object({ type: z.literal("refusal"), refusal: z.string() });
const InputImage = z.object({
  type: z.literal("input_image"),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});
const InputFile = z.object({ type: z.literal("input_file") });
const unsupportedPart = (what: string) => ({
  error: (issue: z.core.$ZodRawIssue) =>
    issue.code === "invalid_union"
      ? `the relay takes ${what} parts here (input_file and input_audio are not supported)`
      : undefined,
});
const Content = z.discriminatedUnion(
  "type",
  [InputText, OutputText, Refusal, InputImage, InputFile],
  unsupportedPart("input_text, input_image, output_text and refusal"),
);
/** A list of parts, or a string as one text part of `type` (the error names the part at fault). */
const partsOrText = <T extends z.ZodType>(part: T, type: string) =>
  z.preprocess(
    (value) => typeof value === "string" ? [{ type, text: value }] : value,
    z.array(part, "must be a string or a list of content parts"),
  );
const ToolOutput = partsOrText(
  z.discriminatedUnion("type", [InputText, InputImage, InputFile], unsupportedPart("input_text and input_image")),
  "input_text",
);

const MessageItem = z.object({
  type: z.literal("message"),
  id: z.string().optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: partsOrText(Content, "input_text"),
  status: z.string().optional(),
});
const FunctionCallItem = z.object({
  type: z.literal("function_call"),
  id: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullish(),
  arguments: z.string(),
  status: z.string().optional(),
});
const FunctionCallOutputItem = z.object({
  type: z.literal("function_call_output"),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: ToolOutput,
  status: z.string().nullish(),
});
const CustomToolCallItem = z.object({
  type: z.literal("custom_tool_call"),
  id: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullish(),
  input: z.string(),
});
const CustomToolCallOutputItem = z.object({
  type: z.literal("custom_tool_call_output"),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: ToolOutput,
});
const ReasoningItem = z.object({
  type: z.literal("reasoning"),
  id: z.string().optional(),
  summary: z.array(z.object({ type: z.literal("summary_text"), text: z.string() })).default([]),
  content: z.array(z.object({ type: z.enum(["reasoning_text", "text"]), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});

const ITEM_TYPES = [
  "message",
  "function_call",
  "function_call_output",
  "custom_tool_call",
  "custom_tool_call_output",
  "reasoning",
] as const;

/** A content part of a message item. */
export type InputContentPart =
  | { type: "input_text"; text: string }
  | { type: "output_text"; text: string }
  | { type: "refusal"; refusal: string }
  | { type: "input_image"; image_url?: string | null; file_id?: string | null; detail?: string | null }
  | { type: "input_file" };

/** A part of a tool call's output. */
export type ToolOutputPart = Extract<InputContentPart, { type: "input_text" | "input_image" | "input_file" }>;

/** An input item, validated (unknown fields dropped; a string content or output is one `input_text` part). */
export type InputItem =
  | {
    type: "message";
    id?: string;
    role: "user" | "assistant" | "system" | "developer";
    content: InputContentPart[];
    status?: string;
  }
  | {
    type: "function_call";
    id?: string;
    call_id: string;
    name: string;
    namespace?: string | null;
    arguments: string;
    status?: string;
  }
  | {
    type: "function_call_output";
    id?: string | null;
    call_id: string;
    output: ToolOutputPart[];
    status?: string | null;
  }
  | { type: "custom_tool_call"; id?: string; call_id: string; name: string; namespace?: string | null; input: string }
  | { type: "custom_tool_call_output"; id?: string | null; call_id: string; output: ToolOutputPart[] }
  | {
    type: "reasoning";
    id?: string;
    summary: { type: "summary_text"; text: string }[];
    content?: { type: "reasoning_text" | "text"; text: string }[] | null;
    encrypted_content?: string | null;
  };

/** One input item the relay replays to the model (a message without `type` is a `message`). */
export const InputItemSchema: z.ZodType<InputItem> = z.preprocess(
  (item) =>
    item && typeof item === "object" && !("type" in item) && "role" in item ? { type: "message", ...item } : item,
  z.discriminatedUnion(
    "type",
    [
      MessageItem,
      FunctionCallItem,
      FunctionCallOutputItem,
      CustomToolCallItem,
      CustomToolCallOutputItem,
      ReasoningItem,
    ],
    {
      error: (issue) =>
        issue.code === "invalid_union"
          ? `the relay replays items of type ${
            ITEM_TYPES.join(", ")
          } (item references and built-in tools' items are not supported)`
          : undefined,
    },
  ),
);

/**
 * Validates a list of input items, e.g. a stored response's output to replay it (output
 * items are input items too).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseInputItems } from "./request.ts";
 * const [item] = parseInputItems([{ type: "message", id: "msg_1", role: "assistant", status: "completed",
 *   content: [{ type: "output_text", text: "Hi", annotations: [] }] }]);
 * equal(item.type, "message");
 * ```
 */
export function parseInputItems(items: unknown): InputItem[] {
  const result = z.array(InputItemSchema).safeParse(items);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

const FunctionTool = z.object({
  type: z.literal("function"),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const CustomTool = z.object({
  type: z.literal("custom"),
  name: z.string().min(1),
  description: z.string().nullish(),
  format: z.object({ type: z.string(), syntax: z.string().optional(), definition: z.string().optional() }).loose()
    .nullish(),
});
const NamespaceTool = z.object({
  type: z.literal("namespace"),
  name: z.string().min(1),
  description: z.string().nullish(),
  tools: z.array(z.discriminatedUnion("type", [FunctionTool, CustomTool])),
});
const Tool = z.object({ type: z.string() }).loose();

/** `auto`, `none`, `required`, or an object: a function or custom tool by name, `allowed_tools`, or a built-in (refused). */
const ToolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({
    type: z.string(),
    name: z.string().optional(),
    mode: z.enum(["auto", "required"]).optional(),
    tools: z.array(z.object({ type: z.string(), name: z.string().optional() }).loose()).optional(),
  }).loose(),
]);

const TextFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    name: z.string().optional(),
    schema: z.record(z.string(), z.unknown()).optional(),
    description: z.string().nullish(),
    strict: z.boolean().nullish(),
  }),
]);

/** The fields of a Responses request the relay reads. */
export const ResponsesRequestSchema = z.object({
  model: ModelId.nullish(),
  input: z.preprocess(
    (input) => typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input,
    z.array(InputItemSchema, "must be a string or a list of items"),
  ).nullish(),
  instructions: z.string().nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: ToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: OutputTokens.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).max(256).nullish(),
  reasoning: z.object({ effort: z.string().nullish(), summary: z.string().nullish() }).loose().nullish(),
  text: z.object({ format: TextFormat.nullish(), verbosity: z.string().nullish() }).loose().nullish(),
  include: z.array(z.string()).nullish(),
  prompt_cache_key: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  truncation: z.enum(["auto", "disabled"]).nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  background: z.literal(false, "background responses are not supported by the relay").nullish(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
  /** cody-relay's own switch: `false` turns off automatic continuation. */
  auto_continue: z.boolean().nullish(),
});

/** How the relay writes a call of a hub tool back to the client. */
export interface ResponsesToolRoute {
  /** A `function_call` (JSON arguments) or a `custom_tool_call` (free-form input). */
  kind: "function" | "custom";
  /** The tool's name as the client declared it. */
  name: string;
  /** The namespace the client declared it in, if any. */
  namespace?: string;
}

/** The request parameters a response object reports back. */
export interface ResponsesEcho {
  /** The request's `instructions` (not a previous response's). */
  instructions: string | null;
  /** The output budget. */
  max_output_tokens: number | null;
  /** The client's key-value pairs. */
  metadata: Record<string, string>;
  /** Whether the model may call several tools at once. */
  parallel_tool_calls: boolean;
  /** The response this one follows. */
  previous_response_id: string | null;
  /** The client's cache key. */
  prompt_cache_key: string | null;
  /** The reasoning settings asked for. */
  reasoning: { effort: string | null; summary: string | null };
  /** Whether the response is stored. */
  store: boolean;
  /** Sampling temperature. */
  temperature: number | null;
  /** The output format (`text`, `json_object`, `json_schema`). */
  text: { format: Record<string, unknown>; verbosity?: string };
  /** The tool choice as the client gave it. */
  tool_choice: unknown;
  /** The tools as the client gave them (dropped built-ins left out). */
  tools: unknown[];
  /** Nucleus sampling. */
  top_p: number | null;
  /** The truncation strategy. */
  truncation: "auto" | "disabled";
  /** The client's end-user id. */
  user: string | null;
}

/** A parsed Responses request: the hub request plus what only the front needs. */
export interface ParsedResponsesRequest {
  /** The request in hub terms: `instructions` and `input` (without any previous response's items). */
  request: RelayRequest;
  /** The model name to report back. */
  model: string;
  /** Whether the client asked for SSE. */
  stream: boolean;
  /** Whether to keep the response for `previous_response_id` and `GET /responses/{id}` (the API's default: true). */
  store: boolean;
  /** The response this one follows, whose items come before `input`. */
  previousResponseId?: string;
  /** `instructions`, which a follow-up does not inherit. */
  instructions?: string;
  /** `input` as items (a string becomes one user message). */
  input: InputItem[];
  /** How each hub tool's calls are written back, by hub tool name. */
  tools: Map<string, ResponsesToolRoute>;
  /** Built-in tool types dropped because the client sends them unconditionally (to log). */
  droppedTools: string[];
  /** Whether reasoning items carry `encrypted_content` (`include: ["reasoning.encrypted_content"]`). */
  includeEncryptedReasoning: boolean;
  /** The parameters a response object reports. */
  echo: ResponsesEcho;
}

/** Options of {@link parseResponsesRequest}. */
export interface ResponsesParseOptions {
  /** Built-in tool types to drop rather than refuse (a client sends them unconditionally). @default none */
  droppableTools?: readonly string[];
}

/** The separator between a namespace and a tool name in the hub's flat tool list. */
export const NAMESPACE_SEPARATOR = "__";

/**
 * Validates a Responses body and translates it: `instructions` and `system`/`developer`
 * messages become system messages; `function_call` and `custom_tool_call` items become
 * tool calls (a custom tool's free-form input as the single string argument `input`),
 * their outputs tool results; `reasoning` items thinking (their `encrypted_content` as the
 * signature). Function and custom tools, also inside a `namespace` (flattened as
 * `namespace__name`), become hub tools; `text.format` `json_object`/`json_schema` a
 * structured-output request. Throws a 400 `RelayError` naming the offending field.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseResponsesRequest } from "./request.ts";
 * const parsed = parseResponsesRequest({
 *   model: "m",
 *   instructions: "Be brief.",
 *   input: "Hi",
 *   tools: [{ type: "custom", name: "apply_patch", description: "Edit files" }],
 *   stream: true,
 * });
 * ok(parsed.stream && parsed.request.messages[0].role === "system" && parsed.tools.get("apply_patch")?.kind === "custom");
 * ```
 */
export function parseResponsesRequest(body: unknown, options: ResponsesParseOptions = {}): ParsedResponsesRequest {
  const result = ResponsesRequestSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  const data = result.data;
  if (data.conversation != null) {
    throw unsupported("conversation", "conversations are not supported by the relay: use previous_response_id");
  }
  if (data.prompt != null) {
    throw unsupported("prompt", "stored prompt templates are not supported by the relay: send instructions and input");
  }
  const input: InputItem[] = data.input ?? [];
  const { tools, routes, dropped } = toTools(data.tools ?? [], options.droppableTools ?? []);
  const request: RelayRequest = {
    ...(data.model ? { model: data.model } : {}),
    messages: responsesMessages(input, data.instructions ?? undefined),
  };
  if (data.max_output_tokens != null) request.maxTokens = data.max_output_tokens;
  if (data.temperature != null) request.temperature = data.temperature;
  if (data.top_p != null) request.topP = data.top_p;
  const choice = data.tool_choice == null ? undefined : toToolChoice(data.tool_choice, routes);
  const allowed = allowedTools(data.tool_choice);
  const offered = allowed ? tools.filter((tool) => allowed.has(routes.get(tool.name)!.name)) : tools;
  if (offered.length) request.tools = offered;
  if (choice && offered.length) request.toolChoice = choice;
  const format = data.text?.format;
  if (format?.type === "json_object") request.responseFormat = { type: "json" };
  if (format?.type === "json_schema") {
    request.responseFormat = {
      type: "json",
      ...(format.schema ? { schema: format.schema } : {}),
      ...(format.name ? { name: format.name } : {}),
    };
  }
  if (data.auto_continue === false) request.autoContinue = false;
  const store = data.store !== false;
  return {
    request,
    model: data.model || "default",
    stream: data.stream === true,
    store,
    ...(data.previous_response_id ? { previousResponseId: data.previous_response_id } : {}),
    ...(data.instructions ? { instructions: data.instructions } : {}),
    input,
    tools: routes,
    droppedTools: dropped,
    includeEncryptedReasoning: data.include?.includes("reasoning.encrypted_content") ?? false,
    echo: {
      instructions: data.instructions ?? null,
      max_output_tokens: data.max_output_tokens ?? null,
      metadata: data.metadata ?? {},
      parallel_tool_calls: data.parallel_tool_calls ?? true,
      previous_response_id: data.previous_response_id ?? null,
      prompt_cache_key: data.prompt_cache_key ?? null,
      reasoning: { effort: data.reasoning?.effort ?? null, summary: data.reasoning?.summary ?? null },
      store,
      temperature: data.temperature ?? null,
      text: { format: format ?? { type: "text" }, ...(data.text?.verbosity ? { verbosity: data.text.verbosity } : {}) },
      tool_choice: data.tool_choice ?? "auto",
      tools: (data.tools ?? []).filter((tool) => !dropped.includes(tool.type)),
      top_p: data.top_p ?? null,
      truncation: data.truncation ?? "disabled",
      user: data.user ?? null,
    },
  };
}

/**
 * Hub messages for a conversation given as Responses items (a previous response's input
 * and output, then the new input), after `instructions`. Consecutive items of one speaker
 * make one message, so a reasoning item, the text and the calls that follow it are one
 * assistant turn, and the outputs of parallel calls one user turn.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { responsesMessages } from "./request.ts";
 * const messages = responsesMessages([
 *   { type: "message", role: "user", content: [{ type: "input_text", text: "Weather?" }] },
 *   { type: "function_call", call_id: "c1", name: "weather", arguments: "{}" },
 *   { type: "function_call_output", call_id: "c1", output: [{ type: "input_text", text: "sunny" }] },
 * ]);
 * deepEqual(messages.map((message) => message.role), ["user", "assistant", "user"]);
 * ```
 */
export function responsesMessages(items: readonly InputItem[], instructions?: string): RelayMessage[] {
  const messages: RelayMessage[] = [];
  if (instructions) messages.push({ role: "system", parts: [{ type: "text", text: instructions }] });
  const add = (role: RelayMessage["role"], parts: RelayPart[]) => {
    const last = messages.at(-1);
    if (role !== "system" && last?.role === role) last.parts.push(...parts);
    else messages.push({ role, parts });
  };
  items.forEach((item, index) => {
    switch (item.type) {
      case "message": {
        const role = item.role === "developer" ? "system" : item.role;
        add(role, contentParts(item.content, `input[${index}].content`));
        break;
      }
      case "function_call":
        add("assistant", [{ type: "tool_call", id: item.call_id, name: hubName(item), arguments: item.arguments }]);
        break;
      case "custom_tool_call":
        add("assistant", [{
          type: "tool_call",
          id: item.call_id,
          name: hubName(item),
          arguments: JSON.stringify({ input: item.input }),
        }]);
        break;
      case "function_call_output":
      case "custom_tool_call_output":
        add("user", [{ type: "tool_result", toolCallId: item.call_id, content: outputText(item.output) }]);
        break;
      case "reasoning": {
        const text = (item.content?.length ? item.content : item.summary).map((part) => part.text).join("\n\n");
        if (!text && !item.encrypted_content) break;
        add("assistant", [{
          type: "thinking",
          text,
          ...(item.encrypted_content ? { signature: item.encrypted_content } : {}),
        }]);
        break;
      }
    }
  });
  return messages;
}

/** The hub's name of a tool call: its name, prefixed by its namespace. */
function hubName(item: { name: string; namespace?: string | null }): string {
  return item.namespace ? `${item.namespace}${NAMESPACE_SEPARATOR}${item.name}` : item.name;
}

function contentParts(content: z.infer<typeof Content>[], param: string): RelayPart[] {
  return content.map((part, index): RelayPart => {
    switch (part.type) {
      case "input_text":
      case "output_text":
        return { type: "text", text: part.text };
      case "refusal":
        return { type: "text", text: part.refusal };
      case "input_image":
        if (!part.image_url) {
          throw unsupported(
            `${param}[${index}]`,
            "images must be given by image_url (a URL or a data: URL); file_id is not supported",
          );
        }
        return {
          type: "image",
          url: part.image_url,
          ...(part.detail === "auto" || part.detail === "low" || part.detail === "high" ? { detail: part.detail } : {}),
        };
      case "input_file":
        throw unsupported(`${param}[${index}]`, "input_file parts are not supported by the relay");
    }
  });
}

function outputText(output: z.infer<typeof ToolOutput>): string {
  return output.map((part) =>
    part.type === "input_text" ? part.text : part.type === "input_image" ? "[image]" : "[file]"
  )
    .join("\n");
}

/** The description a custom tool gets in the hub: its own, and the format its input must have. */
function customDescription(tool: z.infer<typeof CustomTool>): string {
  const format = tool.format;
  const grammar = format?.type === "grammar" && format.definition
    ? `\n\nThe input must match this ${format.syntax ?? ""} grammar:\n${format.definition}`
    : "";
  return `${tool.description ?? ""}${grammar}\n\nPut the tool's whole free-form input in the string argument "input".`
    .trim();
}

function toTools(
  declared: z.infer<typeof Tool>[],
  droppable: readonly string[],
): { tools: RelayTool[]; routes: Map<string, ResponsesToolRoute>; dropped: string[] } {
  const tools: RelayTool[] = [];
  const routes = new Map<string, ResponsesToolRoute>();
  const dropped: string[] = [];
  const add = (tool: z.infer<typeof FunctionTool> | z.infer<typeof CustomTool>, namespace?: string) => {
    const name = namespace ? `${namespace}${NAMESPACE_SEPARATOR}${tool.name}` : tool.name;
    routes.set(name, { kind: tool.type, name: tool.name, ...(namespace ? { namespace } : {}) });
    if (tool.type === "function") {
      tools.push({
        name,
        ...(tool.description ? { description: tool.description } : {}),
        ...(tool.parameters ? { parameters: tool.parameters } : {}),
      });
    } else {
      tools.push({
        name,
        description: customDescription(tool),
        parameters: { type: "object", properties: { input: { type: "string" } }, required: ["input"] },
      });
    }
  };
  declared.forEach((tool, index) => {
    const param = `tools[${index}]`;
    if (tool.type === "function") add(parseTool(FunctionTool, tool, param));
    else if (tool.type === "custom") add(parseTool(CustomTool, tool, param));
    else if (tool.type === "namespace") {
      const namespace = parseTool(NamespaceTool, tool, param);
      for (const inner of namespace.tools) add(inner, namespace.name);
    } else if (droppable.includes(tool.type)) dropped.push(tool.type);
    else {
      throw unsupported(
        `${param}.type`,
        `the built-in tool type '${tool.type}' is not supported by the relay: only function, custom and namespace tools are`,
      );
    }
  });
  return { tools, routes, dropped };
}

function parseTool<T extends z.ZodType>(schema: T, tool: unknown, param: string): z.infer<T> {
  const result = schema.safeParse(tool);
  if (result.success) return result.data;
  const error = validationError(result.error);
  const field = error.param ? `${param}.${error.param}` : param;
  throw new RelayError(400, error.message.replace("Invalid request: ", `Invalid request: ${param}.`), {
    param: field,
    code: "invalid_request",
  });
}

function toToolChoice(
  choice: z.infer<typeof ToolChoice>,
  routes: Map<string, ResponsesToolRoute>,
): RelayToolChoice | undefined {
  if (typeof choice === "string") return choice;
  if (choice.type === "allowed_tools") {
    if (!choice.mode || !choice.tools) {
      throw new RelayError(400, "allowed_tools needs a mode (auto or required) and a list of tools", {
        param: "tool_choice",
        code: "invalid_request",
      });
    }
    return choice.mode;
  }
  if (choice.type !== "function" && choice.type !== "custom") {
    throw unsupported(
      "tool_choice.type",
      `the relay serves only function and custom tools: tool_choice cannot be the built-in tool '${choice.type}'`,
    );
  }
  const hub = [...routes].find(([, route]) => route.name === choice.name && route.kind === choice.type)?.[0];
  if (!hub) {
    throw new RelayError(
      400,
      `tool_choice names the ${choice.type} tool '${choice.name ?? ""}', which is not in tools`,
      {
        param: "tool_choice.name",
        code: "invalid_request",
      },
    );
  }
  return { name: hub };
}

/** The names `allowed_tools` lets the model call, if the choice restricts them. */
function allowedTools(choice: z.infer<typeof ToolChoice> | null | undefined): Set<string> | undefined {
  if (!choice || typeof choice === "string" || choice.type !== "allowed_tools") return undefined;
  return new Set((choice.tools ?? []).flatMap((tool) => tool.name ? [tool.name] : []));
}

function unsupported(param: string, message: string): RelayError {
  return new RelayError(400, message, { param, code: "unsupported_feature" });
}
