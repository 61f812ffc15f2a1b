/**
 * Hub events: the small typed stream every upstream decodes into and every front encodes from.
 *
 * @module
 */
import type { RelayError } from "./errors.ts";

/** Why an answer ended, in OpenAI's vocabulary (the hub's common denominator). */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** Token counts for one request (all rounds), real or estimated. */
export interface RelayUsage {
  /** Tokens read. */
  promptTokens: number;
  /** Tokens written (including thinking). */
  completionTokens: number;
  /** Tokens read from the upstream's prompt cache, when it reports them. */
  cachedTokens?: number;
  /** True when counted locally because the upstream gave no figures. */
  estimated?: boolean;
}

/**
 * Facts about how an answer was made, for the request's log line, metrics and headers;
 * fronts do not encode them. Each stage that knows one says it with a `meta` event.
 */
export interface AnswerMeta {
  /** The model that answers, when the relay chose it (a fallback model). */
  model?: string;
  /** The `code` (or status) of each failed attempt before this one answered (retries, fallbacks). */
  failures?: string[];
  /** The Cody api-version the request was sent with. */
  apiVersion?: number;
  /** A continuation round being asked now (1 for the first after the answer was cut off). */
  round?: number;
}

/**
 * One event of an answer. `finish` or `error` is always the last event of a stream.
 *
 * @example
 * ```ts
 * import type { RelayEvent } from "./events.ts";
 * const events: RelayEvent[] = [
 *   { type: "text", text: "Hello" },
 *   { type: "finish", reason: "stop" },
 * ];
 * ```
 */
export type RelayEvent =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "thinking_signature"; signature: string }
  | { type: "tool_call_start"; index: number; id: string; name: string }
  | { type: "tool_call_delta"; index: number; arguments: string }
  | { type: "usage"; usage: RelayUsage }
  | {
    type: "finish";
    reason: FinishReason;
    /** The upstream's own stop reason, e.g. `end_turn`, `stop_sequence`. */
    upstreamReason?: string;
    /** The model that answered, as the upstream named it. */
    model?: string;
    /** How many continuation rounds followed the first, when continuation ran. */
    continuations?: number;
    /** The stop sequence that ended the answer, when one did and it is known. */
    stopSequence?: string;
  }
  | { type: "error"; error: RelayError }
  | { type: "meta"; meta: AnswerMeta };

/**
 * Whether `event` ends an answer (`finish` or `error`).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { isTerminal } from "./events.ts";
 * ok(isTerminal({ type: "finish", reason: "stop" }) && !isTerminal({ type: "text", text: "a" }));
 * ```
 */
export function isTerminal(event: RelayEvent): boolean {
  return event.type === "finish" || event.type === "error";
}
