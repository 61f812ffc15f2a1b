/**
 * The hub request: what every front translates its dialect into and every upstream
 * translates into its wire format. Fronts and upstreams never see each other's shapes.
 *
 * @module
 */

/** A piece of a message: text, an image, a tool call (assistant) or a tool result (user). */
export type RelayPart =
  | { type: "text"; text: string }
  | { type: "image"; url: string; detail?: "auto" | "low" | "high" }
  | { type: "tool_call"; id: string; name: string; arguments: string }
  | { type: "tool_result"; toolCallId: string; content: string }
  | { type: "thinking"; text: string; signature?: string };

/** One conversation turn. Tool results travel as `user` parts, as in Anthropic and Cody. */
export interface RelayMessage {
  /** Who speaks. */
  role: "system" | "user" | "assistant";
  /** What is said, in order. */
  parts: RelayPart[];
}

/** A function the model may call; `parameters` is a JSON Schema object. */
export interface RelayTool {
  /** The function name the model calls it by. */
  name: string;
  /** What the function does, for the model. */
  description?: string;
  /** A JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

/** Whether and which tool the model must call. */
export type RelayToolChoice = "auto" | "none" | "required" | { name: string };

/** An answer that must be JSON: any JSON value, or one matching a JSON Schema. */
export interface RelayResponseFormat {
  /** Always `json`. */
  type: "json";
  /** The JSON Schema the answer must match, if the client gave one. */
  schema?: Record<string, unknown>;
  /** The schema's name, if the client gave one. */
  name?: string;
}

/**
 * A chat request in the hub's terms.
 *
 * @example
 * ```ts
 * import type { RelayRequest } from "./request.ts";
 * const request: RelayRequest = {
 *   model: "anthropic::2024-10-22::claude-sonnet-4-latest",
 *   messages: [{ role: "user", parts: [{ type: "text", text: "Hello" }] }],
 * };
 * ```
 */
export interface RelayRequest {
  /** Upstream model reference; absent means the upstream's default. */
  model?: string;
  /** The conversation, oldest first. */
  messages: RelayMessage[];
  /** Functions the model may call. */
  tools?: RelayTool[];
  /** Whether a tool must (or must not) be called. */
  toolChoice?: RelayToolChoice;
  /** The client's own output budget, if it gave one. */
  maxTokens?: number;
  /** Sampling temperature. */
  temperature?: number;
  /** Nucleus sampling. */
  topP?: number;
  /** Top-k sampling. */
  topK?: number;
  /** Strings that end the answer. */
  stop?: string[];
  /** `false` turns off automatic continuation of answers the upstream cut off. */
  autoContinue?: boolean;
  /**
   * Fill in the middle (code completion): the answer is only the text that goes between
   * `prefix` and `suffix`. `messages` may then be empty; the upstream builds the prompt.
   */
  infill?: { prefix: string; suffix: string };
  /** The answer must be JSON (a structured-output request). */
  responseFormat?: RelayResponseFormat;
}
