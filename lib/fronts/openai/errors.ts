import { errorResponse } from "../error_response.ts";
import type { RelayError } from "../../hub/errors.ts";

/** OpenAI's error body. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * OpenAI's error `type` for an HTTP status.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { openAIErrorType } from "./errors.ts";
 * equal(openAIErrorType(429), "rate_limit_error");
 * ```
 */
export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/**
 * `{"error":{"message","type","param","code"}}` for a relay error.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { RelayError } from "../../hub/errors.ts";
 * import { openAIErrorBody } from "./errors.ts";
 * const body = openAIErrorBody(new RelayError(400, "bad", { param: "messages" }));
 * ok(body.error.type === "invalid_request_error" && body.error.param === "messages");
 * ```
 */
export function openAIErrorBody(error: RelayError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: openAIErrorType(error.status),
      param: error.param ?? null,
      code: error.code ?? null,
    },
  };
}

/**
 * The HTTP response for a relay error in OpenAI's shape: JSON body (`body`, where a dialect
 * words it differently), `retry-after` and `retry-after-ms` on 429s, `x-should-retry:
 * false` when retrying cannot help (so SDKs do not burn quota retrying a bad model or key).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { RelayError } from "../../hub/errors.ts";
 * import { openAIErrorResponse } from "./errors.ts";
 * const response = openAIErrorResponse(new RelayError(429, "slow down", { retryAfterMs: 1500 }));
 * equal(response.headers.get("retry-after"), "2");
 * ```
 */
export function openAIErrorResponse(error: RelayError, body: OpenAIErrorBody = openAIErrorBody(error)): Response {
  return errorResponse(body, error.status, error);
}

/**
 * An error inside an OpenAI SSE stream: one `data: {"error":…}` event (openai-node, the
 * AI SDK, Continue and Zed all surface it).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { openAIErrorEvent } from "./errors.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * const event = openAIErrorEvent(new RelayError(502, "reset"));
 * ok(event.startsWith('data: {"error":{"message":"reset"'));
 * ```
 */
export function openAIErrorEvent(error: RelayError): string {
  return `data: ${JSON.stringify(openAIErrorBody(error))}\n\n`;
}
