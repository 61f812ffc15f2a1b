import { getLogger } from "@logtape/logtape";
import { RelayError, unreachable } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";
import type { RelayRequest } from "../hub/request.ts";
import { TtlCache } from "../hub/ttl_cache.ts";
import type { RelayModel, Upstream, UpstreamContext } from "../hub/upstream.ts";
import { VERSION } from "../version.ts";
import { apiVersionFromClientConfig, lowerApiVersion, UNREPORTED_API_VERSION } from "./api_version.ts";
import { credentialHeaders, resolveCredential } from "./credentials.ts";
import { decodeCodyEvents } from "./event_decoder.ts";
import { nodeHttpFetch } from "../hub/node_http_fetch.ts";
import { LlmModelList, modelsFromCatalog, modelsFromLlmList, SupportedModels } from "./models.ts";
import { buildCodyRequest } from "./request_builder.ts";
import { infillPrompt } from "./infill_prompt.ts";
import type { CodyRequestBody } from "./wire.ts";
import { infillAsChat, infillInstruction } from "../hub/infill.ts";
import { errorFromResponse } from "./upstream_error.ts";

const log = getLogger(["cody-relay", "cody"]);

/** `maxTokensToSample` of a code completion when the client set no limit (Cody's autocomplete uses 256). */
const DEFAULT_CODE_MAX_TOKENS = 256;

/** The instance's models, and its default code-completion model when it names one. */
interface ModelCatalog {
  models: RelayModel[];
  codeModel?: string;
}

/** Which completions endpoint answers, and the body to send at a given api-version. */
interface CompletionRoute {
  endpoint: "stream" | "code";
  body(apiVersion: number): CodyRequestBody;
}

/** Options of {@link CodyUpstream}. */
export interface CodyUpstreamOptions {
  /** The Sourcegraph instance, e.g. `https://sourcegraph.example.com` (http for local ones). */
  endpoint: string | URL;
  /** A server-side access token; when set, clients need no key and theirs is ignored. */
  accessToken?: string;
  /** Sent as `client-name` and in `X-Requested-With`. @default "cody-relay" */
  clientName?: string;
  /** Sent as `client-version`. @default the relay's version */
  clientVersion?: string;
  /** `maxTokensToSample` when the client sets no limit. @default 4000 */
  defaultMaxTokens?: number;
  /** How long client-config and model lists are cached. @default 600000 (10 minutes) */
  cacheTtlMs?: number;
  /**
   * The fetch to use: `globalThis.fetch` to go through an HTTP proxy (Deno and Bun honour
   * `HTTPS_PROXY`), or an in-process simulator's. @default nodeHttpFetch
   */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * The Sourcegraph Cody upstream: `POST /.api/completions/stream` (and
 * `/.api/completions/code` for fill-in-the-middle requests on a code-completion model) with
 * api-version negotiation, credentials, and error mapping; models from the instance's catalog.
 *
 * @example
 * ```ts ignore
 * import { CodyUpstream } from "./upstream.ts";
 * const cody = new CodyUpstream({ endpoint: "https://sourcegraph.example.com", accessToken: "sgp_…" });
 * const events = await cody.chat({ messages: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }] }, {});
 * for await (const event of events) console.log(event);
 * ```
 */
export class CodyUpstream implements Upstream {
  readonly #base: URL;
  readonly #accessToken?: string;
  readonly #clientName: string;
  readonly #clientVersion: string;
  readonly #defaultMaxTokens?: number;
  readonly #fetch: (request: Request) => Promise<Response>;
  readonly #apiVersions: TtlCache<string, number>;
  readonly #models: TtlCache<string, ModelCatalog>;
  readonly #readiness = new TtlCache<string, void>(5_000);

