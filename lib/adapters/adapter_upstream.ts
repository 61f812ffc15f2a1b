import { getLogger } from "@logtape/logtape";
import { describeStreamFailure, RelayError, unreachable } from "../hub/errors.ts";
import { isTerminal, type RelayEvent } from "../hub/events.ts";
import { infillAsChat } from "../hub/infill.ts";
import type { RelayRequest } from "../hub/request.ts";
import { type SseAnswer, SseDecoder, type SseMessage } from "../hub/sse_decoder.ts";
import type { AnswerCall, AnswerSink, RelayModel, Upstream, UpstreamContext } from "../hub/upstream.ts";
import { http1Fetch } from "../transport/http1_fetch.ts";
import {
  type OutgoingFetch,
  outgoingHeaders,
  type OutgoingRequest,
  sendOutgoing,
} from "../transport/outgoing_request.ts";
import { bodyOf } from "../transport/push_body.ts";
import type { AdapterContext, AdapterExit, UpstreamAdapter } from "./adapter.ts";
import { resolveEnv } from "./env.ts";
import { placeParameters, resolveParameters } from "./schema.ts";
import { fillTemplate, hasPlaceholder } from "./template.ts";

const log = getLogger(["cody-relay", "upstream"]);

/** Options of {@link AdapterUpstream}. */
export interface AdapterUpstreamOptions {
  /** The fetch to use; one with a `send` ({@link OutgoingFetch}) gets the answer's request without a `Request`. @default http1Fetch */
  fetch?: OutgoingFetch;
  /** Environment variables for env sources. @default the process's */
  environment?: Record<string, string | undefined>;
}

/**
 * Serves an {@link UpstreamAdapter}: checks the request against its capabilities, runs
 * `setup`, resolves the schema and the env, fills the URL and headers (`buildHeaders`),
 * builds the body, and turns the answer into hub events with `streamAnswer` or
 * `parseEvent`/`parseEnd` (SSE) or `parseBody` (JSON); `onExit` maps failures or asks for
 * one more try, `teardown` runs last. An SSE answer is decoded as it is read, one batch of
 * events per network read, pushed on without a stream in between. Every built-in upstream
 * is one of these.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { AdapterUpstream } from "./adapter_upstream.ts";
 * import { answerStream } from "../hub/answer_stream.ts";
 * const upstream = new AdapterUpstream({
 *   name: "echo",
 *   url: "http://echo.invalid/?q=${query}",
 *   method: "GET",
 *   capabilities: { streaming: true, tools: false, vision: false, fim: false, thinking: false },
 *   handlers: {
 *     parseEvent: (message) => [{ type: "text", text: message.data }],
 *     parseEnd: () => [{ type: "finish", reason: "stop" }],
 *   },
 * }, {
 *   fetch: (request) => Promise.resolve(new Response(`data: ${new URL(request.url).searchParams.get("q")}\n\n`, {
 *     headers: { "content-type": "text/event-stream" },
 *   })),
 * });
 * const request = { messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "ping" }] }] };
 * const events = await Array.fromAsync(await answerStream(upstream, request, {}));
 * equal(events[0].type === "text" && events[0].text, "ping");
 * ```
 */
export class AdapterUpstream<State extends object = Record<string, unknown>> implements Upstream {
  readonly #adapter: UpstreamAdapter<State>;
  readonly #label: string;
  readonly #fetch: OutgoingFetch;
  readonly #environment?: Record<string, string | undefined>;
  readonly #envCache = new Map<string, Promise<string>>();
  /** The adapter's request headers when none has a `${var}`: each request gets a copy instead of filling them. */
  readonly #fixedHeaders?: Readonly<Record<string, string>>;

  /** Wraps the adapter; nothing is resolved or fetched until the first request. */
  constructor(adapter: UpstreamAdapter<State>, options: AdapterUpstreamOptions = {}) {
    this.#adapter = adapter;
    this.#label = adapter.formattedName ?? adapter.name;
    this.#fetch = options.fetch ?? http1Fetch;
    this.#environment = options.environment;
    const headers = adapter.headers ?? {};
    if (!Object.values(headers).some(hasPlaceholder)) this.#fixedHeaders = headers;
  }

