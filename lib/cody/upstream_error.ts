/**
 * Cody failures → {@link RelayError}s with the status a client should see
 * (cody-protocol.md §6): HTTP errors before streaming, and `event: error` frames after.
 *
 * @module
 */
import type { AdapterExit } from "../adapters/adapter.ts";
import { OVERLOADED, RelayError } from "../hub/errors.ts";
import { parseRetryAfter } from "../hub/retry_after.ts";

const MAX_BODY_CHARS = 1000;

/**
 * The error for a non-2xx response of a Cody endpoint. Reads (and so consumes) the body.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { errorFromResponse } from "./upstream_error.ts";
 * const error = await errorFromResponse(new Response("Invalid access token.\n", { status: 401 }));
 * equal(error.status, 401);
 * ```
 */
export async function errorFromResponse(response: Response, now = Date.now()): Promise<RelayError> {
  const body = await response.text().catch(() => "");
  return errorFromExit({ url: response.url, status: response.status, body, headers: response.headers }, now);
}

/**
 * The error for a non-2xx answer of a Cody endpoint whose body was read (an adapter's exit).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { errorFromExit } from "./upstream_error.ts";
 * const exit = { url: "", status: 429, body: "slow down", headers: new Headers({ "retry-after": "2" }) };
 * equal(errorFromExit(exit).retryAfterMs, 2000);
 * ```
 */
export function errorFromExit(exit: AdapterExit, now = Date.now()): RelayError {
  const detail = bodyMessage(exit.body);
  const { status } = exit;
  switch (status) {
    case 400:
      return new RelayError(400, `Sourcegraph rejected the request: ${detail}`, {
        code: /model/i.test(detail) ? "model_not_found" : undefined,
      });
    case 401:
    case 403:
      return new RelayError(status, `Sourcegraph rejected the credentials: ${detail}`, {
        code: status === 401 ? "invalid_api_key" : "permission_denied",
      });
    case 404:
      return new RelayError(
        502,
        `Sourcegraph answered 404 for ${
          new URL(exit.url || "http://unknown").pathname
        }: is the endpoint a Sourcegraph instance with Cody?`,
        { retryable: false },
      );
    case 406:
      return new RelayError(
        502,
        `Sourcegraph refused this client (406): ${detail}. If it names supported clients, start the relay with --client-name web.`,
        { retryable: false },
      );
    case 413:
      return new RelayError(413, `Sourcegraph: request too large: ${detail}`);
    case 429:
      return new RelayError(429, `Sourcegraph rate limit: ${detail || "too many requests"}`, {
        code: "rate_limit_exceeded",
        retryAfterMs: parseRetryAfter(exit.headers.get("retry-after"), now),
      });
    default:
      return new RelayError(502, `Sourcegraph answered HTTP ${status}: ${detail}`, {
        retryable: status >= 500,
        ...(status === 529 || /overloaded/i.test(detail) ? { code: OVERLOADED } : {}),
      });
  }
}

/**
 * The error carried by an in-stream `event: error` frame. Its data may be `{"error":…}`,
 * `{"message":…,"type":…}` or plain text; the status of a wrapped provider failure
 * ("unexpected status code 429: …") is kept where it tells the client something.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { errorFromStreamEvent } from "./upstream_error.ts";
 * const error = errorFromStreamEvent('{"error":"Anthropic: unexpected status code 429: slow down"}');
 * equal(error.status, 429);
 * ```
 */
export function errorFromStreamEvent(data: string): RelayError {
  const message = streamErrorMessage(data);
  const upstreamStatus = Number(/unexpected status code (\d{3})/.exec(message)?.[1]);
  const status = upstreamStatus === 429 || upstreamStatus === 400 || upstreamStatus === 413
    ? upstreamStatus
    : /deadline exceeded|timeout/i.test(message)
    ? 504
    : 502;
  const overloaded = upstreamStatus === 529 || /overloaded/i.test(message);
  return new RelayError(status, `Sourcegraph: ${message}`, {
    code: status === 429 ? "rate_limit_exceeded" : overloaded ? OVERLOADED : undefined,
  });
}

function streamErrorMessage(data: string): string {
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed === "string") return parsed;
    if (parsed && typeof parsed === "object") {
      const { error, message, type } = parsed as Record<string, unknown>;
      if (typeof error === "string") return error;
      if (typeof message === "string") return typeof type === "string" ? `${message} (${type})` : message;
    }
  } catch {
    // plain-text error data
  }
  return data.trim() || "unknown error";
}

function bodyMessage(body: string): string {
  const text = body.trim();
  if (/^\s*<(!doctype|html)/i.test(text)) {
    return "(an HTML page, likely from a proxy or firewall in front of Sourcegraph)";
  }
  const clipped = text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text;
  try {
    const parsed = JSON.parse(clipped) as Record<string, unknown>;
    if (typeof parsed.message === "string") return parsed.message;
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // not JSON
  }
  return clipped;
}
