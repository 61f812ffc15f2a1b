/**
 * Cody's wire shapes for `/.api/completions/stream` (see specs/cody-protocol.md §4–5).
 *
 * @module
 */
import { z } from "zod";

/** A content part of a Cody message (`content` form, api-version ≥ 3 for images, ≥ 9 for tools). */
export type CodyContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: string } }
  | { type: "tool_call"; tool_call: { id: string; name: string; arguments: string } }
  | { type: "tool_result"; tool_result: { id: string; content: string } };

/** One Cody message: plain `text`, or `content` parts when it carries images or tools. */
export type CodyMessage =
  & { speaker: "human" | "assistant" | "system" }
  & ({ text: string } | { content: CodyContentPart[] });

/** An OpenAI-style function definition, as Cody forwards it to the model. */
export interface CodyTool {
  /** Always `function`. */
  type: "function";
  /** The function's name, description and JSON Schema parameters. */
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** The JSON body of `POST /.api/completions/stream`. */
export interface CodyRequestBody {
  /** A modelRef (`provider::apiVersion::modelId`) or legacy `provider/model`; omitted means the instance default. */
  model?: string;
  /** The conversation, at most one system message and only first. */
  messages: CodyMessage[];
  /** The output cap for this request. */
  maxTokensToSample: number;
  /** Sampling temperature. */
  temperature: number;
  /** Top-k sampling; -1 means unset. */
  topK: number;
  /** Nucleus sampling; -1 means unset. */
  topP: number;
  /** Strings that end the answer. */
  stopSequences?: string[];
  /** Answer as SSE events rather than one JSON body. */
  stream: boolean;
  /** Functions the model may call (api-version ≥ 9). */
  tools?: CodyTool[];
}

const ToolCallFragment = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const Usage = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
});

/** The `data` of a Cody `completion` event, across api-versions 0–9. */
export const CodyCompletionData = z.looseObject({
  completion: z.string().nullish(),
  deltaText: z.string().nullish(),
  stopReason: z.string().nullish(),
  delta_thinking: z.string().nullish(),
  thinking_signature: z.string().nullish(),
  delta_tool_calls: z.array(ToolCallFragment).nullish(),
  usage: Usage.nullish(),
  model: z.string().nullish(),
});

/** A parsed Cody `completion` event payload. */
export type CodyCompletionData = z.infer<typeof CodyCompletionData>;

/** One `delta_tool_calls` fragment. */
export type CodyToolCallFragment = z.infer<typeof ToolCallFragment>;
