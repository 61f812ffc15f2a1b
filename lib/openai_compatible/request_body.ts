/**
 * Hub request → the body of an OpenAI `POST /chat/completions`, for any OpenAI-style
 * server (llama.cpp's server, Ollama's `/v1`, vLLM, OpenAI).
 *
 * @module
 */
import { infillAsChat } from "../hub/infill.ts";
import type { RelayMessage, RelayRequest, RelayToolChoice } from "../hub/request.ts";

/** An OpenAI chat message as sent. */
export type OpenAIMessage =
  | { role: "system" | "user"; content: string | OpenAIContentPart[] }
  | {
    role: "assistant";
    content: string | null;
    tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  }
  | { role: "tool"; tool_call_id: string; content: string };

/** A part of a user message. */
export type OpenAIContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: "auto" | "low" | "high" } };

/** The body sent. */
export interface OpenAIChatBody {
  /** The model id; absent lets a single-model server choose. */
  model?: string;
  /** The conversation. */
  messages: OpenAIMessage[];
  /** Always streamed. */
  stream: true;
  /** Asks for a final usage-only chunk. */
  stream_options?: { include_usage: true };
  /** The output cap. */
  max_tokens?: number;
  /** Sampling temperature. */
  temperature?: number;
  /** Nucleus sampling. */
  top_p?: number;
  /** JSON output: any JSON object, or one matching a schema. */
  response_format?:
    | { type: "json_object" }
    | { type: "json_schema"; json_schema: { name: string; schema: Record<string, unknown> } };
  /** Functions the model may call. */
  tools?: {
    type: "function";
    function: { name: string; description?: string; parameters?: Record<string, unknown> };
  }[];
  /** Whether and which function must be called. */
  tool_choice?: "auto" | "none" | "required" | { type: "function"; function: { name: string } };
}

/** Options of {@link openAIChatBody}. */
export interface OpenAIChatBodyOptions {
  /** `model` when the request names none. */
  defaultModel?: string;
  /** `max_tokens` when the request sets none; absent = the server's default. */
  defaultMaxTokens?: number;
  /** Ask for a usage chunk (`stream_options.include_usage`); some servers reject the field. @default true */
  includeUsage?: boolean;
  /** `false` for servers that reject `system` messages: their text goes before the first user message. @default true */
  systemRole?: boolean;
}

/**
 * The OpenAI chat body for a hub request: system, user (text and images), assistant (text
 * and tool calls) and tool-result turns; tools and tool choice; sampling. Always streamed;
 * the client's stops are not sent (the relay finds them itself). Thinking parts are not sent (OpenAI-style servers have no field for them);
 * top-k is not sent (OpenAI rejects it). A fill-in-the-middle request is asked as chat.
 * With `systemRole: false`, system text opens the first user message instead.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { openAIChatBody } from "./request_body.ts";
 * const body = openAIChatBody({ messages: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }], maxTokens: 50 });
 * ok(body.messages[0].role === "user" && body.max_tokens === 50 && body.stream);
 * ```
 */
export function openAIChatBody(request: RelayRequest, options: OpenAIChatBodyOptions = {}): OpenAIChatBody {
  const chat = options.systemRole === false ? systemAsUser(infillAsChat(request)) : infillAsChat(request);
  const model = chat.model ?? options.defaultModel;
  const maxTokens = chat.maxTokens ?? options.defaultMaxTokens;
  return {
    ...(model ? { model } : {}),
    messages: chat.messages.flatMap(openAIMessages),
    stream: true,
    ...(options.includeUsage === false ? {} : { stream_options: { include_usage: true } }),
    ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
    ...(chat.temperature !== undefined ? { temperature: chat.temperature } : {}),
    ...(chat.topP !== undefined ? { top_p: chat.topP } : {}),
    ...(chat.responseFormat
      ? {
        response_format: chat.responseFormat.schema
          ? {
            type: "json_schema" as const,
            json_schema: { name: chat.responseFormat.name ?? "answer", schema: chat.responseFormat.schema },
          }
          : { type: "json_object" as const },
      }
      : {}),
    ...(chat.tools?.length
      ? {
        tools: chat.tools.map((tool) => ({
          type: "function" as const,
          function: {
            name: tool.name,
            ...(tool.description ? { description: tool.description } : {}),
            ...(tool.parameters ? { parameters: tool.parameters } : {}),
          },
        })),
      }
      : {}),
    ...(chat.toolChoice ? { tool_choice: openAIToolChoice(chat.toolChoice) } : {}),
  };
}

/** The request with its system messages' text put at the start of the first user message. */
function systemAsUser(request: RelayRequest): RelayRequest {
  const system = request.messages.filter((message) => message.role === "system")
    .flatMap((message) => message.parts.flatMap((part) => part.type === "text" ? [part.text] : []))
    .join("\n\n");
  if (!system) return request;
  const rest = request.messages.filter((message) => message.role !== "system");
  const first = rest.findIndex((message) => message.role === "user");
  if (first < 0) return { ...request, messages: [{ role: "user", parts: [{ type: "text", text: system }] }, ...rest] };
  const folded = (parts: RelayMessage["parts"]): RelayMessage["parts"] =>
    parts[0]?.type === "text"
      ? [{ type: "text", text: `${system}\n\n${parts[0].text}` }, ...parts.slice(1)]
      : [{ type: "text", text: system }, ...parts];
  return {
    ...request,
    messages: rest.map((message, index) => index === first ? { ...message, parts: folded(message.parts) } : message),
  };
}

function openAIToolChoice(choice: RelayToolChoice): NonNullable<OpenAIChatBody["tool_choice"]> {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

/** One hub message as OpenAI messages: a user turn's tool results become `tool` messages of their own. */
function openAIMessages(message: RelayMessage): OpenAIMessage[] {
  const texts = message.parts.flatMap((part) => part.type === "text" ? [part.text] : []);
  if (message.role === "system") return [{ role: "system", content: texts.join("\n\n") }];
  const text = texts.join("");
  if (message.role === "assistant") {
    const calls = message.parts.flatMap((part) =>
      part.type === "tool_call"
        ? [{ id: part.id, type: "function" as const, function: { name: part.name, arguments: part.arguments } }]
        : []
    );
    return [{ role: "assistant", content: text || null, ...(calls.length ? { tool_calls: calls } : {}) }];
  }
  const results: OpenAIMessage[] = message.parts.flatMap((part) =>
    part.type === "tool_result" ? [{ role: "tool" as const, tool_call_id: part.toolCallId, content: part.content }] : []
  );
  const content: OpenAIContentPart[] = message.parts.flatMap((part): OpenAIContentPart[] =>
    part.type === "text"
      ? [{ type: "text", text: part.text }]
      : part.type === "image"
      ? [{ type: "image_url", image_url: { url: part.url, ...(part.detail ? { detail: part.detail } : {}) } }]
      : []
  );
  if (!content.length) return results;
  const plain = content.length === 1 && content[0].type === "text";
  return [...results, { role: "user", content: plain ? text : content }];
}
