/**
 * The Sourcegraph Cody upstream as an {@link UpstreamAdapter}: `POST
 * /.api/completions/stream` (and `/.api/completions/code` for fill-in-the-middle requests
 * on a code-completion model), api-version negotiation with one step down on
 * `406 Unsupported API Version`, Sourcegraph credentials, error mapping, and models from
 * the instance's catalog.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { AdapterContext, AdapterScope, UpstreamAdapter } from "../adapters/adapter.ts";
import { RelayError } from "../hub/errors.ts";
import { infillAsChat, infillInstruction } from "../hub/infill.ts";
import { resolveModelName } from "../hub/model_names.ts";
import type { RelayRequest } from "../hub/request.ts";
import { TtlCache } from "../hub/ttl_cache.ts";
import type { RelayModel } from "../hub/upstream.ts";
import { VERSION } from "../version.ts";
import { apiVersionFromClientConfig, lowerApiVersion, UNREPORTED_API_VERSION } from "./api_version.ts";
import { credentialHeaders, resolveCredential } from "./credentials.ts";
import { CodyAnswer } from "./event_decoder.ts";
import { infillPrompt } from "./infill_prompt.ts";
import { LlmModelList, modelsFromCatalog, modelsFromLlmList, SupportedModels } from "./models.ts";
import { buildCodyRequest } from "./request_builder.ts";
import { errorFromExit, errorFromResponse } from "./upstream_error.ts";
import type { CodyRequestBody } from "./wire.ts";

const log = getLogger(["cody-relay", "cody"]);

/** `maxTokensToSample` of a code completion when the client set no limit (Cody's autocomplete uses 256). */
const DEFAULT_CODE_MAX_TOKENS = 256;

/** The `client-name` sent to Sourcegraph where none is given. */
export const DEFAULT_CLIENT_NAME = "cody-relay";

/** Options of {@link codyAdapter}. */
export interface CodyAdapterOptions {
  /** The Sourcegraph instance, e.g. `https://sourcegraph.example.com` (http for local ones). */
  endpoint: string | URL;
  /** A server-side access token; when set, clients need no key and theirs is ignored. */
  accessToken?: string;
  /** Sent as `client-name` and in `X-Requested-With`. @default DEFAULT_CLIENT_NAME */
  clientName?: string;
  /** Sent as `client-version`. @default the relay's version */
  clientVersion?: string;
  /** `maxTokensToSample` when the client sets no limit. @default DEFAULT_MAX_TOKENS */
  defaultMaxTokens?: number;
  /** How long client-config and model lists are cached. @default 600000 (10 minutes) */
  cacheTtlMs?: number;
}

/** The instance's models, and its default code-completion model when it names one. */
interface ModelCatalog {
  models: RelayModel[];
  codeModel?: string;
}

/** Which completions endpoint answers, and the body to send at a given api-version. */
export interface CompletionRoute {
  /** `stream` (chat) or `code` (fill in the middle on a code-completion model). */
  endpoint: "stream" | "code";
  /** The request body at `apiVersion`. */
  body(apiVersion: number): CodyRequestBody;
}

/** What the Cody adapter's handlers keep for one request: the route `setup` chose. */
export interface CodyState {
  /** The endpoint and body builder; set by `setup`. */
  route?: CompletionRoute;
}

/**
 * The Cody adapter: what `CodyUpstream` serves. `setup` picks the endpoint (FIM requests
 * naming a code-completion model, or none when the instance has a default one, go to
 * `/.api/completions/code` in the model's FIM tokens) and the api-version (the instance's
 * `client-config`, cached); `onExit` steps the version down once on a 406 and maps every
 * other failure with its status and message.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { codyAdapter } from "./adapter.ts";
 * import { answerStream } from "../hub/answer_stream.ts";
 * import { AdapterUpstream } from "../adapters/adapter_upstream.ts";
 * import { createSimulator } from "../simulator/simulator.ts";
 * const adapter = codyAdapter({ endpoint: "http://simulator.invalid", accessToken: "sgp_local_demo" });
 * const cody = new AdapterUpstream(adapter, { fetch: createSimulator().fetch });
 * const request = { messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "Hi" }] }] };
 * const events = await Array.fromAsync(await answerStream(cody, request, {}));
 * equal(events.at(-1)?.type, "finish");
 * ```
 */