  /** Checks the endpoint; nothing is fetched until the first request. */
  constructor(options: CodyUpstreamOptions) {
    const base = new URL(options.endpoint);
    if (base.protocol !== "https:" && base.protocol !== "http:") {
      throw new TypeError(`Sourcegraph endpoint must be an http(s) URL, got ${base.protocol}`);
    }
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    this.#base = base;
    this.#accessToken = options.accessToken;
    this.#clientName = options.clientName ?? "cody-relay";
    this.#clientVersion = options.clientVersion ?? VERSION;
    this.#defaultMaxTokens = options.defaultMaxTokens;
    this.#fetch = options.fetch ?? nodeHttpFetch;
    this.#apiVersions = new TtlCache(options.cacheTtlMs ?? 600_000);
    this.#models = new TtlCache(options.cacheTtlMs ?? 600_000);
  }

  /** The instance's origin, for messages (never carries credentials). */
  get origin(): string {
    return this.#base.origin;
  }

  async chat(request: RelayRequest, context: UpstreamContext): Promise<ReadableStream<RelayEvent>> {
    const headers = this.#headers(context.apiKey);
    const route = request.infill
      ? await this.#infillRoute(request, request.infill, headers, context.signal)
      : this.#chatRoute(request);
    let apiVersion = await this.#apiVersion(headers, context.signal);
    if (context.trace) context.trace.apiVersion = apiVersion;
    let response = await this.#postCompletion(route, apiVersion, headers, context.signal);
    const lower = lowerApiVersion(apiVersion);
    if (response.status === 406 && lower && /unsupported api version/i.test(await response.clone().text())) {
      log.warn("Sourcegraph refused api-version {apiVersion}; retrying with {lower}", { apiVersion, lower });
      await response.body?.cancel();
      apiVersion = lower;
      this.#apiVersions.set("latest", lower);
      if (context.trace) context.trace.apiVersion = lower;
      response = await this.#postCompletion(route, apiVersion, headers, context.signal);
    }
    if (!response.ok) throw await errorFromResponse(response);
    const type = response.headers.get("content-type") ?? "";
    if (!response.body || !type.startsWith("text/event-stream")) {
      await response.body?.cancel();
      const what = type.startsWith("text/html")
        ? "an HTML page (likely from a proxy or firewall in front of Sourcegraph)"
        : type || "no content type";
      throw new RelayError(502, `Sourcegraph answered ${response.status} with ${what} instead of an event stream`, {
        retryable: false,
      });
    }
    return decodeCodyEvents(response.body);
  }

