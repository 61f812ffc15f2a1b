import { RelayError, unreachable } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";
import { infillAsChat } from "../hub/infill.ts";
import { nodeHttpFetch } from "../hub/node_http_fetch.ts";
import type { RelayRequest } from "../hub/request.ts";
import { decodeSse, type SseAnswer, SseDecoder, type SseMessage } from "../hub/sse_decoder.ts";
import type { RelayModel, Upstream, UpstreamContext } from "../hub/upstream.ts";
import type { AdapterContext, UpstreamAdapter } from "./adapter.ts";
import { resolveEnv } from "./env.ts";
import { placeParameters, resolveParameters } from "./schema.ts";
import { fillTemplate } from "./template.ts";

/** Options of {@link AdapterUpstream}. */
export interface AdapterUpstreamOptions {
  /** The fetch to use. @default nodeHttpFetch */
  fetch?: (request: Request) => Promise<Response>;
  /** Environment variables for env sources. @default the process's */
  environment?: Record<string, string | undefined>;
}

/**
 * Serves an {@link UpstreamAdapter}: checks the request against its capabilities, runs
 * `setup`, resolves the schema and the env, fills the URL and headers, builds the body, and
 * turns the answer into hub events with `parseEvent`/`parseEnd` (SSE) or `parseBody`
 * (JSON); `onExit` maps failures, `teardown` runs last.
 *
 * @example
 * ```ts
 * import { AdapterUpstream } from "./adapter_upstream.ts";
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
 * const events = await Array.fromAsync(await upstream.chat(request, {}));
 * console.assert(events[0].type === "text" && events[0].text === "ping");
 * ```
 */
export class AdapterUpstream implements Upstream {
  readonly #adapter: UpstreamAdapter;
  readonly #fetch: (request: Request) => Promise<Response>;
  readonly #environment?: Record<string, string | undefined>;
  readonly #envCache = new Map<string, Promise<string>>();

  /** Wraps the adapter; nothing is resolved or fetched until the first request. */
  constructor(adapter: UpstreamAdapter, options: AdapterUpstreamOptions = {}) {
    this.#adapter = adapter;
    this.#fetch = options.fetch ?? nodeHttpFetch;
    this.#environment = options.environment;
  }

