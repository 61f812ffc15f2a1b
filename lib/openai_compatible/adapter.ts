/**
 * Any OpenAI-style server as an {@link UpstreamAdapter}: `POST /chat/completions` (streamed,
 * with tools and usage; a JSON answer is read too) and `GET /models`.
 *
 * @module
 */
import type { AdapterScope, UpstreamAdapter } from "../adapters/adapter.ts";
import { RelayError } from "../hub/errors.ts";
import { TtlCache } from "../hub/ttl_cache.ts";
import type { RelayModel } from "../hub/upstream.ts";
import { eventsFromCompletion, OpenAIAnswer } from "./chunk_decoder.ts";
import { errorFromOpenAIExit, errorFromOpenAIResponse } from "./errors.ts";
import { openAIChatBody, type OpenAIChatBodyOptions } from "./request_body.ts";

/** How long a server's model list is reused. */
const MODEL_LIST_TTL_MS = 300_000;

/** Options of {@link openAICompatibleAdapter}. */
export interface OpenAICompatibleAdapterOptions extends OpenAIChatBodyOptions {
  /** The API base, e.g. `http://127.0.0.1:8080/v1` (llama.cpp), `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string | URL;
  /** The server's API key, sent as `Authorization: Bearer`; without one, the client's key is passed on. */
  apiKey?: string;
  /** Extra headers for every request (e.g. `OpenAI-Organization`). */
  headers?: Record<string, string>;
  /** The credential headers for a key (the server's, else the client's). @default `Authorization: Bearer KEY` */
  authorize?: (key: string | undefined) => Record<string, string>;
  /** The adapter's name, e.g. `sourcegraph-llm`. @default "openai-compatible" */
  name?: string;
  /** How messages name the server. @default "the upstream" */
  formattedName?: string;
}

/**
 * The OpenAI-compatible adapter: what `OpenAICompatibleUpstream` serves. Its errors keep
 * their status (401, 403, 429 with `retry-after-ms`/`retry-after`, 404 for an unknown model)
 * and message; a stream that ends without a `finish_reason` is an error.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { answerStream } from "../hub/answer_stream.ts";
 * import { openAICompatibleAdapter } from "./adapter.ts";
 * import { AdapterUpstream } from "../adapters/adapter_upstream.ts";
 * import { createSimulator } from "../simulator/simulator.ts";
 * const adapter = openAICompatibleAdapter({ baseUrl: "http://simulator.invalid/v1", apiKey: "sk-demo" });
 * const upstream = new AdapterUpstream(adapter, { fetch: createSimulator().fetch });
 * const request = { messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "Hi" }] }] };
 * const events = await Array.fromAsync(await answerStream(upstream, request, {}));
 * ok(events.at(-1)?.type === "finish");
 * ```
 */
export function openAICompatibleAdapter(options: OpenAICompatibleAdapterOptions): UpstreamAdapter {
  const base = openAIBase(options.baseUrl);
  const label = options.formattedName ?? "the upstream";
  const modelLists = new TtlCache<string, RelayModel[]>(MODEL_LIST_TTL_MS);
  const authorize = (apiKey: string | undefined): Record<string, string> => {
    const key = options.apiKey ?? apiKey;
    return options.authorize ? options.authorize(key) : key ? { authorization: `Bearer ${key}` } : {};
  };
  const getModels = (scope: AdapterScope): Promise<Response> => {
    const headers = { accept: "application/json", ...options.headers, ...authorize(scope.apiKey) };
    return scope.fetch(new Request(new URL("models", base), { headers, signal: scope.signal }));
  };

  return {
    name: options.name ?? "openai-compatible",
    formattedName: label,
    url: new URL("chat/completions", base).href,
    headers: options.headers,
    capabilities: { streaming: true, tools: true, vision: true, fim: false, thinking: true },
    /** The server's models, cached per key for five minutes (the router asks for them on every request). */
    models: (scope) =>
      modelLists.get(options.apiKey ?? scope.apiKey ?? "", async () => {
        const response = await getModels(scope);
        if (!response.ok) throw await errorFromOpenAIResponse(response);
        const list = await response.json().catch(() => undefined) as { data?: { id?: unknown; owned_by?: unknown }[] };
        if (!Array.isArray(list?.data)) throw new RelayError(502, `${label} sent a model list this relay cannot read`);
        return list.data.flatMap((model) =>
          typeof model.id === "string"
            ? [{ id: model.id, ownedBy: typeof model.owned_by === "string" ? model.owned_by : base.host }]
            : []
        );
      }),
    /** Reachable when `GET /models` answers below 500. */
    ready: async (scope) => {
      const response = await getModels(scope);
      await response.body?.cancel();
      if (response.status >= 500) throw new RelayError(503, `${label} answered ${response.status} for /models`);
    },
    handlers: {
      buildHeaders: (headers, context) => ({ ...headers, ...authorize(context.apiKey) }),
      buildMessages: (_, context) => ({ ...openAIChatBody(context.request, options) }),
      streamAnswer: (_, emit) => new OpenAIAnswer(emit),
      parseBody: (body) => eventsFromCompletion(body),
      onExit: (exit) => errorFromOpenAIExit(exit),
    },
  };
}

/**
 * An OpenAI-style API base, ending in `/`; anything but http(s) is refused.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { openAIBase } from "./adapter.ts";
 * equal(openAIBase("http://127.0.0.1:8080/v1").href, "http://127.0.0.1:8080/v1/");
 * ```
 */
export function openAIBase(baseUrl: string | URL): URL {
  const base = new URL(baseUrl);
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new TypeError(`an OpenAI-compatible base URL must be http(s), got ${base.protocol}`);
  }
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return base;
}
