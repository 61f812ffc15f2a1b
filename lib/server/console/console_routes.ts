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
import { normalizePath } from "../normalize_path.ts";
import { redactor } from "../redact.ts";
import { upstreamContext } from "../respond.ts";
import type { ConsoleAppFacts, ConsoleOptions, WebConsole } from "./web_console.ts";
import clientDocs from "../../../docs/clients.md" with { type: "text" };
import { CONSOLE_ASSETS } from "./assets.ts";
import { type ClientSetup, fillClientSetups, parseClientSetups } from "./client_setups.ts";
import { liveFeed } from "./live_feed.ts";
import { modelRows } from "./model_rows.ts";
import { CONSOLE_PAGES, consolePage } from "./pages.tsx";
import { type ConsoleSetting, type NamedUpstream, statusReporter } from "./relay_status.ts";
import { RequestLog } from "./request_log.ts";
import { requestDetail, requestRow } from "./request_view.ts";

/** What {@link consoleRoutes} needs from the app. */
interface ConsoleRouteOptions {
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
  /** Whether the relay has gateway keys (the pages then ask for one first). */
  keyed: boolean;
  /** Applied to every text a request or an upstream chose. */
  redact: (text: string) => string;
  /** Ends the live feeds when the relay shuts down or the console is replaced. */
  shutdownSignal?: AbortSignal;
  /** The client setups the Connect page fills in. */
  clientSetups: readonly ClientSetup[];
}

/** The Content-Security-Policy of every console response. */
const CONSOLE_CSP = [
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

/** The console as a Hono app: pages, assets and JSON; errors go on to the app's own handler. */
function consoleRoutes(options: ConsoleRouteOptions): Hono {
  const routes = new Hono({ getPath: normalizePath });
  // Rethrown, an error reaches the relay's handler, which answers in the dialect's shape like any route's.
  routes.onError((error) => {
    throw error;
  });
  const status = statusReporter(options);
  const row = (request: Parameters<typeof requestRow>[0]) => requestRow(request, options.redact);
  routes.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  for (const [name, page] of Object.entries(CONSOLE_PAGES)) {
    const html = consolePage(name as keyof typeof CONSOLE_PAGES, { keyed: options.keyed });
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
  routes.get(
    "/ui/api/clients",
    (c) => json(fillClientSetups(options.clientSetups, { base: c.req.query("base"), model: c.req.query("model") })),
  );
  return routes;
}

/**
 * The web console, for `createApp({ console })`: its request log (pass one in the options
 * to keep it across rebuilt apps) and its routes, built from what the app knows.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { webConsole } from "./console_routes.ts";
 * const upstream = { open: () => Promise.reject(), models: () => Promise.resolve([{ id: "m<b>", ownedBy: "me" }]) };
 * const app = createApp({ upstream, console: webConsole() });
 * const page = await app.fetch(new Request("http://relay/ui/models"));
 * ok(page.headers.get("content-security-policy")?.includes("script-src 'self'"));
 * const models = await (await app.fetch(new Request("http://relay/ui/api/models"))).json();
 * equal(models[0].id, "m<b>");
 * ```
 */
export function webConsole(options: ConsoleOptions = {}): WebConsole {
  const requestLog = options.requestLog ?? new RequestLog();
  const clientSetups = parseClientSetups(options.clientDocs ?? clientDocs);
  return {
    requestLog,
    routes: (app: ConsoleAppFacts) =>
      consoleRoutes({
        upstream: app.upstream,
        upstreams: options.upstreams ?? { upstream: { type: "upstream", upstream: app.configuredUpstream } },
        requestLog,
        settings: options.settings ?? [],
        warnings: app.warnings,
        logBodies: app.logBodies,
        keyed: app.apiKeys.length > 0,
        redact: redactor([...app.apiKeys, ...options.secrets ?? []]),
        shutdownSignal: feedSignal(app.shutdownSignal, options.signal),
        clientSetups,
      }),
  };
}

/** What ends the live feeds: the relay's shutdown, or the console's own signal (replaced by a reload), whichever comes. */
function feedSignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((signal) => signal !== undefined);
  return given.length > 1 ? AbortSignal.any(given) : given[0];
}