  async chat(request: RelayRequest, upstreamContext: UpstreamContext): Promise<ReadableStream<RelayEvent>> {
    const adapter = this.#adapter;
    const asked = this.#checkCapabilities(request);
    const { params, defaults } = resolveParameters(adapter.schema ?? {}, asked);
    const env: Record<string, string> = {};
    const context: AdapterContext = { request: asked, apiKey: upstreamContext.apiKey, params, env, state: {} };
    // As in CodeCompanion, setup runs before the env is resolved (it may fetch what the env reads).
    await adapter.handlers.setup?.(context);
    Object.assign(env, {
      query: lastUserText(asked),
      ...(params.model ?? asked.model ? { model: String(params.model ?? asked.model) } : {}),
      ...await resolveEnv(adapter.env ?? {}, { environment: this.#environment, params, defaults }, {
        cache: this.#envCache,
        cached: adapter.cachedEnv,
      }),
    });
    let finished = false;
    const teardown = () => {
      if (finished) return;
      finished = true;
      adapter.handlers.teardown?.(context);
    };
    try {
      const response = await this.#send(context, upstreamContext.signal);
      if (!response.ok) throw await this.#exitError(response, context);
      if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream") && response.body) {
        return decodeSse(response.body, new SseDecoder((emit) => new AdapterAnswer(adapter, context, emit)), teardown);
      }
      if (!adapter.handlers.parseBody) {
        await response.body?.cancel();
        throw new RelayError(502, `${adapter.name} answered ${response.status} without an event stream`, {
          retryable: false,
        });
      }
      const events = adapter.handlers.parseBody(await response.json(), context);
      teardown();
      return ReadableStream.from(events);
    } catch (error) {
      teardown();
      throw error;
    }
  }

  models(): Promise<RelayModel[]> {
    const { models, schema, name } = this.#adapter;
    const choices = schema?.model?.choices?.filter((choice): choice is string => typeof choice === "string");
    return Promise.resolve(
      models ?? (choices?.length ? choices.map((id) => ({ id, ownedBy: name })) : [{ id: name, ownedBy: name }]),
    );
  }

  /** The request the upstream can answer, or a 400 naming what it cannot do. */
  #checkCapabilities(request: RelayRequest): RelayRequest {
    const { capabilities, name } = this.#adapter;
    const refuse = (param: string, what: string) =>
      new RelayError(400, `The upstream "${name}" cannot ${what}.`, { param, code: "unsupported_feature" });
    if (request.tools?.length && !capabilities.tools) throw refuse("tools", "call tools");
    const images = request.messages.some((message) => message.parts.some((part) => part.type === "image"));
    if (images && !capabilities.vision) throw refuse("messages", "read images");
    return request.infill && !capabilities.fim ? infillAsChat(request) : request;
  }

  #send(context: AdapterContext, signal?: AbortSignal): Promise<Response> {
    const adapter = this.#adapter;
    const url = fillTemplate(adapter.url, context.env, encodeURIComponent);
    const headers = Object.fromEntries(
      Object.entries(adapter.headers ?? {}).map(([name, value]) => [name, fillTemplate(value, context.env)]),
    );
    const method = adapter.method ?? "POST";
    const placed = placeParameters(adapter.schema ?? {}, context.params);
    const body = method === "POST"
      ? JSON.stringify({
        ...adapter.parameters,
        ...adapter.handlers.buildParameters?.(placed, context) ?? placed,
        ...adapter.handlers.buildMessages?.(context.request.messages, context),
      })
      : undefined;
    return this.#fetch(
      new Request(url, {
        method,
        headers: {
          accept: "text/event-stream, application/json",
          ...(body ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        body,
        signal,
      }),
    ).catch((error) => {
      throw unreachable(adapter.name, new URL(url).origin, error, signal);
    });
  }

  async #exitError(response: Response, context: AdapterContext): Promise<RelayError> {
    const exit = { status: response.status, body: await response.text().catch(() => ""), headers: response.headers };
    const mapped = this.#adapter.handlers.onExit?.(exit, context);
    if (mapped) return mapped;
    const status = [400, 401, 403, 404, 413, 429].includes(exit.status) ? exit.status : 502;
    const detail = exit.body.trim().slice(0, 500) || `HTTP ${exit.status}`;
    return new RelayError(status, `${this.#adapter.name} answered ${exit.status}: ${detail}`, {
      retryable: status === 429 || exit.status >= 500,
    });
  }
}

/** One streamed answer: the adapter's `parseEvent` per message, `parseEnd` when the stream ends. */
class AdapterAnswer implements SseAnswer {
  ended = false;
  constructor(
    readonly adapter: UpstreamAdapter,
    readonly context: AdapterContext,
    readonly emit: (event: RelayEvent) => void,
  ) {}

  accept(message: SseMessage): void {
    if (this.ended) return;
    let events: RelayEvent[];
    try {
      events = this.adapter.handlers.parseEvent?.(message, this.context) ?? [];
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      events = [{
        type: "error",
        error: new RelayError(502, `${this.adapter.name} sent an event it cannot read: ${reason}`),
      }];
    }
    this.#pass(events);
  }

  /** The stream ended: `parseEnd`'s events, and an error if they did not end the answer. */
  end(): void {
    if (this.ended) return;
    this.#pass(this.adapter.handlers.parseEnd?.(this.context) ?? []);
    const error = new RelayError(502, `${this.adapter.name} closed the stream before the answer finished`);
    if (!this.ended) this.#pass([{ type: "error", error }]);
  }

  #pass(events: RelayEvent[]): void {
    for (const event of events) {
      if (this.ended) return;
      if (event.type === "finish") {
        const usage = this.adapter.handlers.usage?.(this.context);
        if (usage) this.emit({ type: "usage", usage });
      }
      this.emit(event);
      if (event.type === "finish" || event.type === "error") this.ended = true;
    }
  }
}

/** The text of the last user message, for `${query}`. */
function lastUserText(request: RelayRequest): string {
  const last = request.messages.findLast((message) => message.role === "user");
  return last?.parts.flatMap((part) => part.type === "text" ? [part.text] : []).join("\n") ?? "";
}
