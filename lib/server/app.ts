import { Hono } from "hono";
import { cors } from "hono/cors";
import { getLogger } from "@logtape/logtape";
import { quoted, RelayError, toRelayError } from "../hub/errors.ts";
import type { Upstream } from "../hub/upstream.ts";
import { type RelayOptions, relayUpstream } from "../pipeline/relay.ts";
import { hostCheck } from "./allowed_hosts.ts";
import { BodyTap } from "./body_tap.ts";
import { clientKey } from "./client_key.ts";
import { consolePath, type WebConsole } from "./console/web_console.ts";
import { dialectErrorResponse, dialectOf } from "./dialect.ts";
import { GatewayKeys } from "./gateway_keys.ts";
import { RelayMetrics } from "./metrics.ts";
import { normalizePath } from "./normalize_path.ts";
import { redactor } from "./redact.ts";
import type { RespondOptions } from "./respond.ts";
import { anthropicRoutes } from "./routes/anthropic.ts";
import { geminiRoutes } from "./routes/gemini.ts";
import { llamaCppRoutes } from "./routes/llamacpp.ts";
import { ollamaRoutes } from "./routes/ollama.ts";
import { openAIRoutes } from "./routes/openai.ts";
import { responsesRoutes } from "./routes/responses.ts";
import type { ResponseStore } from "./responses_store/store.ts";
import { failedWith, type RequestTrace, traceOf } from "./trace.ts";

const log = getLogger(["cody-relay", "http"]);
const bodyLog = getLogger(["cody-relay", "body"]);

/** Characters of a request body logged with `logBodies`: the start, with a note of the whole size. */
const MAX_LOGGED_BODY = 64 * 1024;

/** Paths answered without a gateway key, and logged only at debug level (not counted): probes and the scrape target. */
const OPEN_PATHS = new Set(["/health", "/v1/health", "/health/ready", "/metrics"]);

/** Options of {@link createApp}: the pipeline's ({@link RelayOptions}) and the HTTP side's ({@link RespondOptions}). */
export interface AppOptions extends RelayOptions, RespondOptions {
  /** Where answers come from, e.g. a `CodyUpstream`. */
  upstream: Upstream;
  /** The upstream model for `claude-*` ids the instance does not know. @default the instance's default chat model */
  anthropicDefaultModel?: string;
  /** Browser origins CORS allows (`*` for any). @default none: CORS off */
  corsOrigins?: string[];
  /** The host names a request's `Host` may carry (`localhost` covers every loopback name; `*` any). @default any */
  allowedHosts?: string[];
  /** The relay's own API keys: when set, clients must present one (Bearer, `x-api-key` or `api-key`). */
  apiKeys?: string[];
  /** Serve `GET /metrics` in Prometheus format (pass one `RelayMetrics` to keep counting across rebuilt apps). @default false */
  metrics?: boolean | RelayMetrics;
  /** Shown on `/health`, e.g. that TLS verification is off. */
  warnings?: string[];
  /** Log each request's body, secrets redacted. @default false */
  logBodies?: boolean;
  /** Where Responses API answers are stored for `previous_response_id`. @default a new MemoryResponseStore */
  responsesStore?: ResponseStore;
  /** Serve the web console at `/ui` (`webConsole()` from `lib/server/console/console_routes.ts`). @default none */
  console?: WebConsole;
}

