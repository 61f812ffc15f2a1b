/**
 * What the server needs from an upstream: answer a hub request as hub events, list models.
 *
 * @module
 */
import type { RelayEvent } from "./events.ts";
import type { RelayRequest } from "./request.ts";
import type { RequestTrace } from "./trace.ts";

/** Per-request facts an upstream may need. */
export interface UpstreamContext {
  /** The key the client sent (Authorization, x-api-key or api-key), if any. */
  apiKey?: string;
  /** Aborts when the client goes away or the answer is abandoned (a time limit, shutdown). */
  signal?: AbortSignal;
  /** Where the upstream notes facts for the request's log line, e.g. its api-version. */
  trace?: RequestTrace;
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
}

/**
 * An upstream the server can relay to.
 *
 * @example
 * ```ts
 * import type { Upstream } from "./upstream.ts";
 * const echo: Upstream = {
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([{ id: "echo", ownedBy: "me" }]),
 * };
 * ```
 */
export interface Upstream {
  /**
   * Starts an answer. Rejects with a `RelayError` for failures before the first
   * event (bad credentials, 429, bad model); later failures arrive as an `error` event.
   */
  chat(request: RelayRequest, context: UpstreamContext): Promise<ReadableStream<RelayEvent>>;
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
