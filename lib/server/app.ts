import { Hono } from "hono";
import { cors } from "hono/cors";
import { getLogger } from "@logtape/logtape";
import { RelayError, toRelayError } from "../hub/errors.ts";
import type { Upstream } from "../hub/upstream.ts";
import { openAIErrorResponse } from "../fronts/openai/errors.ts";
import { anthropicRoutes } from "../fronts/anthropic/routes.ts";
import { llamaCppRoutes } from "../fronts/llamacpp/routes.ts";
import { ollamaRoutes } from "../fronts/ollama/routes.ts";
import { openAIRoutes } from "../fronts/openai/routes.ts";
import { normalizePath } from "./normalize_path.ts";

const log = getLogger(["cody-relay", "http"]);

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Where answers come from, e.g. a `CodyUpstream`. */
  upstream: Upstream;
  /** Continuation rounds allowed after the first; `0` disables continuation. @default 8 */
  maxContinuations?: number;
  /** The upstream model for `claude-*` ids the instance does not know. @default the instance's default chat model */
  anthropicDefaultModel?: string;
  /** Browser origins CORS allows (`*` for any). @default none: CORS off */
  corsOrigins?: string[];
}

/** A fetch handler: give it to `Deno.serve`, `Bun.serve`, `serve` or Hono's `app.mount`. */
export interface RelayApp {
  /** Answers one HTTP request. */
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * The relay's HTTP app: every front mounted under `/v1` and at the root, `GET /health`,
 * CORS for browser clients (when `corsOrigins` is set), an `x-request-id` on every response, one log line per request.
 * Paths are normalised (`//` collapsed, trailing `/` dropped) because clients build them
 * from base URLs carelessly.
 *
 * @example
 * ```ts
 * import { createApp } from "./app.ts";
 * import type { Upstream } from "../hub/upstream.ts";
 * const upstream: Upstream = {
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([]),
 * };
 * const response = await createApp({ upstream }).fetch(new Request("http://relay//health/"));
 * console.assert(response.status === 200);
 * ```
 */
export function createApp(options: AppOptions): RelayApp {
  const app = new Hono({ getPath: normalizePath });
  if (options.corsOrigins?.length) app.use(corsFor(options.corsOrigins));
  app.use(async (c, next) => {
    const requestId = `req_${crypto.randomUUID().replaceAll("-", "")}`;
    const started = performance.now();
    await next();
    c.res.headers.set("x-request-id", requestId);
    const fields = {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      requestId,
    };
    if (c.res.status >= 500) log.warn("{method} {path} → {status} in {ms} ms [{requestId}]", fields);
    else log.info("{method} {path} → {status} in {ms} ms [{requestId}]", fields);
  });

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/v1/health", (c) => c.json({ status: "ok" }));
  const openai = openAIRoutes(options.upstream, { maxContinuations: options.maxContinuations });
  app.route(
    "/v1",
    anthropicRoutes(options.upstream, {
      maxContinuations: options.maxContinuations,
      defaultModel: options.anthropicDefaultModel,
    }),
  );
  app.route("/v1", openai);
  app.route("/", llamaCppRoutes(options.upstream, { maxContinuations: options.maxContinuations }));
  app.route("/", ollamaRoutes(options.upstream, { maxContinuations: options.maxContinuations }));
  app.route("/", openai);

  app.notFound((c) =>
    openAIErrorResponse(
      new RelayError(404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}`, { code: "not_found" }),
    )
  );
  app.onError((error) => openAIErrorResponse(toRelayError(error)));
  return app;
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
    ],
    maxAge: 600,
  });
}
