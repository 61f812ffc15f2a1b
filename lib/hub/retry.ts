/**
 * Retries and fallback models for the first round of an answer, before anything of it
 * reached the client.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { RelayError } from "./errors.ts";
import type { RelayEvent } from "./events.ts";
import type { RelayAnswer } from "./interruptible.ts";
import { TIMEOUT } from "./timeouts.ts";
import type { RequestTrace } from "./trace.ts";
import { sleep } from "./sleep.ts";

const log = getLogger(["cody-relay", "retry"]);

/** How often and how long to retry. */
export interface RetryPolicy {
  /** Attempts after the first, per model. @default 2 */
  maxRetries: number;
  /** The most time spent waiting between attempts, over all of them. @default 20000 */
  maxWaitMs: number;
  /** The first backoff; each further one doubles, with jitter. @default 500 */
  baseDelayMs: number;
}

/** The policy used where none is given. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = { maxRetries: 2, maxWaitMs: 20_000, baseDelayMs: 500 };

/** Statuses worth asking again: rate limits and gateways in trouble (5xx upstream answers become 502). */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Whether asking the same upstream again may succeed: rate limits, unreachable or failing
 * upstreams. Never 4xx mistakes, refused credentials, or a time limit that expired (the
 * upstream may still be working and billing).
 *
 * @example
 * ```ts
 * import { isRetryable } from "./retry.ts";
 * import { RelayError } from "./errors.ts";
 * console.assert(isRetryable(new RelayError(503, "down")) && !isRetryable(new RelayError(401, "key")));
 * ```
 */
export function isRetryable(error: RelayError): boolean {
  return error.retryable && RETRIED_STATUSES.has(error.status) && error.code !== TIMEOUT;
}

/**
 * Whether another model may answer instead: the model answered 429 or 5xx (time limits included).
 *
 * @example
 * ```ts
 * import { canFallBack } from "./retry.ts";
 * import { RelayError } from "./errors.ts";
 * console.assert(canFallBack(new RelayError(429, "busy")) && !canFallBack(new RelayError(400, "bad")));
 * ```
 */
export function canFallBack(error: RelayError): boolean {
  return error.status === 429 || (error.status >= 500 && error.retryable);
}

/**
 * The wait before retry number `attempt` (0-based): exponential backoff with jitter
 * (between half and all of `baseDelayMs × 2^attempt`), and never less than the upstream's
 * `retry-after`.
 *
 * @example
 * ```ts
 * import { backoffDelay, DEFAULT_RETRY_POLICY } from "./retry.ts";
 * console.assert(backoffDelay(1, DEFAULT_RETRY_POLICY, undefined, () => 1) === 1000);
 * console.assert(backoffDelay(0, DEFAULT_RETRY_POLICY, 3000) === 3000);
 * ```
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const backoff = Math.round(policy.baseDelayMs * 2 ** attempt * (0.5 + random() / 2));
  return Math.max(backoff, retryAfterMs ?? 0);
}

/** Options of {@link firstRound}. */
export interface FirstRoundOptions {
  /** How to retry. */
  policy: RetryPolicy;
  /** Stops waiting and retrying (the client left, or the answer's time is up). */
  signal?: AbortSignal;
  /** Counts retries and failures. */
  trace?: RequestTrace;
}

/**
 * Starts the first round of an answer: tries each model in turn (the requested one, then
 * fallbacks), retrying a model while its failure {@link isRetryable} and the policy allows,
 * and moving on to the next model when the failure {@link canFallBack}. A failure is a
 * rejected start or an `error` as the first event, so nothing had been passed on. Resolves
 * with the stream that answered (its first event still in it) and the model it answered
 * with, or with the last failure as a one-event stream.
 *
 * @example
 * ```ts
 * import { firstRound, DEFAULT_RETRY_POLICY } from "./retry.ts";
 * import { RelayError } from "./errors.ts";
 * import type { RelayEvent } from "./events.ts";
 * const open = (model?: string) => {
 *   const event: RelayEvent = model === "busy"
 *     ? { type: "error", error: new RelayError(429, "busy", { retryAfterMs: 60_000 }) }
 *     : { type: "finish", reason: "stop" };
 *   return { events: ReadableStream.from([event]), first: Promise.resolve(event) };
 * };
 * const { model } = await firstRound(open, ["busy", "spare"], { policy: DEFAULT_RETRY_POLICY });
 * console.assert(model === "spare");
 * ```
 */
export async function firstRound(
  open: (model: string | undefined) => RelayAnswer,
  models: (string | undefined)[],
  options: FirstRoundOptions,
): Promise<{ events: ReadableStream<RelayEvent>; model: string | undefined }> {
  let waited = 0;
  const failed = (error: RelayError, model: string | undefined) => ({
    events: ReadableStream.from<RelayEvent>([{ type: "error", error }]),
    model,
  });
  for (const [index, model] of models.entries()) {
    for (let attempt = 0;; attempt++) {
      if (index + attempt > 0 && options.trace) options.trace.retries++;
      const { events, first: head } = open(model);
      const first = await head;
      if (first?.type !== "error") return { events, model };
      await events.cancel();
      const { error } = first;
      options.trace?.upstreamErrors.push(error.code ?? String(error.status));
      if (options.signal?.aborted) return failed(error, model);
      const delay = backoffDelay(attempt, options.policy, error.retryAfterMs);
      if (isRetryable(error) && attempt < options.policy.maxRetries && waited + delay <= options.policy.maxWaitMs) {
        log.info("upstream failed with {status} ({message}); retry {retry} in {delay} ms", {
          status: error.status,
          message: error.message,
          retry: attempt + 1,
          delay,
        });
        waited += delay;
        await sleep(delay, options.signal);
        continue;
      }
      if (!canFallBack(error) || index === models.length - 1) return failed(withRetryHint(error, delay), model);
      log.info("model {model} failed with {status}; falling back to {next}", {
        model: model ?? "(default)",
        status: error.status,
        next: models[index + 1],
      });
      break;
    }
  }
  throw new TypeError("firstRound needs at least one model (undefined for the upstream's default)");
}

/** A 429 without the upstream's `retry-after` gets the relay's own backoff as one, so clients know when to retry. */
function withRetryHint(error: RelayError, delayMs: number): RelayError {
  if (error.status !== 429 || error.retryAfterMs !== undefined) return error;
  return new RelayError(error.status, error.message, {
    param: error.param,
    code: error.code,
    retryAfterMs: delayMs,
    retryable: error.retryable,
    cause: error.cause,
  });
}
