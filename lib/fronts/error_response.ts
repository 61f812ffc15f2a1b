import type { RelayError } from "../hub/errors.ts";

/**
 * An HTTP error response in any dialect: `body` as JSON with `status`, plus the headers
 * every client's retry logic reads: `retry-after` (seconds) and `retry-after-ms` when the
 * upstream said when to retry, and `x-should-retry: false` for errors a retry cannot fix.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { errorResponse } from "./error_response.ts";
 * import { RelayError } from "../hub/errors.ts";
 * const error = new RelayError(429, "slow down", { retryAfterMs: 1500 });
 * const response = errorResponse({ error: error.message }, 429, error);
 * ok(response.headers.get("retry-after") === "2" && response.headers.get("retry-after-ms") === "1500");
 * ```
 */
export function errorResponse(body: unknown, status: number, error: RelayError): Response {
  const headers = new Headers();
  if (error.retryAfterMs !== undefined) {
    headers.set("retry-after", String(Math.ceil(error.retryAfterMs / 1000)));
    headers.set("retry-after-ms", String(error.retryAfterMs));
  }
  if (!error.retryable) headers.set("x-should-retry", "false");
  return Response.json(body, { status, headers });
}
