/**
 * The one error type that crosses the hub. Fronts render it in their dialect's error shape;
 * upstreams raise it with the status a client should see.
 *
 * @module
 */

/** Options of a {@link RelayError} beyond status and message. */
export interface RelayErrorOptions {
  /** The request field at fault, e.g. `messages[2].content`. */
  param?: string;
  /** A short machine-readable code, e.g. `rate_limit_exceeded`, `model_not_found`. */
  code?: string;
  /** How long the client should wait before retrying (429). */
  retryAfterMs?: number;
  /** Whether retrying the same request can succeed; defaults from the status. */
  retryable?: boolean;
  /** The underlying failure, kept for logs. */
  cause?: unknown;
}

/**
 * An error with the HTTP status a client should see.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { RelayError } from "./errors.ts";
 * const error = new RelayError(400, "messages must not be empty", { param: "messages" });
 * equal(error.retryable, false);
 * ```
 */
export class RelayError extends Error {
  /** HTTP status for the client. */
  readonly status: number;
  /** The request field at fault. */
  readonly param?: string;
  /** A short machine-readable code. */
  readonly code?: string;
  /** How long to wait before retrying. */
  readonly retryAfterMs?: number;
  /** Whether retrying the same request can succeed. */
  readonly retryable: boolean;

  /** Creates an error with the status a client should see. */
  constructor(status: number, message: string, options: RelayErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "RelayError";
    this.status = status;
    this.param = options.param;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? (status === 408 || status === 429 || status >= 500);
  }
}

/**
 * Wraps anything thrown into a {@link RelayError} (500 unless it already is one).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { toRelayError } from "./errors.ts";
 * equal(toRelayError(new Error("boom")).status, 500);
 * ```
 */
export function toRelayError(error: unknown): RelayError {
  if (error instanceof RelayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RelayError(500, `internal error: ${message}`, { cause: error });
}

/**
 * A stream failure as a `RelayError`: kept if it already is one, else a 502 saying the
 * upstream stream failed and why.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { describeStreamFailure } from "./errors.ts";
 * equal(describeStreamFailure(new Error("reset")).status, 502);
 * ```
 */
export function describeStreamFailure(error: unknown): RelayError {
  if (error instanceof RelayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RelayError(502, `upstream stream failed: ${message}`, { cause: error });
}

/**
 * The error for a request that never reached its upstream (refused, reset, DNS, TLS): a
 * retryable 502 naming what could not be reached and why. Rethrows an abort as it is, so
 * a client that left is not reported as an upstream failure.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { unreachable } from "./errors.ts";
 * const error = unreachable("Sourcegraph", "https://sg.example", new TypeError("connection refused"));
 * ok(error.status === 502 && error.message === "cannot reach Sourcegraph at https://sg.example: connection refused");
 * ```
 */
export function unreachable(what: string, origin: string, error: unknown, signal?: AbortSignal): RelayError {
  if (signal?.aborted) throw error;
  const reason = error instanceof Error ? error.message : String(error);
  return new RelayError(502, `cannot reach ${what} at ${origin}: ${reason}`, { cause: error });
}

/**
 * The `code` of an error caused by the model provider being overloaded (Anthropic's 529):
 * OpenAI clients see it as a 502, Anthropic clients as a 529 `overloaded_error`.
 */
export const OVERLOADED = "overloaded";

/** The most characters of a client's own text an error message quotes. */
const QUOTED_LENGTH = 64;

/**
 * A client's string as an error message quotes it: in single quotes, cut to its first
 * {@link QUOTED_LENGTH} characters with its length noted, so an error never echoes a
 * megabyte back.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { quoted } from "./errors.ts";
 * equal(quoted("gpt-4o"), "'gpt-4o'");
 * equal(quoted("x".repeat(1000)), `'${"x".repeat(64)}…' (1000 characters)`);
 * ```
 */
export function quoted(text: string): string {
  return text.length <= QUOTED_LENGTH ? `'${text}'` : `'${text.slice(0, QUOTED_LENGTH)}…' (${text.length} characters)`;
}

/** The `code` of every error caused by a time limit. */
export const TIMEOUT = "upstream_timeout";

/** The `code` of the error that ends answers still running when the relay shuts down. */
export const SHUTTING_DOWN = "shutting_down";
