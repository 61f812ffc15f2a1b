/**
 * llama.cpp `/completion` and `/infill` requests (and coLLaMA's Cody-style fields) → hub requests.
 *
 * @module
 */
import { z } from "zod";
import { ModelId, StopSequences, validationError } from "../../hub/validation.ts";
import type { RelayRequest } from "../../hub/request.ts";
import { parseFimPrompt } from "../fim_template.ts";

/** The fields the relay reads; coLLaMA sends Cody's names next to llama.cpp's. */
export const LlamaCppSchema = z.looseObject({
  model: ModelId.optional(),
  prompt: z.union([z.string(), z.array(z.string()).length(1, "must be one string")]).optional(),
  input_prefix: z.string().optional(),
  input_suffix: z.string().optional(),
  messages: z.array(z.object({ speaker: z.enum(["human", "assistant", "system"]), text: z.string().default("") }))
    .optional(),
  n_predict: z.number().int().optional(),
  maxTokensToSample: z.number().int().positive().optional(),
  stop: StopSequences.optional(),
  stopSequences: StopSequences.optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  topP: z.number().optional(),
  top_k: z.number().int().optional(),
  topK: z.number().int().optional(),
  stream: z.boolean().optional(),
});

/** A parsed request: the hub request, the model to report, whether to stream. */
export interface ParsedLlamaCppRequest {
  /** The request in hub terms. */
  request: RelayRequest;
  /** The model name to report back. */
  model: string;
  /** Whether to stream. */
  stream: boolean;
}

/**
 * Validates a `/completion` or `/infill` body. `input_prefix`/`input_suffix`, or a FIM
 * template in `prompt` or in the last human message (coLLaMA's autocomplete sends its FIM
 * prompt in both), make a code completion. Otherwise Cody-style `messages[{speaker,text}]`
 * (coLLaMA's chat, beside a pre-rendered `prompt`) are the conversation, and a plain
 * `prompt` is text to continue.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseLlamaCppRequest } from "./llamacpp_request.ts";
 * const { request } = parseLlamaCppRequest({
 *   messages: [{ speaker: "human", text: "Hi" }],
 *   prompt: "### Instruction:\nHi\n### Response:",
 *   maxTokensToSample: 200,
 *   stopSequences: ["###"],
 * });
 * ok(request.messages[0].parts[0].type === "text" && request.maxTokens === 200);
 * ```
 */
export function parseLlamaCppRequest(body: unknown): ParsedLlamaCppRequest {
  const result = LlamaCppSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  const data = result.data;
  const request: RelayRequest = { ...(data.model ? { model: data.model } : {}), messages: [] };
  const prompt = typeof data.prompt === "string" ? data.prompt : data.prompt?.[0] ?? "";
  const lastHuman = data.messages?.findLast((message) => message.speaker === "human")?.text;
  const fim = parseFimPrompt(prompt) ?? (lastHuman === undefined ? undefined : parseFimPrompt(lastHuman));
  if (data.input_prefix !== undefined || data.input_suffix !== undefined) {
    request.infill = { prefix: `${data.input_prefix ?? ""}${prompt}`, suffix: data.input_suffix ?? "" };
  } else if (fim) {
    request.infill = { prefix: fim.prefix, suffix: fim.suffix };
  } else if (data.messages?.length) {
    request.messages = data.messages.map((message) => ({
      role: message.speaker === "human" ? "user" : message.speaker,
      parts: [{ type: "text", text: message.text }],
    }));
  } else {
    request.infill = { prefix: prompt, suffix: "" };
  }
  const maxTokens = data.maxTokensToSample ??
    (data.n_predict !== undefined && data.n_predict > 0 ? data.n_predict : undefined);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const stop = [...data.stop ?? [], ...data.stopSequences ?? []];
  if (stop.length) request.stop = stop;
  if (data.temperature !== undefined) request.temperature = data.temperature;
  const topP = data.top_p ?? data.topP;
  if (topP !== undefined && topP > 0 && topP <= 1) request.topP = topP;
  const topK = data.top_k ?? data.topK;
  if (topK !== undefined && topK > 0) request.topK = topK;
  return { request, model: data.model ?? "default", stream: data.stream === true };
}
