/**
 * Retries and fallback models, as an upstream wrapper: an answer that fails before any of
 * it reached the client is asked again, or of the next model.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { RelayError, TIMEOUT, toRelayError } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";
import type { RelayRequest } from "../hub/request.ts";
import { sleep } from "../hub/sleep.ts";
import {
  type AnswerCall,
  type AnswerSink,
  type Upstream,
  type UpstreamContext,
  wrapUpstream,
} from "../hub/upstream.ts";

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
 * import { ok } from "node:assert/strict";
 * import { isRetryable } from "./retrying.ts";
 * import { RelayError } from "../hub/errors.ts";
 * ok(isRetryable(new RelayError(503, "down")) && !isRetryable(new RelayError(401, "key")));
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
 * import { ok } from "node:assert/strict";
 * import { canFallBack } from "./retrying.ts";
 * import { RelayError } from "../hub/errors.ts";
 * ok(canFallBack(new RelayError(429, "busy")) && !canFallBack(new RelayError(400, "bad")));
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
 * import { equal } from "node:assert/strict";
 * import { backoffDelay, DEFAULT_RETRY_POLICY } from "./retrying.ts";
 * equal(backoffDelay(1, DEFAULT_RETRY_POLICY, undefined, () => 1), 1000);
 * equal(backoffDelay(0, DEFAULT_RETRY_POLICY, 3000), 3000);
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

/** Options of {@link retrying}. */
export interface RetryingOptions {
  /** How to retry. @default DEFAULT_RETRY_POLICY */
  policy?: Partial<RetryPolicy>;
  /** Models tried in order when the requested one fails with 429 or 5xx before answering. */
  fallbackModels?: readonly string[];
}

/**
 * `upstream` with failed starts asked again: a failure is a rejected `open` or an `error`
 * as the answer's first event, so nothing had reached the client. Each model in turn (the
 * requested one, then the fallbacks) is retried while its failure {@link isRetryable} and
 * the policy allows, and the next model is tried when the failure {@link canFallBack}.
 * `open` resolves once an attempt's first events arrived (so a caller learns at once
 * whether the answer started); the answer then begins with a `meta` event naming the
 * failures before it, and the fallback model if one answered. The last failure rejects,
 * a 429 with the relay's backoff as its `retry-after` when the upstream gave none.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { retrying } from "./retrying.ts";
 * import { RelayError } from "../hub/errors.ts";
 * import { answerStream, streamUpstream } from "../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: (request) => request.model === "busy"
 *     ? Promise.reject(new RelayError(429, "busy", { retryAfterMs: 60_000 }))
 *     : Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([]),
 * });
 * const answer = retrying(upstream, { fallbackModels: ["spare"] });
 * const [meta] = await Array.fromAsync(await answerStream(answer, { model: "busy", messages: [] }, {}));
 * equal(meta.type === "meta" && meta.meta.model, "spare");
 * ```
 */
export function retrying(upstream: Upstream, options: RetryingOptions = {}): Upstream {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  return wrapUpstream(upstream, async (request, context, sink) => {
    const models = [request.model, ...(options.fallbackModels ?? []).filter((model) => model !== request.model)];
    const failures: string[] = [];
    let waited = 0;
    for (const [index, model] of models.entries()) {
      for (let attempt = 0;; attempt++) {
        const outcome = await firstEvents(upstream, { ...request, model }, context);
        if (!("error" in outcome)) {
          const meta: RelayEvent[] = failures.length
            ? [{ type: "meta", meta: { failures, ...(index > 0 && model ? { model } : {}) } }]
            : [];
          outcome.forward(sink, meta);
          return outcome.call;
        }
        const { error } = outcome;
        failures.push(error.code ?? String(error.status));
        if (context.signal?.aborted) throw error;
        const delay = backoffDelay(attempt, policy, error.retryAfterMs);
        if (isRetryable(error) && attempt < policy.maxRetries && waited + delay <= policy.maxWaitMs) {
          log.info("upstream failed with {status} ({message}); retry {retry} in {delay} ms", {
            status: error.status,
            message: error.message,
            retry: attempt + 1,
            delay,
          });
          waited += delay;
          await sleep(delay, context.signal);
          continue;
        }
        if (!canFallBack(error) || index === models.length - 1) throw withRetryHint(error, delay);
        log.info("model {model} failed with {status}; falling back to {next}", {
          model: model ?? "(default)",
          status: error.status,
          next: models[index + 1],
        });
        break;
      }
    }
    throw new TypeError("unreachable: the last model's failure is thrown");
  });
}

/** An attempt that started: its call, and how to hand its events (the first ones held) to the real sink. */
interface Started {
  call: AnswerCall;
  /** Sends the held events (after `head`), then every later batch, to `sink`. */
  forward(sink: AnswerSink, head: RelayEvent[]): void;
}

/**
 * Opens one attempt and waits for its first events (`meta` events do not count): the
 * attempt started, or its failure (a rejected `open`, or an `error` first).
 */
function firstEvents(
  upstream: Upstream,
  request: RelayRequest,
  context: UpstreamContext,
): Promise<Started | { error: RelayError }> {
  return new Promise((resolve) => {
    let held: RelayEvent[] = [];
    let target: AnswerSink | undefined;
    let failed = false;
    let started = false;
    let call: AnswerCall | undefined;
    const settle = () => {
      if (!call || !started) return;
      resolve({
        call,
        forward(sink, head) {
          sink([...head, ...held]);
          held = [];
          target = sink;
        },
      });
    };
    const sink: AnswerSink = (batch) => {
      if (target) return target(batch);
      if (failed) return;
      held.push(...batch);
      if (started) return;
      const first = held.find((event) => event.type !== "meta");
      if (!first) return;
      if (first.type === "error") {
        failed = true;
        return resolve({ error: first.error });
      }
      started = true;
      settle();
    };
    upstream.open(request, context, sink).then((opened) => {
      call = opened;
      if (failed) opened.cancel();
      else settle();
    }, (error) => {
      if (failed || started) return;
      failed = true;
      resolve({ error: toRelayError(error) });
    });
  });
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