/** A fetch handler: give it to `Deno.serve`, `Bun.serve`, `serve` or Hono's `app.mount`. */
export interface RelayApp {
  /** Answers one HTTP request. */
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * The relay's HTTP app: every front mounted under `/v1` and at the root; `GET /health`
 * (liveness) and `GET /health/ready` (the upstream answers); `GET /metrics` when enabled;
 * gateway keys when set; the `Host` check when `allowedHosts` is set (a 403); CORS for
 * browser clients when `corsOrigins` is set; an `x-request-id` on every response and one
 * log line per request once it ended (streams included). Paths are normalised (`//`
 * collapsed, trailing `/` dropped) because clients build them from base URLs carelessly.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { createApp } from "./app.ts";
 * import { streamUpstream } from "../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([]),
 * });
 * const response = await createApp({ upstream }).fetch(new Request("http://relay//health/"));
 * equal(response.status, 200);
 * ```
 */
export function createApp(options: AppOptions): RelayApp {
  const app = new Hono({ getPath: normalizePath });
  const metrics = options.metrics instanceof RelayMetrics
    ? options.metrics
    : options.metrics
    ? new RelayMetrics()
    : undefined;
  const gatewayKeys = options.apiKeys?.length ? new GatewayKeys(options.apiKeys) : undefined;
  const allowsHost = options.allowedHosts && hostCheck(options.allowedHosts);
  const requestLog = options.console?.requestLog;
  if (options.corsOrigins?.length) app.use(corsFor(options.corsOrigins));
  app.use(async (c, next) => {
    const requestId = `req_${crypto.randomUUID().replaceAll("-", "")}`;
    const path = normalizePath(c.req.raw);
    const trace = traceOf(c.req.raw);
    trace.requestId = requestId;
    const dialect = trace.front = dialectOf(path, c.req.raw.headers);
    // The console's own requests are not the relay's traffic; its pages and files hold no data, so need no key.
    const place = requestLog && consolePath(path);
    const keyed = gatewayKeys !== undefined && !OPEN_PATHS.has(path) && place !== "page" && place !== "asset";
    if (keyed) trace.gatewayKey = gatewayKeys.accepts(clientKey(c.req.raw.headers, c.req.url));
    // A request without a Host (in process) is not a browser's: only a named host is checked.
    const host = allowsHost && c.req.raw.headers.get("host");
    if (host && !allowsHost(host)) {
      trace.error = new RelayError(
        403,
        `This relay does not answer for the host ${quoted(host)}: add it to allowedHosts (--allowed-host).`,
        { code: "host_not_allowed" },
      );
      c.res = dialectErrorResponse(dialect, trace.error);
    } else if (keyed && !trace.gatewayKey) {
      trace.error = new RelayError(
        401,
        "This relay needs one of its API keys (Authorization: Bearer, x-api-key or api-key).",
        { code: "invalid_api_key" },
      );
      c.res = dialectErrorResponse(dialect, trace.error);
    } else {
      await next();
    }
    // A streamed answer's response was built with it: setting a header on a built response makes Deno drop the
    // native response it prepared and build it again.
    if (!trace.streaming) c.res.headers.set("x-request-id", requestId);
    const status = c.res.status;
    const method = c.req.method;
    if (!trace.streaming) trace.end(c.req.raw.signal.aborted ? "client_abort" : status >= 400 ? "error" : "completed");
    if (OPEN_PATHS.has(path) || place) return log.debug("{method} {path} → {status}", { method, path, status });
    if (trace.streaming) metrics?.streamStarted(trace);
    const logged = requestLog && {
      id: requestId,
      receivedAt: performance.timeOrigin + trace.started,
      method,
      path,
      client: c.req.raw.headers.get("user-agent") ?? undefined,
      status,
      trace,
    };
    if (logged && trace.streaming && requestLog.watched) requestLog.started(logged);
    void trace.ended.then(() => {
      logRequest(trace, { method, path, status, requestId });
      metrics?.record(trace, status);
      if (logged) requestLog.ended(logged);
    });
  });

  const health = { status: "ok", ...(options.warnings?.length ? { warnings: options.warnings } : {}) };
  app.get("/health", (c) => c.json(health));
  app.get("/v1/health", (c) => c.json(health));
  app.get("/health/ready", async (c) => {
    const problem = await (options.upstream.ready?.() ?? Promise.resolve()).then(() => undefined, toRelayError);
    return problem
      ? c.json({ status: "unavailable", error: problem.message }, 503)
      : c.json({ ...health, status: "ready" });
  });
  if (metrics) {
    app.get("/metrics", (c) => c.text(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4" }));
  } else {
    app.get("/metrics", () => {
      throw new RelayError(
        404,
        "Metrics are off: start the relay with --metrics (or server.metrics in the config file)",
        {
          code: "not_found",
        },
      );
    });
  }
  const upstream = relayUpstream(options.upstream, options);
  if (options.console) {
    const consoleApp = options.console.routes({
      upstream,
      configuredUpstream: options.upstream,
      warnings: options.warnings ?? [],
      logBodies: !!options.logBodies,
      apiKeys: options.apiKeys ?? [],
      shutdownSignal: options.shutdownSignal,
    });
    app.all("/ui", (c) => consoleApp.fetch(c.req.raw));
    app.all("/ui/*", (c) => consoleApp.fetch(c.req.raw));
  }
  const openai = openAIRoutes(upstream, options);
  const responses = responsesRoutes(upstream, { ...options, store: options.responsesStore });
  app.route("/v1", responses);
  app.route("/v1", anthropicRoutes(upstream, { ...options, defaultModel: options.anthropicDefaultModel }));
  app.route("/v1beta", geminiRoutes(upstream, options));
  app.route("/v1", geminiRoutes(upstream, { ...options, modelsForGoogleClientsOnly: true }));
  app.route("/v1", openai);
  app.route("/", llamaCppRoutes(upstream, options));
  app.route("/", ollamaRoutes(upstream, options));
  app.route("/", responses);
  app.route("/", openai);

  app.notFound((c) =>
    failed(
      c.req.raw,
      new RelayError(404, `No route for ${c.req.method} ${quoted(new URL(c.req.url).pathname)}`, { code: "not_found" }),
    )
  );
  app.onError((error, c) => failed(c.req.raw, error));
  return options.logBodies ? loggingBodies(app, options.apiKeys ?? [], !!requestLog) : app;
}

/** The error response to `request` in its dialect's shape, the error noted on its trace. */
function failed(request: Request, error: unknown): Response {
  return dialectErrorResponse(dialectOf(normalizePath(request), request.headers), failedWith(request, error));
}

/**
 * `app` with each request body it reads logged, secrets redacted: the start of what the
 * route read (so its body limit holds), not a second copy of the body. With `keep` (the
 * console is on), the request's trace also keeps that text and the start of the answer,
 * redacted the same way, for the console's request detail.
 */
function loggingBodies(app: RelayApp, apiKeys: string[], keep: boolean): RelayApp {
  return {
    async fetch(request) {
      const keeping = keep && !consolePath(normalizePath(request));
      if (!request.body && !keeping) return await app.fetch(request);
      const tap = new BodyTap(request.body, MAX_LOGGED_BODY);
      const tapped = request.body ? new Request(request, { body: tap.body, duplex: "half" } as RequestInit) : request;
      const response = await app.fetch(tapped);
      const key = clientKey(request.headers, request.url);
      const redact = redactor([...apiKeys, ...(key ? [key] : [])]);
      const body = tap.touched ? tap.describe(redact) : undefined;
      if (body !== undefined) {
        bodyLog.info("request body [{requestId}]: {body}", { requestId: response.headers.get("x-request-id"), body });
      }
      if (!keeping) return response;
      const answer = new BodyTap(response.body, MAX_LOGGED_BODY);
      traceOf(tapped).bodies = {
        request: body,
        get answer() {
          return answer.touched ? answer.describe(redact) : undefined;
        },
      };
      return new Response(answer.body, response);
    },
  };
}

/** The one log line of a request: what it asked, what answered, how long it took, how it ended. */
function logRequest(
  trace: RequestTrace,
  request: { method: string; path: string; status: number; requestId: string },
): void {
  const fields = {
    ...request,
    front: trace.front,
    requestedModel: trace.requestedModel ?? null,
    model: trace.answeredModel ?? trace.model ?? null,
    apiVersion: trace.apiVersion ?? null,
    firstByteMs: trace.firstByteMs === undefined ? null : Math.round(trace.firstByteMs),
    durationMs: Math.round(trace.durationMs ?? 0),
    tokensIn: trace.usage?.promptTokens ?? null,
    tokensOut: trace.usage?.completionTokens ?? null,
    continuations: trace.continuations ?? 0,
    retries: trace.retries,
    outcome: trace.outcome,
    ...(trace.error ? { error: trace.error.message } : {}),
  };
  const message = "{method} {path} → {status} {outcome} in {durationMs} ms (first byte {firstByteMs} ms, " +
    "model {requestedModel} → {model}, tokens {tokensIn}/{tokensOut}, continuations {continuations}, retries {retries}, " +
    "api-version {apiVersion}) [{requestId}]";
  if (request.status >= 500 || trace.outcome === "timeout") log.warn(message, fields);
  else log.info(message, fields);
}

/**
 * CORS for browser clients (openai-node with `dangerouslyAllowBrowser`, the Anthropic SDK
 * with `anthropic-dangerous-direct-browser-access`): preflights answered `204` with the
 * requested headers echoed (a `*` would not cover `Authorization`), and the headers clients
 * read exposed.
 */
function corsFor(origins: string[]) {
  const any = origins.includes("*");
  return cors({
    origin: (origin) => any ? origin || "*" : origins.includes(origin) ? origin : null,
    allowMethods: ["GET", "POST", "OPTIONS"],
    exposeHeaders: [
      "x-request-id",
      "retry-after",
      "retry-after-ms",
      "x-cody-relay-usage",
      "x-cody-relay-continuations",
      "x-cody-relay-model",
    ],
    maxAge: 600,
  });
}
