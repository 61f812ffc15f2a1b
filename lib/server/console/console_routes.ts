/**
 * The web console's routes: the pages under `/ui`, their files under `/ui/assets/`, and
 * the JSON the pages read under `/ui/api/` (behind the gateway keys like every other
 * route). Every response carries a strict Content-Security-Policy: scripts and styles
 * only from the relay itself, nothing inline, no frames, no form posts, no other hosts.
 *
 * @module
 */
import { Hono } from "hono";
import { RelayError } from "../../hub/errors.ts";
import type { Upstream } from "../../hub/upstream.ts";
import { upstreamContext } from "../respond.ts";
import { CONSOLE_ASSETS } from "./assets.ts";
import { liveFeed } from "./live_feed.ts";
import { modelRows } from "./model_rows.ts";
import { CONSOLE_PAGES, consolePage } from "./pages.tsx";
import { type ConsoleSetting, type NamedUpstream, statusReporter } from "./relay_status.ts";
import type { RequestLog } from "./request_log.ts";
import { requestDetail, requestRow } from "./request_view.ts";

/** What the console shows beyond what the app knows (give these when the relay is built from a configuration). */
export interface ConsoleOptions {
  /** The request log (pass one to keep it across rebuilt apps, e.g. config reloads). @default a new RequestLog */
  requestLog?: RequestLog;
  /** The upstreams by name, for their readiness on the Status page. @default the app's upstream as `upstream` */
  upstreams?: Readonly<Record<string, NamedUpstream>>;
  /** The effective configuration, secrets redacted. @default none shown */
  settings?: readonly ConsoleSetting[];
  /** Secrets never to show (the upstream tokens; gateway keys are added). @default none */
  secrets?: readonly string[];
}

/** What {@link consoleRoutes} needs from the app. */
export interface ConsoleRouteOptions {
  /** The relay's composed upstream (models are listed through it). */
  upstream: Upstream;
  /** The upstreams whose readiness the Status page shows. */
  upstreams: Readonly<Record<string, NamedUpstream>>;
  /** The request log the app records into. */
  requestLog: RequestLog;
  /** The effective configuration. */
  settings: readonly ConsoleSetting[];
  /** `/health`'s warnings. */
  warnings: readonly string[];
  /** Whether bodies are kept (`--log-bodies`). */
  logBodies: boolean;
  /** Applied to every text a request or an upstream chose. */
  redact: (text: string) => string;
  /** Ends the live feeds when the relay shuts down. */
  shutdownSignal?: AbortSignal;
}

/** The Content-Security-Policy of every console response. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

const PAGE_PATHS: ReadonlySet<string> = new Set(Object.values(CONSOLE_PAGES).map((page) => page.path));

/**
 * What a path is to the console: a `page` or an `asset` (open: they hold no data), its
 * `api` (keyed like every route), or undefined (not the console's).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { consolePath } from "./console_routes.ts";
 * equal(consolePath("/ui"), "page");
 * equal(consolePath("/ui/assets/console.css"), "asset");
 * equal(consolePath("/ui/api/status"), "api");
 * equal(consolePath("/v1/models"), undefined);
 * ```
 */
export function consolePath(path: string): "page" | "asset" | "api" | undefined {
  if (PAGE_PATHS.has(path)) return "page";
  if (path.startsWith("/ui/assets/")) return "asset";
  if (path === "/ui" || path.startsWith("/ui/")) return "api";
  return undefined;
}

/**
 * The console as a Hono app, to mount at the root: pages, assets and JSON.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { consoleRoutes } from "./console_routes.ts";
 * import { RequestLog } from "./request_log.ts";
 * const upstream = { open: () => Promise.reject(), models: () => Promise.resolve([{ id: "m<b>", ownedBy: "me" }]) };
 * const routes = consoleRoutes({
 *   upstream, upstreams: {}, requestLog: new RequestLog(), settings: [], warnings: [], logBodies: false, redact: (text) => text,
 * });
 * const page = await routes.request("/ui/models");
 * ok(page.headers.get("content-security-policy")?.includes("script-src 'self'"));
 * const models = await (await routes.request("/ui/api/models")).json();
 * equal(models[0].id, "m<b>");
 * ```
 */
export function consoleRoutes(options: ConsoleRouteOptions): Hono {
  const routes = new Hono();
  const status = statusReporter(options);
  const row = (request: Parameters<typeof requestRow>[0]) => requestRow(request, options.redact);
  routes.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  for (const [name, page] of Object.entries(CONSOLE_PAGES)) {
    const html = consolePage(name as keyof typeof CONSOLE_PAGES);
    routes.get(page.path, (c) => c.html(html, 200, { "cache-control": "no-cache" }));
  }
  routes.get("/ui/assets/:name", (c) => {
    const asset = CONSOLE_ASSETS[c.req.param("name")];
    if (!asset) throw new RelayError(404, "No such console file", { code: "not_found" });
    return c.body(asset.text, 200, { "content-type": asset.type, "cache-control": "no-cache" });
  });
  const json = (data: unknown) => Response.json(data, { headers: { "cache-control": "no-store" } });
  routes.get("/ui/api/status", async () => json(await status()));
  routes.get("/ui/api/models", async (c) => json(modelRows(await options.upstream.models(upstreamContext(c.req.raw)))));
  routes.get("/ui/api/requests", () => json(options.requestLog.recent().map(row)));
  routes.get(
    "/ui/api/requests/live",
    () =>
      new Response(liveFeed(options.requestLog, row, { signal: options.shutdownSignal }), {
        headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" },
      }),
  );
  routes.get("/ui/api/requests/:id", (c) => {
    const request = options.requestLog.find(c.req.param("id"));
    if (!request) throw new RelayError(404, "That request is no longer kept", { code: "not_found" });
    return json(requestDetail(request, options.redact));
  });
  routes.get("/ui/api/charts", () => json(options.requestLog.history.series()));
  return routes;
}