  /** Reachable when `/.api/client-config` answers below 500 (a 401 still means the instance is there); cached for 5 s. */
  ready(): Promise<void> {
    return this.#readiness.get("ready", async () => {
      const response = await this.#send(
        "GET",
        ".api/client-config",
        this.#accessToken ? this.#headers(undefined) : this.#clientHeaders(),
      );
      await response.body?.cancel();
      if (response.status >= 500) {
        throw new RelayError(503, `Sourcegraph answered ${response.status} for /.api/client-config`);
      }
    });
  }

  async models(context: UpstreamContext): Promise<RelayModel[]> {
    return (await this.#catalog(this.#headers(context.apiKey), context.signal)).models;
  }

  #catalog(headers: Record<string, string>, signal?: AbortSignal): Promise<ModelCatalog> {
    const key = headers.authorization ?? headers.cookie;
    return this.#models.get(key, async () => {
      let response = await this.#send("GET", ".api/modelconfig/supported-models.json", headers, signal);
      if (response.status === 404) {
        await response.body?.cancel();
        response = await this.#send("GET", ".api/llm/models", headers, signal);
        if (!response.ok) throw await errorFromResponse(response);
        return { models: modelsFromLlmList(LlmModelList.parse(await response.json())) };
      }
      if (!response.ok) throw await errorFromResponse(response);
      const catalog = SupportedModels.safeParse(await response.json().catch(() => undefined));
      if (!catalog.success) throw new RelayError(502, "Sourcegraph sent a model catalog this relay cannot read");
      return { models: modelsFromCatalog(catalog.data), codeModel: catalog.data.defaultModels?.codeCompletion };
    });
  }

  #chatRoute(request: RelayRequest): CompletionRoute {
    return {
      endpoint: "stream",
      body: (apiVersion) => buildCodyRequest(request, { apiVersion, defaultMaxTokens: this.#defaultMaxTokens }),
    };
  }

  /**
   * Code completion goes to `/.api/completions/code` with a code-completion model (the one
   * asked for, or the instance's default when the name is not one of its models), in the
   * model's FIM tokens; a request naming a chat model goes to chat in plain language.
   */
  async #infillRoute(
    request: RelayRequest,
    infill: { prefix: string; suffix: string },
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<CompletionRoute> {
    const catalog = await this.#catalog(headers, signal).catch((error) => {
      if (signal?.aborted) throw error;
      return undefined;
    });
    const named = request.model
      ? catalog?.models.find((model) => model.id === request.model || model.id.endsWith(`::${request.model}`))
      : undefined;
    const codeModel = named
      ? (named.capabilities?.includes("autocomplete") ? named.id : undefined)
      : catalog?.codeModel;
    if (!codeModel) return this.#chatRoute(infillAsChat({ ...request, model: named?.id }));
    const prompt = infillPrompt(codeModel, infill.prefix, infill.suffix);
    const body: CodyRequestBody = {
      model: codeModel,
      messages: [{ speaker: "human", text: prompt?.text ?? infillInstruction(infill.prefix, infill.suffix) }],
      maxTokensToSample: request.maxTokens ?? DEFAULT_CODE_MAX_TOKENS,
      temperature: request.temperature ?? 0.2,
      topK: request.topK ?? -1,
      topP: request.topP ?? -1,
      stream: true,
    };
    const stops = [...prompt?.stops ?? [], ...request.stop ?? []];
    if (stops.length) body.stopSequences = stops;
    return { endpoint: "code", body: () => body };
  }

  #headers(apiKey: string | undefined): Record<string, string> {
    return { ...credentialHeaders(resolveCredential(this.#accessToken, apiKey)), ...this.#clientHeaders() };
  }

  #clientHeaders(): Record<string, string> {
    return {
      "accept-encoding": "gzip;q=0",
      "user-agent": `cody-relay/${VERSION} (${globalThis.navigator?.userAgent ?? "unknown runtime"})`,
      "x-requested-with": `${this.#clientName} ${this.#clientVersion}`,
      "x-sourcegraph-api-client-name": this.#clientName,
      "x-sourcegraph-api-client-version": this.#clientVersion,
    };
  }

  async #apiVersion(headers: Record<string, string>, signal?: AbortSignal): Promise<number> {
    try {
      return await this.#apiVersions.get("latest", async () => {
        const response = await this.#send("GET", ".api/client-config", headers, signal);
        const version = await apiVersionFromClientConfig(response);
        if (version === undefined) throw new Error(`client-config answered ${response.status}`);
        return version;
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      log.warn("cannot read client-config ({reason}); using api-version {fallback}", {
        reason: error instanceof Error ? error.message : String(error),
        fallback: UNREPORTED_API_VERSION,
      });
      return UNREPORTED_API_VERSION;
    }
  }

  #postCompletion(
    route: CompletionRoute,
    apiVersion: number,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const query = new URLSearchParams({
      "api-version": String(apiVersion),
      "client-name": this.#clientName,
      "client-version": this.#clientVersion,
    });
    const body = JSON.stringify(route.body(apiVersion));
    return this.#send("POST", `.api/completions/${route.endpoint}?${query}`, headers, signal, body);
  }

  async #send(
    method: string,
    path: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
    body?: string,
  ): Promise<Response> {
    const url = new URL(path, this.#base);
    const started = performance.now();
    try {
      const response = await this.#fetch(
        new Request(url, {
          method,
          headers: body ? { ...headers, "content-type": "application/json" } : headers,
          body,
          signal,
        }),
      );
      log.debug("{method} {path} → {status} in {ms} ms", {
        method,
        path: url.pathname,
        status: response.status,
        ms: Math.round(performance.now() - started),
      });
      return response;
    } catch (error) {
      throw unreachable("Sourcegraph", this.#base.origin, error, signal);
    }
  }
}
