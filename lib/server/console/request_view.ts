/**
 * A logged request as the console's JSON shows it: a row of the live table, and the
 * detail with its timeline. Every text a client or upstream chose (path, user agent, model
 * names, error messages, bodies) passes through the redactor first, so no token, key or
 * cookie reaches the page. Built only when a console asks.
 *
 * @module
 */
import type { LoggedRequest } from "./request_log.ts";

/** One request in the live table. */
export interface RequestRow {
  /** The `x-request-id`. */
  id: string;
  /** When it arrived, in milliseconds since the epoch. */
  at: number;
  /** The HTTP method. */
  method: string;
  /** The path, without the query. */
  path: string;
  /** The client dialect, e.g. `anthropic`. */
  dialect: string;
  /** The client's user agent. */
  client: string | null;
  /** The model the client asked for, as it named it. */
  requestedModel: string | null;
  /** The model that answered (the upstream's own name when it said, else the one the relay asked for). */
  answeredModel: string | null;
  /** The HTTP status. */
  status: number;
  /** How it ended; `null` while a streamed answer is under way. */
  outcome: string | null;
  /** Milliseconds to the first byte of the answer. */
  firstByteMs: number | null;
  /** Milliseconds to the end. */
  durationMs: number | null;
  /** Tokens read and written, and whether they were estimated. */
  tokens: { in: number; out: number; estimated: boolean } | null;
  /** Continuation rounds after the first. */
  continuations: number;
  /** Failed attempts before the one that answered. */
  retries: number;
  /** The fallback model that answered, when one did. */
  fallback: string | null;
  /** The error it ended with (or was refused with). */
  error: { code: string | null; message: string } | null;
}

/** One step of a request's timeline. */
export interface TimelineStep {
  /** Milliseconds from the request's arrival. */
  atMs: number;
  /** What happened: `received`, `upstream request`, `retried`, `continuation`, `first event`, `first byte`, or the outcome. */
  label: string;
  /** More about it, e.g. the failures retried or the round. */
  detail?: string;
}

/** A request with its timeline, and the bodies when `--log-bodies` is on. */
export interface RequestDetail extends RequestRow {
  /** The steps in order of time. */
  timeline: TimelineStep[];
  /** The request and answer bodies, redacted, as the body log shows them. */
  bodies: { request: string | null; answer: string | null } | null;
}

/** Characters of a user agent shown. */
const MAX_CLIENT = 200;

/**
 * The live table's row of `request`, its texts passed through `redact`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { requestRow } from "./request_view.ts";
 * import { RequestTrace } from "../trace.ts";
 * import { RelayError } from "../../hub/errors.ts";
 * const trace = new RequestTrace();
 * trace.front = "openai";
 * trace.requestedModel = "gpt-x";
 * trace.error = new RelayError(404, "The model 'gpt-x' does not exist here", { code: "model_not_found" });
 * trace.end("error");
 * const row = requestRow({ id: "req_1", receivedAt: 0, method: "POST", path: "/v1/chat/completions", status: 404, trace }, (text) => text);
 * equal(row.error?.code, "model_not_found");
 * equal(row.requestedModel, "gpt-x");
 * ```
 */
export function requestRow(request: LoggedRequest, redact: (text: string) => string): RequestRow {
  const { trace } = request;
  const text = (value: string | undefined) => value === undefined ? null : redact(value);
  return {
    id: request.id,
    at: request.receivedAt,
    method: request.method,
    path: redact(request.path),
    dialect: trace.front ?? "",
    client: text(request.client?.slice(0, MAX_CLIENT)),
    requestedModel: text(trace.requestedModel),
    answeredModel: text(trace.answeredModel ?? trace.model),
    status: request.status,
    outcome: trace.outcome ?? null,
    firstByteMs: rounded(trace.firstByteMs),
    durationMs: rounded(trace.durationMs),
    tokens: trace.usage
      ? { in: trace.usage.promptTokens, out: trace.usage.completionTokens, estimated: !!trace.usage.estimated }
      : null,
    continuations: trace.continuations ?? 0,
    retries: trace.retries,
    fallback: text(trace.fallbackModel),
    error: trace.error ? { code: trace.error.code ?? null, message: redact(trace.error.message) } : null,
  };
}

/**
 * The detail of `request`: its row, the timeline (arrival, upstream request, retries and
 * fallbacks, continuation rounds, first event, first byte, end) and the bodies if kept.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { requestDetail } from "./request_view.ts";
 * import { RequestTrace } from "../trace.ts";
 * const trace = new RequestTrace();
 * trace.asked();
 * trace.note({ type: "text", text: "Hi" });
 * trace.firstByte();
 * trace.end("completed");
 * const detail = requestDetail({ id: "req_1", receivedAt: 0, method: "POST", path: "/api/chat", status: 200, trace }, (text) => text);
 * deepEqual(detail.timeline.map((step) => step.label), ["received", "upstream request", "first event", "first byte", "completed"]);
 * ```
 */
export function requestDetail(request: LoggedRequest, redact: (text: string) => string): RequestDetail {
  const { trace } = request;
  const steps: TimelineStep[] = [{ atMs: 0, label: "received" }];
  const step = (atMs: number | undefined, label: string, detail?: string) => {
    if (atMs !== undefined) steps.push({ atMs: Math.round(atMs * 10) / 10, label, ...(detail ? { detail } : {}) });
  };
  step(trace.askedMs, "upstream request", trace.model && redact(trace.model));
  for (const milestone of trace.milestones ?? []) {
    step(milestone.atMs, milestone.kind === "round" ? "continuation" : "retried", redact(milestone.detail));
  }
  step(trace.firstEventMs, "first event");
  step(trace.firstByteMs, "first byte");
  step(trace.durationMs, trace.outcome ?? "ended", trace.error && redact(trace.error.message));
  const bodies = trace.bodies;
  return {
    ...requestRow(request, redact),
    timeline: steps.sort((a, b) => a.atMs - b.atMs),
    bodies: bodies
      ? {
        request: bodies.request === undefined ? null : redact(bodies.request),
        answer: bodies.answer === undefined ? null : redact(bodies.answer),
      }
      : null,
  };
}

function rounded(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms);
}
