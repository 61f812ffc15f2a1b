/**
 * What one request did, for the request log line and the metrics: the server notes what it
 * sees (the dialect, the client's model name, when the first byte went out, how it ended),
 * and the answer's own events bring the rest (`meta`, `usage`, `finish`, `error`), which
 * the pipeline's stages emit instead of writing here.
 *
 * @module
 */
import { type RelayError, SHUTTING_DOWN, TIMEOUT, toRelayError } from "../hub/errors.ts";
import type { RelayEvent, RelayUsage } from "../hub/events.ts";

/** How a request ended, as the log line and `/metrics` name it. */
export type RequestOutcome = "completed" | "error" | "client_abort" | "timeout" | "shutdown";

/** A moment of a request's answer besides its start and end: a retry or fallback, a continuation round. */
export interface TraceMilestone {
  /** Milliseconds from the request. */
  atMs: number;
  /** `retried`: attempts failed before this one answered (a fallback model names itself); `round`: a continuation round was asked. */
  kind: "retried" | "round";
  /** What happened, e.g. `429, 503 → claude-3-5-haiku` or `continuation 1`. */
  detail: string;
}

/**
 * The facts of one request. Every field is optional because a request can end anywhere.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { RequestTrace } from "./trace.ts";
 * const trace = new RequestTrace();
 * trace.retries++;
 * trace.end("completed");
 * ok((await trace.ended) === "completed" && trace.durationMs! >= 0);
 * ```
 */
export class RequestTrace {
  /** The id the server answers it with (`x-request-id`), given before the route runs. */
  requestId?: string;
  /** The client dialect, e.g. `openai`, `anthropic`. */
  front?: string;
  /** The model the client asked for, as it named it. */
  requestedModel?: string;
  /** The model the relay asked for: the request's, or the fallback model that answered. */
  model?: string;
  /** The model the answer says wrote it, in the upstream's own name (e.g. `claude-sonnet-4-20250514`), when it says. */
  answeredModel?: string;
  /** The fallback model that answered instead of the one asked for, when one did. */
  fallbackModel?: string;
  /** The upstream api-version used (Cody). */
  apiVersion?: number;
  /** Failed attempts before the one that answered (retries and fallbacks). */
  retries = 0;
  /** Continuation rounds after the first. */
  continuations?: number;
  /** Token counts of the whole answer. */
  usage?: RelayUsage;
  /** Milliseconds from the request to asking the upstream for the answer. */
  askedMs?: number;
  /** Milliseconds from the request to the answer's first event (not `meta`). */
  firstEventMs?: number;
  /** Retries, fallbacks and continuation rounds, in order (absent when there were none). */
  milestones?: TraceMilestone[];
  /** Milliseconds from the request to the first byte of the answer. */
  firstByteMs?: number;
  /** Milliseconds from the request to its end. */
  durationMs?: number;
  /** Whether the client's key was one of the relay's gateway keys (so it is not a credential for the upstream). */
  gatewayKey = false;
  /** Whether the answer is streamed (its end comes after the response headers, `x-request-id` among them). */
  streaming = false;
  /** The `code` (or status) of each upstream failure seen, retried or not. */
  readonly upstreamErrors: string[] = [];
  /** The error the answer ended with, or the request was refused with. */
  error?: RelayError;
  /** The request's and the answer's bodies as the body log shows them (only with `logBodies`). */
  bodies?: { request?: string; answer?: string };
  /** `performance.now()` when the request arrived. */
  readonly started: number = performance.now();
  /** Resolves with the outcome once the request ended. */
  readonly ended: Promise<RequestOutcome>;
  #outcome?: RequestOutcome;
  #resolve!: (outcome: RequestOutcome) => void;

  /** Starts the clock. */
  constructor() {
    this.ended = new Promise((resolve) => this.#resolve = resolve);
  }

  /** Takes the facts an answer's event carries: `meta` (fallback model, failures, api-version), `usage`, `finish`, `error`. */
  note(event: RelayEvent): void {
    if (this.firstEventMs === undefined && event.type !== "meta") this.firstEventMs = performance.now() - this.started;
    switch (event.type) {
      case "meta": {
        const { model, apiVersion, failures, round } = event.meta;
        if (model) this.model = this.fallbackModel = model;
        if (apiVersion !== undefined) this.apiVersion = apiVersion;
        if (failures) {
          this.upstreamErrors.push(...failures);
          this.retries += failures.length;
          this.#milestone("retried", `${failures.join(", ")}${model ? ` → ${model}` : ""}`);
        }
        if (round) this.#milestone("round", `continuation ${round}`);
        return;
      }
      case "usage":
        this.usage = event.usage;
        return;
      case "finish":
        this.continuations = event.continuations;
        this.answeredModel = event.model;
        return;
      case "error":
        this.error = event.error;
    }
  }

  /** The outcome, once ended. */
  get outcome(): RequestOutcome | undefined {
    return this.#outcome;
  }

  /** Notes that the upstream is being asked for the answer (once). */
  asked(): void {
    this.askedMs ??= performance.now() - this.started;
  }

  /** Notes the first byte of the answer (once). */
  firstByte(): void {
    this.firstByteMs ??= performance.now() - this.started;
  }

  /** Ends the request (by default with the outcome {@link RequestTrace.error} implies); later calls are ignored. */
  end(outcome: RequestOutcome = outcomeOf(this.error)): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    this.durationMs = performance.now() - this.started;
    this.#resolve(outcome);
  }

  #milestone(kind: TraceMilestone["kind"], detail: string): void {
    (this.milestones ??= []).push({ atMs: performance.now() - this.started, kind, detail });
  }
}

function outcomeOf(error: RelayError | undefined): RequestOutcome {
  if (!error) return "completed";
  return error.code === TIMEOUT ? "timeout" : error.code === SHUTTING_DOWN ? "shutdown" : "error";
}

const traces = new WeakMap<Request, RequestTrace>();

/**
 * The trace of an HTTP request: the server's middleware and the front handling the
 * request get the same object without passing it along.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { traceOf } from "./trace.ts";
 * const request = new Request("http://relay/v1/chat/completions");
 * equal(traceOf(request), traceOf(request));
 * ```
 */
export function traceOf(request: Request): RequestTrace {
  let trace = traces.get(request);
  if (!trace) traces.set(request, trace = new RequestTrace());
  return trace;
}

/**
 * Notes on `request`'s trace the error it is answered with (for its log line and the
 * console), as a `RelayError`, and returns it: what each route's error handler does.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { failedWith, traceOf } from "./trace.ts";
 * const request = new Request("http://relay/v1/messages");
 * const error = failedWith(request, new Error("boom"));
 * equal(error.status, 500);
 * equal(traceOf(request).error, error);
 * ```
 */
export function failedWith(request: Request, error: unknown): RelayError {
  return traceOf(request).error = toRelayError(error);
}
