/**
 * Anthropic Messages requests → hub requests.
 *
 * @module
 */
import { z } from "zod";
import { ModelId, OutputTokens, StopSequences, validationError } from "../../hub/validation.ts";
import type { RelayMessage, RelayPart, RelayRequest, RelayToolChoice } from "../../hub/request.ts";

const CacheControl = { cache_control: z.unknown().optional() };
const TextBlock = z.object({ type: z.literal("text"), text: z.string(), ...CacheControl });
const ImageBlock = z.object({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.object({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
    z.object({ type: z.literal("url"), url: z.string() }),
  ]),
  ...CacheControl,
});
const ToolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
  ...CacheControl,
});
const ToolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.union([TextBlock, ImageBlock]))]).optional(),
  is_error: z.boolean().optional(),
  ...CacheControl,
});
const ThinkingBlock = z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() });
const RedactedThinkingBlock = z.object({ type: z.literal("redacted_thinking"), data: z.string() });
const Block = z.discriminatedUnion("type", [
  TextBlock,
  ImageBlock,
  ToolUseBlock,
  ToolResultBlock,
  ThinkingBlock,
  RedactedThinkingBlock,
]);

/** The fields of an Anthropic Messages request the relay reads. */
export const MessagesRequestSchema = z.object({
  model: ModelId.min(1),
  max_tokens: OutputTokens,
  messages: z.array(z.object({
    role: z.enum(["user", "assistant"]),
    content: z.union([z.string(), z.array(Block)]),
  })).min(1, "must contain at least one message"),
  system: z.union([z.string(), z.array(TextBlock)]).optional(),
  tools: z.array(z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
  })).optional(),
  tool_choice: z.discriminatedUnion("type", [
    z.object({ type: z.literal("auto") }),
    z.object({ type: z.literal("any") }),
    z.object({ type: z.literal("none") }),
    z.object({ type: z.literal("tool"), name: z.string() }),
  ]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().positive().optional(),
  stop_sequences: StopSequences.optional(),
  thinking: z.object({ type: z.enum(["enabled", "disabled", "adaptive"]) }).loose().optional(),
});

/** Only the request fields that {@link parseMessagesRequest} needs counted (count_tokens has no `max_tokens`). */
export const CountTokensRequestSchema = MessagesRequestSchema.omit({ max_tokens: true });

/** A parsed Messages request: the hub request plus what only the front needs. */
export interface ParsedMessagesRequest {
  /** The request in hub terms. */
  request: RelayRequest;
  /** The model name the client asked for, reported back. */
  model: string;
  /** Whether the client asked for SSE. */
  stream: boolean;
}

/**
 * Validates an Anthropic Messages body and translates it: `system` (string or blocks)
 * becomes a system message; `tool_use` blocks tool calls (input serialised), `tool_result`
 * blocks tool results; `thinking` blocks keep their signature; `stop_sequences`,
 * `temperature`, `top_p`, `top_k`, `tools` and `tool_choice` carry over.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseMessagesRequest } from "./messages_request.ts";
 * const { request, stream } = parseMessagesRequest({
 *   model: "claude-sonnet-4-5",
 *   max_tokens: 1024,
 *   system: [{ type: "text", text: "Be brief." }],
 *   messages: [{ role: "user", content: "Hi" }],
 *   stream: true,
 * });
 * ok(stream && request.messages[0].role === "system" && request.maxTokens === 1024);
 * ```
 */
export function parseMessagesRequest(body: unknown): ParsedMessagesRequest {
  const result = MessagesRequestSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  return toParsed(result.data);
}

/**
 * Validates a `count_tokens` body (a Messages body without `max_tokens`) into a hub request.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseCountTokensRequest } from "./messages_request.ts";
 * const { request } = parseCountTokensRequest({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "Hi" }] });
 * equal(request.messages.length, 1);
 * ```
 */
export function parseCountTokensRequest(body: unknown): ParsedMessagesRequest {
  const result = CountTokensRequestSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  return toParsed(result.data);
}

function toParsed(data: z.infer<typeof CountTokensRequestSchema> & { max_tokens?: number }): ParsedMessagesRequest {
  const messages: RelayMessage[] = [];
  if (data.system !== undefined) {
    const text = typeof data.system === "string" ? data.system : data.system.map((block) => block.text).join("\n\n");
    if (text) messages.push({ role: "system", parts: [{ type: "text", text }] });
  }
  for (const message of data.messages) {
    messages.push({
      role: message.role,
      parts: typeof message.content === "string"
        ? [{ type: "text", text: message.content }]
        : message.content.flatMap(toPart),
    });
  }
  const request: RelayRequest = { model: data.model, messages };
  if (data.max_tokens !== undefined) request.maxTokens = data.max_tokens;
  if (data.temperature !== undefined) request.temperature = data.temperature;
  if (data.top_p !== undefined) request.topP = data.top_p;
  if (data.top_k !== undefined) request.topK = data.top_k;
  if (data.stop_sequences?.length) request.stop = data.stop_sequences;
  if (data.tools?.length) {
    request.tools = data.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      ...(tool.input_schema ? { parameters: tool.input_schema } : {}),
    }));
  }
  if (data.tool_choice) request.toolChoice = toToolChoice(data.tool_choice);
  return { request, model: data.model, stream: data.stream === true };
}

function toPart(block: z.infer<typeof Block>): RelayPart[] {
  switch (block.type) {
    case "text":
      return [{ type: "text", text: block.text }];
    case "image":
      return [{
        type: "image",
        url: block.source.type === "url"
          ? block.source.url
          : `data:${block.source.media_type};base64,${block.source.data}`,
      }];
    case "tool_use":
      return [{ type: "tool_call", id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) }];
    case "tool_result": {
      const content = typeof block.content === "string"
        ? block.content
        : (block.content ?? []).map((part) => part.type === "text" ? part.text : "[image]").join("\n");
      return [{
        type: "tool_result",
        toolCallId: block.tool_use_id,
        content: block.is_error ? `Error: ${content}` : content,
      }];
    }
    case "thinking":
      return [{ type: "thinking", text: block.thinking, ...(block.signature ? { signature: block.signature } : {}) }];
    case "redacted_thinking":
      return [];
  }
}

function toToolChoice(choice: NonNullable<z.infer<typeof MessagesRequestSchema>["tool_choice"]>): RelayToolChoice {
  switch (choice.type) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      return { name: choice.name };
  }
}
