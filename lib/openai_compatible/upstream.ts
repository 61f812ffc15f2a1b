import { RelayError, unreachable } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";
import { nodeHttpFetch } from "../hub/node_http_fetch.ts";
import type { RelayRequest } from "../hub/request.ts";
import type { RelayModel, Upstream, UpstreamContext } from "../hub/upstream.ts";
import { decodeOpenAIEvents } from "./chunk_decoder.ts";
import { errorFromOpenAIResponse } from "./errors.ts";
import { openAIChatBody } from "./request_body.ts";
import { TtlCache } from "../hub/ttl_cache.ts";

/** How long a server's model list is reused. */
const MODEL_LIST_TTL_MS = 300_000;

/** Options of {@link OpenAICompatibleUpstream}. */
export interface OpenAICompatibleOptions {
  /** The API base, e.g. `http://127.0.0.1:8080/v1` (llama.cpp), `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string | URL;
  /** The server's API key, sent as `Authorization: Bearer`; without one, the client's key is passed on. */
  apiKey?: string;
  /** Extra headers for every request (e.g. `OpenAI-Organization`). */
  headers?: Record<string, string>;
  /** The credential headers for a key (the server's, else the client's). @default `Authorization: Bearer KEY` */
  authorize?: (key: string | undefined) => Record<string, string>;
  /** `model` when a request names none (servers that serve one model accept any). */
  defaultModel?: string;
  /** `max_tokens` when a request sets none. @default the server's default */
  defaultMaxTokens?: number;
  /** Ask for a usage chunk; turn off for servers that reject `stream_options`. @default true */
  includeUsage?: boolean;
  /** `false` for servers that reject `system` messages (their text then opens the first user message). @default true */
  systemRole?: boolean;
  /** The fetch to use. @default nodeHttpFetch */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * Any OpenAI-style server as an upstream: `POST /chat/completions` (always streamed, with
 * tools and usage) and `GET /models`. Its errors keep their status (401, 403, 429 with
 * `retry-after`, 404 for an unknown model) and message; a stream that ends without a
 * `finish_reason` is an error.
 *
 * @example
 * ```ts
 * import { OpenAICompatibleUpstream } from "./upstream.ts";
 * import { createSimulator } from "../simulator/simulator.ts";
 * const upstream = new OpenAICompatibleUpstream({
 *   baseUrl: "http://simulator.invalid/v1",
 *   apiKey: "sk-demo",
 *   fetch: createSimulator().fetch,
 * });
 * const request = { messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "Hi" }] }] };
 * const events = await Array.fromAsync(await upstream.chat(request, {}));
 * console.assert(events.at(-1)?.type === "finish");
 * ```
 */
export class OpenAICompatibleUpstream implements Upstream {
  readonly #base: URL;
  readonly #options: OpenAICompatibleOptions;
  readonly #fetch: (request: Request) => Promise<Response>;
  readonly #models = new TtlCache<string, RelayModel[]>(MODEL_LIST_TTL_MS);

  /** Checks the base URL; nothing is fetched until the first request. */
  constructor(options: OpenAICompatibleOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== "https:" && base.protocol !== "http:") {
      throw new TypeError(`an OpenAI-compatible base URL must be http(s), got ${base.protocol}`);
    }
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    this.#base = base;
    this.#options = options;
    this.#fetch = options.fetch ?? nodeHttpFetch;
  }

  /** The server's origin, for messages. */
  get origin(): string {
    return this.#base.origin;
  }

  async chat(request: RelayRequest, context: UpstreamContext): Promise<ReadableStream<RelayEvent>> {
    const body = openAIChatBody(request, this.#options);
    const response = await this.#send("chat/completions", context, JSON.stringify(body));
    if (!response.ok) throw await errorFromOpenAIResponse(response);
    const type = response.headers.get("content-type") ?? "";
    if (!response.body || !type.startsWith("text/event-stream")) {
      await response.body?.cancel();
      throw new RelayError(
        502,
        `the upstream answered ${response.status} with ${type || "no content type"} instead of an event stream`,
        {
          retryable: false,
        },
      );
    }
    return decodeOpenAIEvents(response.body);
  }

  /** The server's models, cached per key for five minutes (the router asks for them on every request). */
  models(context: UpstreamContext): Promise<RelayModel[]> {
    return this.#models.get(this.#options.apiKey ?? context.apiKey ?? "", async () => {
      const response = await this.#send("models", context);
      if (!response.ok) throw await errorFromOpenAIResponse(response);
      const list = await response.json().catch(() => undefined) as { data?: { id?: unknown; owned_by?: unknown }[] };
      if (!Array.isArray(list?.data)) {
        throw new RelayError(502, "the upstream sent a model list this relay cannot read");
      }
      return list.data.flatMap((model) =>
        typeof model.id === "string"
          ? [{ id: model.id, ownedBy: typeof model.owned_by === "string" ? model.owned_by : this.#base.host }]
          : []
      );
    });
  }

  /** Reachable when `GET /models` answers below 500. */
  async ready(): Promise<void> {
    const response = await this.#send("models", {});
    await response.body?.cancel();
    if (response.status >= 500) throw new RelayError(503, `the upstream answered ${response.status} for /models`);
  }

  async #send(path: string, context: UpstreamContext, body?: string): Promise<Response> {
    const key = this.#options.apiKey ?? context.apiKey;
    const headers: Record<string, string> = {
      accept: body ? "text/event-stream" : "application/json",
      ...this.#options.headers,
      ...(this.#options.authorize ? this.#options.authorize(key) : key ? { authorization: `Bearer ${key}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    };
    try {
      return await this.#fetch(
        new Request(new URL(path, this.#base), {
          method: body ? "POST" : "GET",
          headers,
          body,
          signal: context.signal,
        }),
      );
    } catch (error) {
      throw unreachable("the upstream", this.#base.origin, error, context.signal);
    }
  }
}
