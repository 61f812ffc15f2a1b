/**
 * Ollama `/api/chat` and `/api/generate` requests → hub requests.
 *
 * @module
 */
import { z } from "zod";
import { RelayError } from "../../hub/errors.ts";
import { ModelId, StopSequences, validationError } from "../../hub/validation.ts";
import type { RelayMessage, RelayPart, RelayRequest } from "../../hub/request.ts";
import { parseFimPrompt } from "../fim_template.ts";

const Options = z.looseObject({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().positive().optional(),
  num_predict: z.number().int().optional(),
  stop: StopSequences.optional(),
}).optional();

const Common = {
  model: ModelId.min(1),
  stream: z.boolean().optional(),
  options: Options,
  format: z.undefined("format (JSON mode) is not supported: Cody has no JSON mode").optional(),
  keep_alive: z.unknown().optional(),
  think: z.unknown().optional(),
};

const ToolCall = z.object({
  id: z.string().optional(),
  function: z.object({ name: z.string(), arguments: z.union([z.record(z.string(), z.unknown()), z.string()]) }),
});

/** The fields of an `/api/chat` request the relay reads. */
export const OllamaChatSchema = z.object({
  ...Common,
  messages: z.array(z.object({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: z.string().default(""),
    images: z.array(z.string()).optional(),
    thinking: z.string().optional(),
    tool_calls: z.array(ToolCall).optional(),
    tool_name: z.string().optional(),
    tool_call_id: z.string().optional(),
  })).min(1, "must contain at least one message"),
  tools: z.array(z.object({
    type: z.literal("function").optional(),
    function: z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
    }),
  })).optional(),
});

/** The fields of an `/api/generate` request the relay reads. */
export const OllamaGenerateSchema = z.object({
  ...Common,
  prompt: z.string().default(""),
  suffix: z.string().optional(),
  system: z.string().optional(),
  images: z.array(z.string()).optional(),
  raw: z.boolean().optional(),
  template: z.string().optional(),
  context: z.array(z.number()).optional(),
});

/** A parsed Ollama request: the hub request, the model name, and whether to stream (default true). */
export interface ParsedOllamaRequest {
  /** The request in hub terms. */
  request: RelayRequest;
  /** The model name to report back. */
  model: string;
  /** Whether to stream. */
  stream: boolean;
}

function sampling(model: string, options: z.infer<typeof Options>): RelayRequest {
  const request: RelayRequest = { model, messages: [] };
  if (options?.temperature !== undefined) request.temperature = options.temperature;
  if (options?.top_p !== undefined) request.topP = options.top_p;
  if (options?.top_k !== undefined) request.topK = options.top_k;
  if (options?.num_predict !== undefined && options.num_predict > 0) request.maxTokens = options.num_predict;
  if (options?.stop?.length) request.stop = options.stop;
  return request;
}

function images(list: string[] | undefined): RelayPart[] {
  return (list ?? []).map((data) => ({
    type: "image",
    url: data.startsWith("data:") ? data : `data:image/png;base64,${data}`,
  }));
}

/**
 * Validates an `/api/chat` body. Tool calls carry no ids in Ollama, so the relay numbers
 * them, and a `tool` message answers the earliest unanswered call of its `tool_name`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseOllamaChat } from "./ollama_request.ts";
 * const { request, stream } = parseOllamaChat({ model: "m", messages: [{ role: "user", content: "Hi" }] });
 * ok(stream === true && request.messages[0].role === "user");
 * ```
 */
export function parseOllamaChat(body: unknown): ParsedOllamaRequest {
  const result = OllamaChatSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  const chat = result.data;
  const request = sampling(chat.model, chat.options);
  const pending: { id: string; name: string }[] = [];
  request.messages = chat.messages.map((message, index): RelayMessage => {
    switch (message.role) {
      case "system":
        return { role: "system", parts: [{ type: "text", text: message.content }] };
      case "user":
        return { role: "user", parts: [{ type: "text", text: message.content }, ...images(message.images)] };
      case "assistant": {
        const parts: RelayPart[] = message.content ? [{ type: "text", text: message.content }] : [];
        message.tool_calls?.forEach((call, callIndex) => {
          const id = call.id ?? `call_${index}_${callIndex}`;
          pending.push({ id, name: call.function.name });
          const args = call.function.arguments;
          parts.push({
            type: "tool_call",
            id,
            name: call.function.name,
            arguments: typeof args === "string" ? args : JSON.stringify(args),
          });
        });
        return { role: "assistant", parts };
      }
      case "tool": {
        const at = pending.findIndex((call) =>
          message.tool_call_id
            ? call.id === message.tool_call_id
            : !message.tool_name || call.name === message.tool_name
        );
        if (at < 0) {
          throw new RelayError(400, `messages[${index}] is a tool result that answers no earlier tool call`, {
            param: `messages[${index}]`,
          });
        }
        const [call] = pending.splice(at, 1);
        return { role: "user", parts: [{ type: "tool_result", toolCallId: call.id, content: message.content }] };
      }
    }
  });
  if (chat.tools?.length) request.tools = chat.tools.map(({ function: fn }) => fn);
  return { request, model: chat.model, stream: chat.stream !== false };
}

/**
 * Validates an `/api/generate` body. With `suffix` it is code completion (prompt = the code
 * before the cursor); a FIM template in a `raw` prompt is taken apart; a plain prompt is
 * text to continue (an infill with nothing after it, as `/v1/completions` and `/completion`
 * make of one), after the `system` message if any. With `images` it is one chat turn.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseOllamaGenerate } from "./ollama_request.ts";
 * const { request } = parseOllamaGenerate({ model: "m", prompt: "def f(", suffix: "):", stream: false });
 * ok(request.infill?.prefix === "def f(" && request.infill.suffix === "):");
 * ```
 */
export function parseOllamaGenerate(body: unknown): ParsedOllamaRequest {
  const result = OllamaGenerateSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  const generate = result.data;
  const request = sampling(generate.model, generate.options);
  if (generate.system) request.messages.push({ role: "system", parts: [{ type: "text", text: generate.system }] });
  if (generate.images?.length) {
    request.messages.push({
      role: "user",
      parts: [{ type: "text", text: generate.prompt }, ...images(generate.images)],
    });
  } else {
    const fim = generate.suffix === undefined && generate.raw ? parseFimPrompt(generate.prompt) : undefined;
    request.infill = fim
      ? { prefix: fim.prefix, suffix: fim.suffix }
      : { prefix: generate.prompt, suffix: generate.suffix ?? "" };
  }
  return { request, model: generate.model, stream: generate.stream !== false };
}

/** An `/api/show` body: `model`, or `name` from older clients. */
const OllamaShowSchema = z.union([
  z.object({ model: ModelId.min(1) }).transform(({ model }) => model),
  z.object({ name: ModelId.min(1) }).transform(({ name }) => name),
], "model is required");

/**
 * The model an `/api/show` body asks about (`model`, or `name` as older clients send it).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseOllamaShow } from "./ollama_request.ts";
 * equal(parseOllamaShow({ name: "m" }), "m");
 * ```
 */
export function parseOllamaShow(body: unknown): string {
  const result = OllamaShowSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  return result.data;
}
