import type { RelayError } from "../hub/errors.ts";
import { anthropicErrorResponse } from "../fronts/anthropic/errors.ts";
import { geminiErrorResponse } from "../fronts/gemini/errors.ts";
import { llamaCppErrorResponse } from "../fronts/llamacpp/completion_stream.ts";
import { openAIErrorResponse } from "../fronts/openai/errors.ts";
import { ollamaErrorResponse } from "../fronts/ollama/errors.ts";
import { responsesErrorResponse } from "../fronts/responses/errors.ts";

/** The client dialects the relay speaks. */
export type Dialect = "openai" | "anthropic" | "ollama" | "llamacpp" | "gemini" | "responses";

/**
 * Which dialect a request speaks, from its path (and `anthropic-version` or Google's
 * `x-goog-api-key` / `x-goog-api-client` for the shared `/v1/models`), so that errors
 * raised before a front sees the request (gateway keys, unknown routes) are in the shape
 * the client parses.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { dialectOf } from "./dialect.ts";
 * equal(dialectOf("/v1/messages", new Headers()), "anthropic");
 * equal(dialectOf("/api/chat", new Headers()), "ollama");
 * equal(dialectOf("/v1/chat/completions", new Headers()), "openai");
 * equal(dialectOf("/v1/responses", new Headers()), "responses");
 * equal(dialectOf("/v1beta/models/gemini-2.5-pro:generateContent", new Headers()), "gemini");
 * ```
 */
export function dialectOf(path: string, headers: Headers): Dialect {
  if (/^(\/v1)?\/messages(\/|$)/.test(path)) return "anthropic";
  if (headers.has("anthropic-version")) return "anthropic";
  if (/^\/v1beta(\/|$)/.test(path) || /^\/v1\/models\/.*:[A-Za-z]+$/.test(path)) return "gemini";
  if (/^\/v1\/models(\/|$)/.test(path) && (headers.has("x-goog-api-key") || headers.has("x-goog-api-client"))) {
    return "gemini";
  }
  if (/^(\/v1)?\/responses(\/|$)/.test(path)) return "responses";
  if (path === "/" || path.startsWith("/api/")) return "ollama";
  if (/^\/(completion|infill|props)$/.test(path)) return "llamacpp";
  return "openai";
}

const RESPONSES: Record<Dialect, (error: RelayError) => Response> = {
  openai: openAIErrorResponse,
  anthropic: anthropicErrorResponse,
  ollama: ollamaErrorResponse,
  llamacpp: llamaCppErrorResponse,
  responses: responsesErrorResponse,
  gemini: geminiErrorResponse,
};

/**
 * The HTTP error response in a dialect's shape.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { dialectErrorResponse } from "./dialect.ts";
 * import { RelayError } from "../hub/errors.ts";
 * const response = dialectErrorResponse("ollama", new RelayError(401, "no key"));
 * equal((await response.json()).error, "no key");
 * ```
 */
export function dialectErrorResponse(dialect: Dialect, error: RelayError): Response {
  return RESPONSES[dialect](error);
}
