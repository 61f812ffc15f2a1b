import { errorResponse } from "../error_response.ts";
import { OVERLOADED, type RelayError } from "../../hub/errors.ts";

/** Anthropic's error body. */
export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

/**
 * Anthropic's status and error `type` for a relay error: 400 `invalid_request_error`,
 * 401 `authentication_error`, 403 `permission_error`, 404 `not_found_error`, 413
 * `request_too_large`, 429 `rate_limit_error`, 529 `overloaded_error` (only when the model
 * provider was overloaded), other 5xx `api_error`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { anthropicErrorStatus } from "./errors.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * equal(anthropicErrorStatus(new RelayError(429, "slow")).type, "rate_limit_error");
 * equal(anthropicErrorStatus(new RelayError(502, "busy", { code: "overloaded" })).status, 529);
 * ```
 */
export function anthropicErrorStatus(error: RelayError): { status: number; type: string } {
  if (error.code === OVERLOADED) return { status: 529, type: "overloaded_error" };
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
  };
  const type = types[error.status] ?? (error.status >= 500 ? "api_error" : "invalid_request_error");
  return { status: error.status, type };
}

/**
 * The body `{"type":"error","error":{type,message}}` for a relay error.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { anthropicErrorBody } from "./errors.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * equal(anthropicErrorBody(new RelayError(401, "bad key")).error.type, "authentication_error");
 * ```
 */
export function anthropicErrorBody(error: RelayError): AnthropicErrorBody {
  return { type: "error", error: { type: anthropicErrorStatus(error).type, message: error.message } };
}

/**
 * A relay error as an Anthropic HTTP error response, with `retry-after` on 429 and
 * `x-should-retry: false` on errors a retry cannot fix.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { anthropicErrorResponse } from "./errors.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * const response = anthropicErrorResponse(new RelayError(400, "max_tokens: required"));
 * equal(response.status, 400);
 * ```
 */
export function anthropicErrorResponse(error: RelayError): Response {
  return errorResponse(anthropicErrorBody(error), anthropicErrorStatus(error).status, error);
}
