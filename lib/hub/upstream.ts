/**
 * What the relay needs from an upstream: answer a hub request with hub events, list models.
 *
 * An answer is pushed, not pulled: the upstream hands its events to a sink, one batch per
 * network read, and every stage between the upstream and the client (retries,
 * continuation, stop sequences, the client's encoder) is a synchronous function on that
 * batch. A read costs one call through the stages and one write to the client, however
 * many events it brought; nothing in between awaits.
 *
 * @module
 */
import type { RelayEvent } from "./events.ts";
import type { RelayRequest } from "./request.ts";

/** Per-request facts an upstream may need. */
export interface UpstreamContext {
  /** The key the client sent (Authorization, x-api-key or api-key), if any. */
  apiKey?: string;
  /** Aborts when the client goes away or the answer is abandoned (a time limit, shutdown). */
  signal?: AbortSignal;
}

/**
 * Takes an answer's events as they arrive: one batch (never empty) per upstream read. The
 * last batch ends with `finish` or `error`, and nothing comes after it.
 */
export type AnswerSink = (events: readonly RelayEvent[]) => void;

/** A running answer: flow control and cancellation. */
export interface AnswerCall {
  /** Stop reading from the upstream until {@link AnswerCall.resume} (the client reads slower than it writes). */
  pause(): void;
  /** Read again. */
  resume(): void;
  /** End the answer now: the upstream request is aborted, and the sink gets nothing more. */
  cancel(reason?: unknown): void;
}

/** A model as the relay lists it. */
export interface RelayModel {
  /** The reference clients send back as `model`. */
  id: string;
  /** Who serves it, e.g. `anthropic`. */
  ownedBy: string;
  /** A human name, e.g. `Claude Sonnet 4`. */
  displayName?: string;
  /** Capabilities as the upstream names them, e.g. `chat`, `tools`, `vision`, `reasoning`. */
  capabilities?: string[];
  /** Token limits the upstream advertises. */
  contextWindow?: { maxInputTokens?: number; maxOutputTokens?: number };
  /** The provider's own name for the model, e.g. `claude-sonnet-4-20250514` (clients often send it). */
  modelName?: string;
  /** How the upstream labels the model: `stable`, `beta`, `experimental`, `deprecated`, … */
  status?: string;
  /** For an alias (e.g. `cody-sonnet`): the listed id it resolves to now. */
  aliasOf?: string;
}

/**
 * An upstream the relay can answer from. {@link streamUpstream} builds one from a function
 * that returns a stream of events, the simplest way to write one.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import type { RelayEvent } from "./events.ts";
 * import type { Upstream } from "./upstream.ts";
 * const hello: Upstream = {
 *   open(_request, _context, sink) {
 *     queueMicrotask(() => sink([{ type: "text", text: "Hello" }, { type: "finish", reason: "stop" }]));
 *     return Promise.resolve({ pause() {}, resume() {}, cancel() {} });
 *   },
 *   models: () => Promise.resolve([{ id: "hello", ownedBy: "me" }]),
 * };
 * const events: RelayEvent[] = [];
 * await hello.open({ messages: [] }, {}, (batch) => events.push(...batch));
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * equal(events.at(-1)?.type, "finish");
 * ```
 */
export interface Upstream {
  /**
   * Starts an answer. Resolves once the upstream took the request, and only then does
   * `sink` get batches; rejects with a `RelayError` for failures before that (bad
   * credentials, 429, an unknown model), and then `sink` gets nothing. Later failures
   * arrive as an `error` event.
   */
  open(request: RelayRequest, context: UpstreamContext, sink: AnswerSink): Promise<AnswerCall>;
  /** The models the caller may use, the default chat model first. */
  models(context: UpstreamContext): Promise<RelayModel[]>;
  /** Resolves when the upstream can be reached, rejects with why not (for `GET /health/ready`). */
  ready?(): Promise<void>;
  /**
   * Adjusts a request before the relay plans its answer (e.g. a model's default budget, or
   * continuation turned off for it); rejects with a `RelayError` to refuse it.
   */
  prepare?(request: RelayRequest): Promise<RelayRequest>;
}

/**
 * An upstream that answers with `open` and is `upstream` in everything else (its models,
 * readiness, request preparation): how a wrapper (retries, continuation, time limits)
 * changes only the answers.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { wrapUpstream, type Upstream } from "./upstream.ts";
 * const inner: Upstream = { open: () => Promise.reject(new Error("no")), models: () => Promise.resolve([{ id: "m", ownedBy: "me" }]) };
 * const wrapped = wrapUpstream(inner, (request, context, sink) => inner.open(request, context, sink));
 * deepEqual(await wrapped.models({}), [{ id: "m", ownedBy: "me" }]);
 * ```
 */
export function wrapUpstream(upstream: Upstream, open: Upstream["open"]): Upstream {
  return {
    open,
    models: (context) => upstream.models(context),
    ...(upstream.ready ? { ready: () => upstream.ready!() } : {}),
    ...(upstream.prepare ? { prepare: (request: RelayRequest) => upstream.prepare!(request) } : {}),
  };
}
