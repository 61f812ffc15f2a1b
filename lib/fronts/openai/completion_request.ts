/**
 * OpenAI legacy completions (`POST /v1/completions`) and Mistral-style FIM
 * (`POST /v1/fim/completions`) → hub fill-in-the-middle requests.
 *
 * @module
 */
import { z } from "zod";
import { validationError } from "../../hub/validation.ts";
import type { RelayRequest } from "../../hub/request.ts";
import { parseFimPrompt } from "../fim_template.ts";
import { ChatRequestSchema } from "./chat_request.ts";

/** The sampling fields legacy completions share with chat, validated the same way. */
const Sampling = {
  ...ChatRequestSchema.pick({
    model: true,
    stream: true,
    stream_options: true,
    max_tokens: true,
    max_completion_tokens: true,
    temperature: true,
    top_p: true,
    stop: true,
    n: true,
    auto_continue: true,
  }).shape,
  suffix: z.string().nullish(),
};

/** The fields of a legacy completions request the relay reads. */
export const CompletionRequestSchema = z.object({
  ...Sampling,
  prompt: z.union([
    z.string(),
    z.array(z.string()).length(1, "must be a string or an array of one string: Cody answers one prompt per request"),
  ]),
  echo: z.literal(false, "echo is not supported: the relay returns only the completion").nullish(),
  logprobs: z.null("logprobs are not supported by the Cody upstream").optional(),
  best_of: z.literal(1, "only best_of = 1 is supported").nullish(),
});

/** The fields of a FIM request (`prompt` is the code before the cursor). */
export const FimRequestSchema = z.object({ ...Sampling, prompt: z.string() });

/** A parsed completion request: the hub request plus what only the front needs. */
export interface ParsedCompletionRequest {
  /** The request in hub terms (always `infill`). */
  request: RelayRequest;
  /** The model name to report back. */
  model: string;
  /** Whether the client asked for SSE. */
  stream: boolean;
  /** Whether `stream_options.include_usage` asked for a usage chunk. */
  includeUsage: boolean;
  /** The FIM template found in `prompt`, if any. */
  template?: string;
}

/**
 * Validates a legacy completions body. With `suffix`, `prompt` is the prefix; without
 * one, a FIM template rendered into `prompt` (Continue's autocomplete) is taken apart;
 * a plain prompt is continued (prefix = prompt, empty suffix).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseCompletionRequest } from "./completion_request.ts";
 * const { request, template } = parseCompletionRequest({
 *   model: "starcoder2",
 *   prompt: "<fim_prefix>const x = <fim_suffix>;\n<fim_middle>",
 *   stop: ["<fim_prefix>", "\n\n"],
 * });
 * ok(template === "starcoder" && request.infill?.prefix === "const x = ");
 * ```
 */
export function parseCompletionRequest(body: unknown): ParsedCompletionRequest {
  const result = CompletionRequestSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  const prompt = typeof result.data.prompt === "string" ? result.data.prompt : result.data.prompt[0];
  const fim = result.data.suffix == null ? parseFimPrompt(prompt) : undefined;
  return toParsed(result.data, fim ?? { prefix: prompt, suffix: result.data.suffix ?? "" }, fim?.template);
}

/**
 * Validates a Mistral-style FIM body: `prompt` is the prefix, `suffix` the rest.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseFimRequest } from "./completion_request.ts";
 * const { request } = parseFimRequest({ model: "codestral-latest", prompt: "def f(", suffix: "):" });
 * ok(request.infill?.suffix === "):");
 * ```
 */
export function parseFimRequest(body: unknown): ParsedCompletionRequest {
  const result = FimRequestSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  return toParsed(result.data, { prefix: result.data.prompt, suffix: result.data.suffix ?? "" });
}

function toParsed(
  fields: z.infer<z.ZodObject<typeof Sampling>>,
  infill: { prefix: string; suffix: string },
  template?: string,
): ParsedCompletionRequest {
  const request: RelayRequest = {
    ...(fields.model ? { model: fields.model } : {}),
    messages: [],
    infill: { prefix: infill.prefix, suffix: infill.suffix },
  };
  const maxTokens = fields.max_completion_tokens ?? fields.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (fields.temperature != null) request.temperature = fields.temperature;
  if (fields.top_p != null) request.topP = fields.top_p;
  if (fields.stop != null) request.stop = typeof fields.stop === "string" ? [fields.stop] : fields.stop;
  if (fields.auto_continue === false) request.autoContinue = false;
  return {
    request,
    model: fields.model || "default",
    stream: fields.stream === true,
    includeUsage: fields.stream_options?.include_usage === true,
    ...(template ? { template } : {}),
  };
}
