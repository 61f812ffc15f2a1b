/**
 * OpenAI `POST /v1/chat/completions` request → hub request. Unknown fields are accepted
 * and ignored; known features the relay cannot honour are a 400 naming the field.
 *
 * @module
 */
import { z } from "zod";
import { ModelId, OutputTokens, StopSequence, StopSequences, validationError } from "../../hub/validation.ts";
import type { RelayMessage, RelayPart, RelayRequest, RelayToolChoice } from "../../hub/request.ts";

const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const ImagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string(), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const RefusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });
const TextContent = z.union([z.string(), z.array(TextPart)]);

const ToolCall = z.object({
  id: z.string(),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const Message = z.discriminatedUnion("role", [
  z.object({ role: z.enum(["system", "developer"]), content: TextContent }),
  z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(z.union([TextPart, ImagePart]))]) }),
  z.object({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(z.union([TextPart, RefusalPart]))]).nullish(),
    tool_calls: z.array(ToolCall).optional(),
  }),
  z.object({ role: z.literal("tool"), content: TextContent, tool_call_id: z.string() }),
]);

const Tool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** The fields of an OpenAI chat request the relay reads. */
export const ChatRequestSchema = z.object({
  model: ModelId.optional(),
  messages: z.array(Message).min(1, "must contain at least one message"),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: OutputTokens.nullish(),
  max_completion_tokens: OutputTokens.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([StopSequence, StopSequences]).nullish(),
  n: z.literal(1, "only n = 1 is supported: Cody returns one choice per request").nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: z.union([
    z.enum(["auto", "none", "required"]),
    z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
  ]).nullish(),
  response_format: z.discriminatedUnion("type", [
    z.object({ type: z.literal("text") }),
    z.object({ type: z.literal("json_object") }),
    z.object({
      type: z.literal("json_schema"),
      json_schema: z.object({ name: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional() }),
    }),
  ]).nullish(),
  logprobs: z.literal(false, "logprobs are not supported by the Cody upstream").nullish(),
  functions: z.undefined("the deprecated functions field is not supported; use tools").optional(),
  function_call: z.undefined("the deprecated function_call field is not supported; use tool_choice").optional(),
  audio: z.undefined("audio output is not supported by the Cody upstream").optional(),
  /** cody-relay's own switch (the seed's name): `false` turns off automatic continuation. */
  auto_continue: z.boolean().nullish(),
});

/** A parsed chat request: the hub request plus what only the front needs. */
export interface ParsedChatRequest {
  /** The request in hub terms. */
  request: RelayRequest;
  /** The model name to report back on every chunk. */
  model: string;
  /** Whether the client asked for SSE (`stream: true`); absent means false. */
  stream: boolean;
  /** Whether `stream_options.include_usage` asked for a usage chunk. */
  includeUsage: boolean;
}

/**
 * Validates a parsed JSON body and translates it. Throws a 400 `RelayError` whose
 * `param` names the first offending field, e.g. `messages[1].role`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseChatRequest } from "./chat_request.ts";
 * const parsed = parseChatRequest({ model: "m", messages: [{ role: "user", content: "Hi" }], stream: true });
 * ok(parsed.stream && parsed.request.messages[0].role === "user");
 * ```
 */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  const result = ChatRequestSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  const chat = result.data;
  const request: RelayRequest = {
    ...(chat.model ? { model: chat.model } : {}),
    messages: chat.messages.map(toRelayMessage),
  };
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (chat.temperature != null) request.temperature = chat.temperature;
  if (chat.top_p != null) request.topP = chat.top_p;
  if (chat.stop != null) request.stop = typeof chat.stop === "string" ? [chat.stop] : chat.stop;
  if (chat.tools?.length) request.tools = chat.tools.map(({ function: fn }) => fn);
  if (chat.tool_choice != null) request.toolChoice = toToolChoice(chat.tool_choice);
  const format = chat.response_format;
  if (format?.type === "json_object") request.responseFormat = { type: "json" };
  if (format?.type === "json_schema") {
    request.responseFormat = {
      type: "json",
      ...(format.json_schema.schema ? { schema: format.json_schema.schema } : {}),
      ...(format.json_schema.name ? { name: format.json_schema.name } : {}),
    };
  }
  if (chat.auto_continue === false) request.autoContinue = false;
  return {
    request,
    model: chat.model || "default",
    stream: chat.stream === true,
    includeUsage: chat.stream_options?.include_usage === true,
  };
}

function toRelayMessage(message: z.infer<typeof Message>): RelayMessage {
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", parts: textParts(message.content) };
    case "user":
      return {
        role: "user",
        parts: typeof message.content === "string"
          ? textParts(message.content)
          : message.content.map((part) =>
            part.type === "text" ? { type: "text", text: part.text } : {
              type: "image",
              url: part.image_url.url,
              ...(part.image_url.detail ? { detail: part.image_url.detail } : {}),
            }
          ),
      };
    case "assistant": {
      const content = message.content ?? [];
      const parts: RelayPart[] = typeof content === "string"
        ? textParts(content)
        : content.map((part) => ({ type: "text", text: part.type === "text" ? part.text : part.refusal }));
      for (const call of message.tool_calls ?? []) {
        parts.push({ type: "tool_call", id: call.id, name: call.function.name, arguments: call.function.arguments });
      }
      return { role: "assistant", parts };
    }
    case "tool":
      return {
        role: "user",
        parts: [{ type: "tool_result", toolCallId: message.tool_call_id, content: joinText(message.content) }],
      };
  }
}

function textParts(content: string | { text: string }[]): RelayPart[] {
  return typeof content === "string"
    ? [{ type: "text", text: content }]
    : content.map(({ text }) => ({ type: "text", text }));
}

function joinText(content: string | { text: string }[]): string {
  return typeof content === "string" ? content : content.map(({ text }) => text).join("");
}

function toToolChoice(choice: NonNullable<z.infer<typeof ChatRequestSchema>["tool_choice"]>): RelayToolChoice {
  return typeof choice === "string" ? choice : { name: choice.function.name };
}