  async open(request: RelayRequest, upstreamContext: UpstreamContext, sink: AnswerSink): Promise<AnswerCall> {
    const { handlers, schema, env } = this.#adapter;
    const asked = this.#checkCapabilities(request);
    const { params, defaults } = resolveParameters(schema ?? {}, asked);
    const model = params.model ?? asked.model;
    const context: AdapterContext<State> = {
      ...upstreamContext,
      fetch: this.#request,
      request: asked,
      params,
      env: builtInEnv(asked, model),
      state: this.#adapter.initialState?.() ?? {} as State,
    };
    // As in CodeCompanion, setup runs before the env is resolved (it may fetch what the env reads).
    await handlers.setup?.(context);
    if (env) {
      Object.assign(
        context.env,
        await resolveEnv(env, { environment: this.#environment, params, defaults }, {
          cache: this.#envCache,
          cached: this.#adapter.cachedEnv,
        }),
      );
    }
    let finished = false;
    const teardown = () => {
      if (finished) return;
      finished = true;
      handlers.teardown?.(context);
    };
    try {
      const response = await this.#sendUntilAccepted(context);
      const meta = handlers.meta?.(context);
      const head: RelayEvent[] = meta ? [{ type: "meta", meta }] : [];
      if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream") && response.body) {
        return this.#stream(response, context, sink, head, teardown);
      }
      const events = await this.#bodyEvents(response, context);
      teardown();
      queueMicrotask(() => sink([...head, ...events]));
      return { pause() {}, resume() {}, cancel() {} };
    } catch (error) {
      teardown();
      throw error;
    }
  }

  /** Decodes an SSE body as it is read: one batch per network read; the body is released once the answer ended. */
  #stream(
    response: Response,
    context: AdapterContext<State>,
    sink: AnswerSink,
    head: RelayEvent[],
    teardown: () => void,
  ): AnswerCall {
    const decoder = new SseDecoder((emit) => this.#answer(context, emit));
    const body = bodyOf(response);
    let ended = false;
    const deliver = (events: RelayEvent[]) => {
      if (ended || !events.length) return;
      if (head.length) [events, head] = [[...head, ...events], []];
      if (isTerminal(events[events.length - 1])) {
        ended = true;
        body.drain(); // the rest is the stream's end: the connection can be kept
        teardown();
      }
      sink(events);
    };
    body.start(
      (bytes) => deliver(decoder.push(bytes)),
      (error) => deliver(error ? [{ type: "error", error: describeStreamFailure(error) }] : decoder.flush()),
    );
    return {
      pause: () => body.pause(),
      resume: () => body.resume(),
      cancel() {
        if (ended) return;
        ended = true;
        body.cancel();
        teardown();
      },
    };
  }

  models(context: UpstreamContext): Promise<RelayModel[]> {
    const { models, schema, name } = this.#adapter;
    if (typeof models === "function") return models({ ...context, fetch: this.#request });
    const choices = schema?.model?.choices?.filter((choice): choice is string => typeof choice === "string");
    return Promise.resolve(
      models ?? (choices?.length ? choices.map((id) => ({ id, ownedBy: name })) : [{ id: name, ownedBy: name }]),
    );
  }

  /** The adapter's readiness probe; an adapter without one is always ready. */
  async ready(): Promise<void> {
    await this.#adapter.ready?.({ fetch: this.#request });
  }

  /** The request the upstream can answer, or a 400 naming what it cannot do. */
  #checkCapabilities(request: RelayRequest): RelayRequest {
    const { capabilities } = this.#adapter;
    const refuse = (param: string, what: string) =>
      new RelayError(400, `The upstream "${this.#label}" cannot ${what}.`, { param, code: "unsupported_feature" });
    if (request.tools?.length && !capabilities.tools) throw refuse("tools", "call tools");
    const images = request.messages.some((message) => message.parts.some((part) => part.type === "image"));
    if (images && !capabilities.vision) throw refuse("messages", "read images");
    return request.infill && !capabilities.fim ? infillAsChat(request) : request;
  }

  /** Sends the request; a failure goes to `onExit`, which may have it sent once more. */
  async #sendUntilAccepted(context: AdapterContext<State>): Promise<Response> {
    let response = await this.#send(context);
    for (let retried = false; !response.ok; retried = true) {
      const exit = {
        url: response.url,
        status: response.status,
        body: await response.text().catch(() => ""),
        headers: response.headers,
      };
      const verdict = this.#adapter.handlers.onExit?.(exit, context);
      if (verdict === "retry" && !retried) response = await this.#send(context);
      else throw verdict instanceof RelayError ? verdict : this.#exitError(exit);
    }
    return response;
  }

  #send(context: AdapterContext<State>): Promise<Response> {
    const { url: template, headers, method = "POST", parameters, schema, handlers } = this.#adapter;
    const url = new URL(fillTemplate(template, context.env, encodeURIComponent));
    const filled = this.#fixedHeaders ? { ...this.#fixedHeaders } : Object.fromEntries(
      Object.entries(headers ?? {}).map(([name, value]) => [name, fillTemplate(value, context.env)]),
    );
    const placed = placeParameters(schema ?? {}, context.params);
    const body = method === "POST"
      ? JSON.stringify({
        ...parameters,
        ...handlers.buildParameters?.(placed, context) ?? placed,
        ...handlers.buildMessages?.(context.request.messages, context),
      })
      : undefined;
    const outgoing: OutgoingRequest = {
      url,
      method,
      headers: outgoingHeaders({
        accept: "text/event-stream, application/json",
        ...(body ? { "content-type": "application/json" } : {}),
        ...handlers.buildHeaders?.(filled, context) ?? filled,
      }),
      ...(body === undefined ? {} : { body }),
      ...(context.signal ? { signal: context.signal } : {}),
    };
    return this.#exchange(outgoing, () => sendOutgoing(this.#fetch, outgoing));
  }

  /** The adapter's own calls (`AdapterScope.fetch`), as {@link AdapterUpstream.#exchange} sends them. */
  readonly #request = (request: Request): Promise<Response> =>
    this.#exchange(
      { url: new URL(request.url), method: request.method, signal: request.signal },
      () => this.#fetch(request),
    );

  /**
   * Sends a request upstream with `send`: logged at debug (the path only: queries may
   * carry the question), and a network failure named as "cannot reach LABEL at ORIGIN".
   */
  async #exchange(
    request: Pick<OutgoingRequest, "url" | "method" | "signal">,
    send: () => Promise<Response>,
  ): Promise<Response> {
    const started = performance.now();
    try {
      const response = await send();
      log.debug("{upstream} {method} {path} → {status} in {ms} ms", () => ({
        upstream: this.#adapter.name,
        method: request.method,
        path: request.url.pathname,
        status: response.status,
        ms: Math.round(performance.now() - started),
      }));
      return response;
    } catch (error) {
      throw unreachable(this.#label, request.url.origin, error, request.signal);
    }
  }

  /** The answer's state machine: the adapter's own, or one over `parseEvent`/`parseEnd`; `usage` goes before `finish`. */
  #answer(context: AdapterContext<State>, emit: (event: RelayEvent) => void): SseAnswer {
    const { handlers } = this.#adapter;
    const usage = handlers.usage;
    const pass = usage
      ? (event: RelayEvent) => {
        const counted = event.type === "finish" ? usage(context) : undefined;
        if (counted) emit({ type: "usage", usage: counted });
        emit(event);
      }
      : emit;
    return handlers.streamAnswer?.(context, pass) ?? new AdapterAnswer(this.#adapter, this.#label, context, pass);
  }

  /** A whole (non-streamed) answer through `parseBody`; an HTML page, or a body the adapter cannot read, is a 502. */
  async #bodyEvents(response: Response, context: AdapterContext<State>): Promise<RelayEvent[]> {
    const type = response.headers.get("content-type") ?? "";
    const { parseBody } = this.#adapter.handlers;
    if (!parseBody || type.startsWith("text/html")) {
      await response.body?.cancel();
      const what = type.startsWith("text/html")
        ? `an HTML page (likely from a proxy or firewall in front of ${this.#label})`
        : type || "no content type";
      throw new RelayError(502, `${this.#label} answered ${response.status} with ${what} instead of an event stream`, {
        retryable: false,
      });
    }
    try {
      return parseBody(JSON.parse(await response.text()), context);
    } catch (error) {
      if (error instanceof RelayError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new RelayError(502, `${this.#label} sent a body this relay cannot read: ${reason}`, { retryable: false });
    }
  }

  #exitError(exit: AdapterExit): RelayError {
    const status = [400, 401, 403, 404, 413, 429].includes(exit.status) ? exit.status : 502;
    const detail = exit.body.trim().slice(0, 500) || `HTTP ${exit.status}`;
    return new RelayError(status, `${this.#label} answered ${exit.status}: ${detail}`, {
      retryable: status === 429 || exit.status >= 500,
    });
  }
}

