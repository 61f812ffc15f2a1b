/**
 * The upstream adapter interface: a typed, declarative description of an LLM API in the
 * manner of CodeCompanion's adapters (identity and defaults, `${var}` env resolution, a
 * parameter schema, handlers, capabilities), which {@link AdapterUpstream} turns into an
 * `Upstream` the relay serves.
 *
 * @module
 */
import type { RelayError } from "../hub/errors.ts";
import type { AnswerMeta, RelayEvent, RelayUsage } from "../hub/events.ts";
import type { RelayMessage, RelayRequest } from "../hub/request.ts";
import type { SseAnswer, SseMessage } from "../hub/sse_decoder.ts";
import type { RelayModel } from "../hub/upstream.ts";
import type { EnvSource } from "./env.ts";
import type { SchemaEntry } from "./schema.ts";

/** What an upstream can do; requests that need more are a 400 that says so, never silently cut down. */
export interface AdapterCapabilities {
  /** Answers arrive as a stream of events (otherwise streaming clients get the whole answer at once). */
  streaming: boolean;
  /** Function calling. */
  tools: boolean;
  /** Images in messages. */
  vision: boolean;
  /** Fill in the middle natively (otherwise such requests are asked as chat). */
  fim: boolean;
  /** Reasoning text may arrive (which model thinks is the upstream's choice, so nothing is refused for it). */
  thinking: boolean;
}

/** What an adapter's own requests (a token exchange, a model list, a readiness probe) may use. */
export interface AdapterScope {
  /** The upstream's fetch (its transport and TLS settings), logged at debug; a network failure is a 502 naming the upstream. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The key the client sent, if any (pass it on only if the adapter means to). */
  readonly apiKey?: string;
  /** Aborts when the client goes away or the answer is abandoned. */
  readonly signal?: AbortSignal;
}

/**
 * One request as the handlers see it. `State` is the handlers' own scratch space for this
 * request (e.g. the route `setup` chose, citations collected on the way).
 */
export interface AdapterContext<State extends object = Record<string, unknown>> extends AdapterScope {
  /** The hub request. */
  readonly request: RelayRequest;
  /** The schema's values for this request. */
  readonly params: Readonly<Record<string, unknown>>;
  /**
   * The `${var}` values: built in, `query` (the last user message's text) and `model` (the
   * schema's or the request's); then the resolved `env`. `setup` and `onExit` may add or
   * change values (e.g. a negotiated version) before the request is built.
   */
  readonly env: Record<string, string>;
  /** Scratch space for the handlers of this one request, from the adapter's `initialState` (or empty). */
  readonly state: State;
}

/** The upstream's answer to a request that failed before streaming. */
export interface AdapterExit {
  /** The URL that answered. */
  url: string;
  /** The HTTP status. */
  status: number;
  /** The response body as text. */
  body: string;
  /** The response headers. */
  headers: Headers;
}

/** The functions that link a request and its answer to the upstream's wire format. */
export interface AdapterHandlers<State extends object = Record<string, unknown>> {
  /** Runs before the env is resolved and anything is sent; throw a `RelayError` to refuse the request. */
  setup?(context: AdapterContext<State>): void | Promise<void>;
  /** The body fields from the schema's values (placed by their `mapping`), to adjust. @default as placed */
  buildParameters?(body: Record<string, unknown>, context: AdapterContext<State>): Record<string, unknown>;
  /** The body fields that carry the conversation, e.g. `{ messages: [...] }`. @default none (GET-style APIs) */
  buildMessages?(messages: readonly RelayMessage[], context: AdapterContext<State>): Record<string, unknown>;
  /** The request headers (`headers`, filled), to adjust, e.g. credentials that depend on the client's key. */
  buildHeaders?(headers: Record<string, string>, context: AdapterContext<State>): Record<string, string>;
  /** The hub events of one streamed event; end the answer with `finish` or `error`. */
  parseEvent?(message: SseMessage, context: AdapterContext<State>): RelayEvent[];
  /** The stream ended without `finish` or `error` from `parseEvent`: the last events. @default an error */
  parseEnd?(context: AdapterContext<State>): RelayEvent[];
  /**
   * The state machine of one streamed answer, for protocols whose events build on earlier
   * ones (cumulative text, tool-call indices); used instead of `parseEvent`/`parseEnd`. It
   * must end the answer with `finish` or `error`, also when the stream just stops.
   */
  streamAnswer?(context: AdapterContext<State>, emit: (event: RelayEvent) => void): SseAnswer;
  /** The hub events of a whole (non-streamed) body. */
  parseBody?(body: unknown, context: AdapterContext<State>): RelayEvent[];
  /**
   * The error for a non-2xx answer, or `"retry"` to send the request once more after
   * changing the context (e.g. a lower version in `env`). @default its status and the body's message
   */
  onExit?(exit: AdapterExit, context: AdapterContext<State>): RelayError | "retry" | undefined;
  /** Runs last, after the answer ended, failed or was cancelled. */
  teardown?(context: AdapterContext<State>): void;
  /** Token counts, when the upstream gives them in a way `parseEvent` cannot emit. */
  usage?(context: AdapterContext<State>): RelayUsage | undefined;
  /** Facts about the request for the log line (e.g. a negotiated api-version), sent before the answer's events. */
  meta?(context: AdapterContext<State>): AnswerMeta | undefined;
}

/**
 * An upstream API described as data plus handlers.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import type { UpstreamAdapter } from "./adapter.ts";
 * const echo: UpstreamAdapter = {
 *   name: "echo",
 *   url: "http://127.0.0.1:9000/echo?q=${query}",
 *   method: "GET",
 *   capabilities: { streaming: true, tools: false, vision: false, fim: false, thinking: false },
 *   handlers: {
 *     parseEvent: (message) => [{ type: "text", text: message.data }],
 *     parseEnd: () => [{ type: "finish", reason: "stop" }],
 *   },
 * };
 * equal(echo.handlers.parseEvent?.({ data: "hi" }, {} as never)[0].type, "text");
 * ```
 */
export interface UpstreamAdapter<State extends object = Record<string, unknown>> {
  /** The adapter's name, used as `owned_by` and in messages. */
  name: string;
  /** How messages name the upstream, e.g. `Sourcegraph` in "cannot reach Sourcegraph at …". @default name */
  formattedName?: string;
  /** The endpoint, with `${var}` placeholders (values are URL-encoded). */
  url: string;
  /** The HTTP method; `GET` sends no body. @default "POST" */
  method?: "GET" | "POST";
  /** Request headers; values may use `${var}`. */
  headers?: Record<string, string>;
  /** Fixed body fields. */
  parameters?: Record<string, unknown>;
  /** Where each `${var}` comes from. */
  env?: Record<string, EnvSource>;
  /** The `env` entries resolved once and reused (e.g. a token from a slow command). @default none */
  cachedEnv?: readonly string[];
  /** User-settable parameters. */
  schema?: Record<string, SchemaEntry>;
  /** What the upstream can do. */
  capabilities: AdapterCapabilities;
  /**
   * The models to list, or a function that fetches them (cache inside it: routers ask on
   * every request). @default the schema's `model` choices, or one model named after the adapter
   */
  models?: RelayModel[] | ((scope: AdapterScope) => Promise<RelayModel[]>);
  /** Resolves when the upstream can be reached, rejects with why not (for `GET /health/ready`). */
  ready?(scope: AdapterScope): Promise<void>;
  /** The handlers' scratch space for a new request. @default an empty object */
  initialState?(): State;
  /** The wire format. */
  handlers: AdapterHandlers<State>;
}
