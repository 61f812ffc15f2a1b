/**
 * Google's error shape for the Gemini API: `{"error":{"code","message","status","details"}}`.
 *
 * @module
 */
import { errorResponse } from "../error_response.ts";
import { OVERLOADED, type RelayError } from "../../hub/errors.ts";

/** Google's error body (`google.rpc.Status` as JSON). */
export interface GeminiErrorBody {
  error: {
    /** The HTTP status. */
    code: number;
    /** What went wrong. */
    message: string;
    /** The canonical code's name, e.g. `INVALID_ARGUMENT`, `RESOURCE_EXHAUSTED`. */
    status: string;
    /** `google.rpc` detail messages: `BadRequest` naming the field, `RetryInfo` with the delay. */
    details?: Record<string, unknown>[];
  };
}

const STATUSES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  408: "DEADLINE_EXCEEDED",
  409: "ABORTED",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/**
 * Google's canonical status name for a relay error: `INVALID_ARGUMENT` (400, 413),
 * `UNAUTHENTICATED`, `PERMISSION_DENIED`, `NOT_FOUND`, `RESOURCE_EXHAUSTED` (429),
 * `UNIMPLEMENTED`, `UNAVAILABLE` (502, 503, and an overloaded model provider),
 * `DEADLINE_EXCEEDED` (408, 504), `INTERNAL` for other 5xx, `FAILED_PRECONDITION` for other 4xx.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { geminiErrorStatus } from "./errors.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * equal(geminiErrorStatus(new RelayError(429, "slow down")), "RESOURCE_EXHAUSTED");
 * equal(geminiErrorStatus(new RelayError(404, "no such model")), "NOT_FOUND");
 * ```
 */
export function geminiErrorStatus(error: RelayError): string {
  if (error.code === OVERLOADED) return "UNAVAILABLE";
  return STATUSES[error.status] ?? (error.status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
}

/**
 * The body `{"error":{code,message,status,details}}` for a relay error. A field at fault is
 * named in a `google.rpc.BadRequest` detail; a known retry delay in a `google.rpc.RetryInfo`
 * detail (Gemini CLI waits that long before retrying a 429).
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { geminiErrorBody } from "./errors.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * const body = geminiErrorBody(new RelayError(429, "quota", { retryAfterMs: 30_000 }));
 * equal(body.error.status, "RESOURCE_EXHAUSTED");
 * deepEqual(body.error.details, [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "30s" }]);
 * ```
 */
export function geminiErrorBody(error: RelayError): GeminiErrorBody {
  const details: Record<string, unknown>[] = [];
  if (error.param) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.BadRequest",
      // A fault in the conversation as a whole (the hub's messages) is in Gemini's contents.
      fieldViolations: [{ field: error.param === "messages" ? "contents" : error.param, description: error.message }],
    });
  }
  if (error.retryAfterMs !== undefined) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: `${Math.ceil(error.retryAfterMs / 1000)}s`,
    });
  }
  return {
    error: {
      code: error.status,
      message: error.message,
      status: geminiErrorStatus(error),
      ...(details.length ? { details } : {}),
    },
  };
}

/**
 * A relay error as a Gemini API HTTP error response, with `retry-after` on 429 and
 * `x-should-retry: false` on errors a retry cannot fix.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { geminiErrorResponse } from "./errors.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * const response = geminiErrorResponse(new RelayError(400, "contents: required", { param: "contents" }));
 * equal(response.status, 400);
 * equal((await response.json()).error.status, "INVALID_ARGUMENT");
 * ```
 */
export function geminiErrorResponse(error: RelayError): Response {
  return errorResponse(geminiErrorBody(error), error.status, error);
}