/** One streamed answer: the adapter's `parseEvent` per message, `parseEnd` when the stream ends. */
class AdapterAnswer<State extends object> implements SseAnswer {
  ended = false;
  constructor(
    readonly adapter: UpstreamAdapter<State>,
    readonly label: string,
    readonly context: AdapterContext<State>,
    readonly emit: (event: RelayEvent) => void,
  ) {}

  accept(message: SseMessage): void {
    if (this.ended) return;
    let events: RelayEvent[];
    try {
      events = this.adapter.handlers.parseEvent?.(message, this.context) ?? [];
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      events = [{ type: "error", error: new RelayError(502, `${this.label} sent an event it cannot read: ${reason}`) }];
    }
    this.#pass(events);
  }

  /** The stream ended: `parseEnd`'s events, and an error if they did not end the answer. */
  end(): void {
    if (this.ended) return;
    this.#pass(this.adapter.handlers.parseEnd?.(this.context) ?? []);
    const error = new RelayError(502, `${this.label} closed the stream before the answer finished`);
    if (!this.ended) this.#pass([{ type: "error", error }]);
  }

  #pass(events: RelayEvent[]): void {
    for (const event of events) {
      if (this.ended) return;
      this.emit(event);
      if (event.type === "finish" || event.type === "error") this.ended = true;
    }
  }
}

/**
 * The built-in `${var}` values of a request: `model`, and `query`, the text of the last
 * user message, worked out when first read (an agent's last message can be a long tool
 * result, and most adapters never read it). Both can be set like any other value.
 */
function builtInEnv(request: RelayRequest, model: unknown): Record<string, string> {
  let query: string | undefined;
  const env: Record<string, string> = {};
  Object.defineProperty(env, "query", {
    get: () => query ??= lastUserText(request),
    set: (value: string) => query = value,
    enumerable: true,
    configurable: true,
  });
  if (model) env.model = String(model);
  return env;
}

/** The text of the last user message, for `${query}`. */
function lastUserText(request: RelayRequest): string {
  const last = request.messages.findLast((message) => message.role === "user");
  return last?.parts.flatMap((part) => part.type === "text" ? [part.text] : []).join("\n") ?? "";
}
