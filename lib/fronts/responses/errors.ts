/**
 * Errors in the Responses API: HTTP errors in OpenAI's shape, and the `error` of a
 * response that failed after it started.
 *
 * @module
 */
import { quoted, RelayError, TIMEOUT } from "../../hub/errors.ts";
import { type OpenAIErrorBody, openAIErrorBody, openAIErrorResponse } from "../openai/errors.ts";

/**
 * The HTTP error body: `{"error":{"message","type","param","code"}}`, as OpenAI's other
 * endpoints (the SDKs and Codex read it the same way). A fault in the conversation as a
 * whole (the hub's `messages`) names the Responses API's `input`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { RelayError } from "../../hub/errors.ts";
 * import { responsesErrorBody } from "./errors.ts";
 * equal(responsesErrorBody(new RelayError(404, "gone", { code: "previous_response_not_found" })).error.code, "previous_response_not_found");
 * equal(responsesErrorBody(new RelayError(400, "no user message", { param: "messages" })).error.param, "input");
 * ```
 */
export function responsesErrorBody(error: RelayError): OpenAIErrorBody {
  const body = openAIErrorBody(error);
  if (body.error.param === "messages") body.error.param = "input";
  return body;
}

/**
 * The HTTP response for a relay error: OpenAI's body, `retry-after` on 429s,
 * `x-should-retry: false` when retrying cannot help.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { RelayError } from "../../hub/errors.ts";
 * import { responsesErrorResponse } from "./errors.ts";
 * const response = responsesErrorResponse(new RelayError(429, "slow down", { retryAfterMs: 3000 }));
 * equal(response.headers.get("retry-after"), "3");
 * ```
 */
export function responsesErrorResponse(error: RelayError): Response {
  return openAIErrorResponse(error, responsesErrorBody(error));
}

/** The `error` of a failed response object. */
export interface ResponseErrorObject {
  /** `rate_limit_exceeded`, `context_length_exceeded`, `invalid_prompt` or `server_error`. */
  code: string;
  /** What went wrong. */
  message: string;
}

/**
 * The `error` of a response that failed after it started (`response.failed`): a code
 * Codex and the SDKs act on — `rate_limit_exceeded` (with "try again in N s" in the
 * message when the upstream said when, which Codex waits for), `context_length_exceeded`,
 * `invalid_prompt` for other client errors, else `server_error`.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { RelayError } from "../../hub/errors.ts";
 * import { responseError } from "./errors.ts";
 * deepEqual(responseError(new RelayError(429, "Too many requests.", { retryAfterMs: 2000 })), {
 *   code: "rate_limit_exceeded",
 *   message: "Too many requests. Please try again in 2s.",
 * });
 * ```
 */
export function responseError(error: RelayError): ResponseErrorObject {
  if (error.status === 429) {
    const wait = error.retryAfterMs !== undefined && !/try again in/i.test(error.message)
      ? ` Please try again in ${Math.ceil(error.retryAfterMs / 1000)}s.`
      : "";
    return { code: "rate_limit_exceeded", message: `${error.message}${wait}` };
  }
  if (error.code === "context_length_exceeded") return { code: error.code, message: error.message };
  if (error.status >= 400 && error.status < 500 && error.code !== TIMEOUT) {
    return { code: "invalid_prompt", message: error.message };
  }
  return { code: "server_error", message: error.message };
}

/**
 * The error for a response id the store does not hold for this key (unknown, expired,
 * deleted, stored with `store: false`, or another key's): for a follow-up, a 400
 * `previous_response_not_found` naming `previous_response_id`, as OpenAI answers (clients
 * such as Codex proxies look for that status and code to send the whole conversation
 * again); for the response routes, a 404 `not_found`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { responseNotFound } from "./errors.ts";
 * const error = responseNotFound("resp_1", true);
 * ok(error.status === 400 && error.code === "previous_response_not_found" && error.param === "previous_response_id");
 * ok(responseNotFound("resp_1", false).status === 404);
 * ```
 */
export function responseNotFound(id: string, previous: boolean): RelayError {
  return previous
    ? new RelayError(400, `Previous response with id ${quoted(id)} not found.`, {
      param: "previous_response_id",
      code: "previous_response_not_found",
    })
    : new RelayError(404, `Response with id ${quoted(id)} not found.`, { param: "response_id", code: "not_found" });
}