export function codyAdapter(options: CodyAdapterOptions): UpstreamAdapter<CodyState> {
  const base = sourcegraphBase(options.endpoint);
  const clientName = options.clientName ?? DEFAULT_CLIENT_NAME;
  const clientVersion = options.clientVersion ?? VERSION;
  const ttlMs = options.cacheTtlMs ?? 600_000;
  const apiVersions = new TtlCache<string, number>(ttlMs);
  const catalogs = new TtlCache<string, ModelCatalog>(ttlMs);
  const readiness = new TtlCache<string, void>(5_000);
  const clientHeaders: Record<string, string> = {
    "accept-encoding": "gzip;q=0",
    "user-agent": `cody-relay/${VERSION} (${globalThis.navigator?.userAgent ?? "unknown runtime"})`,
    "x-requested-with": `${clientName} ${clientVersion}`,
    "x-sourcegraph-api-client-name": clientName,
    "x-sourcegraph-api-client-version": clientVersion,
  };
  const credentials = (apiKey: string | undefined) => credentialHeaders(resolveCredential(options.accessToken, apiKey));

  const get = (scope: AdapterScope, path: string, headers: Record<string, string>): Promise<Response> =>
    scope.fetch(new Request(new URL(path, base), { headers, signal: scope.signal }));

  const catalog = (scope: AdapterScope): Promise<ModelCatalog> => {
    const headers = { ...credentials(scope.apiKey), ...clientHeaders };
    return catalogs.get(headers.authorization ?? headers.cookie, async () => {
      let response = await get(scope, ".api/modelconfig/supported-models.json", headers);
      if (response.status === 404) {
        await response.body?.cancel();
        response = await get(scope, ".api/llm/models", headers);
        if (!response.ok) throw await errorFromResponse(response);
        return { models: modelsFromLlmList(LlmModelList.parse(await response.json())) };
      }
      if (!response.ok) throw await errorFromResponse(response);
      const parsed = SupportedModels.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw new RelayError(502, "Sourcegraph sent a model catalog this relay cannot read");
      return { models: modelsFromCatalog(parsed.data), codeModel: parsed.data.defaultModels?.codeCompletion };
    });
  };

  const apiVersion = async (context: AdapterContext<CodyState>): Promise<number> => {
    try {
      return await apiVersions.get("latest", async () => {
        const headers = { ...credentials(context.apiKey), ...clientHeaders };
        const response = await get(context, ".api/client-config", headers);
        const version = await apiVersionFromClientConfig(response);
        if (version === undefined) throw new Error(`client-config answered ${response.status}`);
        return version;
      });
    } catch (error) {
      if (context.signal?.aborted) throw error;
      log.warn("cannot read client-config ({reason}); using api-version {fallback}", {
        reason: error instanceof Error ? error.message : String(error),
        fallback: UNREPORTED_API_VERSION,
      });
      return UNREPORTED_API_VERSION;
    }
  };

  const chatRoute = (request: RelayRequest): CompletionRoute => ({
    endpoint: "stream",
    body: (version) => buildCodyRequest(request, { apiVersion: version, defaultMaxTokens: options.defaultMaxTokens }),
  });

  /**
   * Code completion goes to `/.api/completions/code` with a code-completion model (the one
   * asked for, by any name `resolveModelName` knows, e.g. Cody's legacy `fireworks/starcoder`;
   * or the instance's default when the name is none of its models, e.g. coLLaMA's
   * `fireworks/starcoder-7b`), in the model's FIM tokens; a request naming a chat model goes
   * to chat in plain language.
   */
  const infillRoute = async (context: AdapterContext<CodyState>): Promise<CompletionRoute> => {
    const { request } = context;
    const { prefix, suffix } = request.infill!;
    const models = await catalog(context).catch((error) => {
      if (context.signal?.aborted) throw error;
      return undefined;
    });
    const namedId = request.model && models ? resolveModelName(request.model, models.models) : undefined;
    const named = models?.models.find((model) => model.id === namedId);
    const codeModel = named ? (named.capabilities?.includes("autocomplete") ? named.id : undefined) : models?.codeModel;
    if (!codeModel) return chatRoute(infillAsChat({ ...request, model: named?.id }));
    const prompt = infillPrompt(codeModel, prefix, suffix);
    const body: CodyRequestBody = {
      model: codeModel,
      messages: [{ speaker: "human", text: prompt?.text ?? infillInstruction(prefix, suffix) }],
      maxTokensToSample: request.maxTokens ?? DEFAULT_CODE_MAX_TOKENS,
      temperature: request.temperature ?? 0.2,
      topK: request.topK ?? -1,
      topP: request.topP ?? -1,
      stream: true,
    };
    if (prompt?.stops.length) body.stopSequences = prompt.stops;
    return { endpoint: "code", body: () => body };
  };

  const setApiVersion = (context: AdapterContext<CodyState>, version: number) => {
    context.env.apiVersion = String(version);
  };

  const client = `client-name=${encodeURIComponent(clientName)}&client-version=${encodeURIComponent(clientVersion)}`;
  return {
    name: "cody",
    formattedName: "Sourcegraph",
    url: `${base.href}.api/completions/\${endpoint}?api-version=\${apiVersion}&${client}`,
    headers: clientHeaders,
    capabilities: { streaming: true, tools: true, vision: true, fim: true, thinking: true },
    models: async (scope) => (await catalog(scope)).models,
    /** Reachable when `/.api/client-config` answers below 500 (a 401 still means the instance is there); cached for 5 s. */
    ready: (scope) =>
      readiness.get("ready", async () => {
        const headers = options.accessToken ? { ...credentials(undefined), ...clientHeaders } : clientHeaders;
        const response = await get(scope, ".api/client-config", headers);
        await response.body?.cancel();
        if (response.status >= 500) {
          throw new RelayError(503, `Sourcegraph answered ${response.status} for /.api/client-config`);
        }
      }),
    handlers: {
      async setup(context) {
        credentials(context.apiKey); // no usable credential is a 401 before anything is sent
        const route = context.request.infill ? await infillRoute(context) : chatRoute(context.request);
        context.state.route = route;
        context.env.endpoint = route.endpoint;
        setApiVersion(context, await apiVersion(context));
      },
      buildHeaders: (headers, context) => ({ ...credentials(context.apiKey), ...headers }),
      buildMessages: (_, context) => ({ ...context.state.route!.body(Number(context.env.apiVersion)) }),
      meta: (context) => ({ apiVersion: Number(context.env.apiVersion) }),
      streamAnswer: (_, emit) => new CodyAnswer(emit),
      onExit(exit, context) {
        const current = Number(context.env.apiVersion);
        const lower = lowerApiVersion(current);
        if (exit.status !== 406 || !lower || !/unsupported api version/i.test(exit.body)) return errorFromExit(exit);
        log.warn("Sourcegraph refused api-version {current}; retrying with {lower}", { current, lower });
        apiVersions.set("latest", lower);
        setApiVersion(context, lower);
        return "retry";
      },
    },
  };
}

/**
 * The instance's base URL, ending in `/`; anything but http(s) is refused.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { sourcegraphBase } from "./adapter.ts";
 * equal(sourcegraphBase("https://sg.example/sub").href, "https://sg.example/sub/");
 * ```
 */
export function sourcegraphBase(endpoint: string | URL): URL {
  const base = new URL(endpoint);
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new TypeError(`Sourcegraph endpoint must be an http(s) URL, got ${base.protocol}`);
  }
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return base;
}
