import type { AdapterExit } from "../adapters/adapter.ts";
import { OVERLOADED, RelayError } from "../hub/errors.ts";
import { parseRetryAfter } from "../hub/retry_after.ts";

const MAX_MESSAGE_CHARS = 1000;

/**
 * The error an OpenAI-style error body stands for: `{"error":{"message",…}}`,
 * `{"error":"…"}` or `{"message":"…"}`, with `status` (the HTTP status, or 502 for an error
 * inside a stream).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { errorFromOpenAIBody } from "./errors.ts";
 * equal(errorFromOpenAIBody({ error: { message: "slow down" } }, 429).message, "upstream: slow down");
 * ```
 */
export function errorFromOpenAIBody(body: unknown, status: number, retryAfterMs?: number): RelayError {
  const message = messageOf(body);
  const text = `upstream: ${message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message}`;
  const aboutModel = /model/i.test(message);
  if ((status === 400 || status === 404) && aboutModel) {
    return new RelayError(404, text, { param: "model", code: "model_not_found" });
  }
  if (status === 400) return new RelayError(400, text);
  if (status === 404) {
    return new RelayError(502, `${text} (HTTP 404: is the upstream's base URL right? It usually ends in /v1)`, {
      retryable: false,
    });
  }
  if (status === 401 || status === 403) {
    return new RelayError(status, text, { code: status === 401 ? "invalid_api_key" : "permission_denied" });
  }
  if (status === 413) return new RelayError(413, text);
  if (status === 429) return new RelayError(429, text, { code: "rate_limit_exceeded", retryAfterMs });
  return new RelayError(502, text, {
    retryable: status >= 500,
    ...(status === 529 || /overloaded/i.test(message) ? { code: OVERLOADED } : {}),
  });
}

/**
 * The error for a non-2xx response of an OpenAI-style server (reads the body):
 * `retry-after-ms` (OpenAI's) or `retry-after` kept for 429s, HTML pages named as such.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { errorFromOpenAIResponse } from "./errors.ts";
 * const response = Response.json({ error: { message: "no" } }, { status: 429, headers: { "retry-after-ms": "1500" } });
 * equal((await errorFromOpenAIResponse(response)).retryAfterMs, 1500);
 * ```
 */
export async function errorFromOpenAIResponse(response: Response): Promise<RelayError> {
  const body = await response.text().catch(() => "");
  return errorFromOpenAIExit({ url: response.url, status: response.status, body, headers: response.headers });
}

/**
 * The error for a non-2xx answer of an OpenAI-style server whose body was read (an adapter's exit).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { errorFromOpenAIExit } from "./errors.ts";
 * const exit = { url: "", status: 401, body: '{"error":{"message":"bad key"}}', headers: new Headers() };
 * equal(errorFromOpenAIExit(exit).status, 401);
 * ```
 */
export function errorFromOpenAIExit(exit: AdapterExit): RelayError {
  const { headers, status } = exit;
  const text = exit.body.trim();
  let body: unknown = text;
  if (/^\s*<(!doctype|html)/i.test(text)) body = "(an HTML page, likely from a proxy in front of the server)";
  else {
    try {
      body = JSON.parse(text);
    } catch {
      // plain text
    }
  }
  const retryAfterMs = Number(headers.get("retry-after-ms")) || parseRetryAfter(headers.get("retry-after"));
  return errorFromOpenAIBody(body || `HTTP ${status}`, status, retryAfterMs);
}

function messageOf(body: unknown): string {
  if (typeof body === "string") return body;
  const value = body as { error?: unknown; message?: unknown } | null;
  const error = value?.error;
  if (typeof error === "string") return error;
  if (error && typeof (error as { message?: unknown }).message === "string") {
    return (error as { message: string }).message;
  }
  if (typeof value?.message === "string") return value.message;
  return JSON.stringify(body).slice(0, MAX_MESSAGE_CHARS);
}
