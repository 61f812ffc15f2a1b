import type { RelayError } from "../../hub/errors.ts";
import { errorResponse } from "../error_response.ts";

/**
 * The HTTP response for a relay error in Ollama's shape: `{"error":"…"}`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { ollamaErrorResponse } from "./errors.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * equal(ollamaErrorResponse(new RelayError(404, "model 'x' not found")).status, 404);
 * ```
 */
export function ollamaErrorResponse(error: RelayError): Response {
  return errorResponse({ error: error.message }, error.status, error);
}
