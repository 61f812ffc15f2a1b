/**
 * The web console as `createApp` sees it: what the app gives it, what it gives back, and
 * which paths are its own. Its pages and files live in `console_routes.ts` (`webConsole`),
 * which only the CLI and embedders who want the console import, so the library's API
 * carries neither the pages' JSX nor their files.
 *
 * @module
 */
import type { Upstream } from "../../hub/upstream.ts";
import type { ConsoleSetting, NamedUpstream } from "./relay_status.ts";
import type { RequestLog } from "./request_log.ts";

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
  /** The client setups of the Connect page, as Markdown (`### <client>` sections). @default docs/clients.md */
  clientDocs?: string;
  /**
   * Ends the live feeds, as the app's shutdown signal does: abort it when a config reload
   * replaces this console, so that no feed outlives the keys it was opened with (its
   * console reconnects, with a key the new configuration must accept). @default none
   */
  signal?: AbortSignal;
}

/** What the app tells the console about itself. */
export interface ConsoleAppFacts {
  /** The relay's composed upstream (retries, continuation), through which models are listed. */
  upstream: Upstream;
  /** The upstream the app was given. */
  configuredUpstream: Upstream;
  /** `/health`'s warnings. */
  warnings: readonly string[];
  /** Whether bodies are kept (`logBodies`). */
  logBodies: boolean;
  /** The gateway keys (the pages then ask for one first), never to be shown. */
  apiKeys: readonly string[];
  /** Ends the live feeds when the relay shuts down. */
  shutdownSignal?: AbortSignal;
}

/** Answers one request for a console path. */
export interface ConsoleHandler {
  /** Answers `request`, or rejects with the error the app answers in its own shape. */
  fetch(request: Request): Response | Promise<Response>;
}

/** A web console for `createApp({ console })`: make one with `webConsole` from `console_routes.ts`. */
export interface WebConsole {
  /** Where the app records each request it served. */
  readonly requestLog: RequestLog;
  /** The console's handler for its own paths (see {@link consolePath}). */
  routes(app: ConsoleAppFacts): ConsoleHandler;
}

/**
 * What a path is to the console: one of its `page`s or an `asset` (open: they hold no
 * data), its `api` (keyed like every route), or undefined (not the console's).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { consolePath } from "./web_console.ts";
 * equal(consolePath("/ui"), "page");
 * equal(consolePath("/ui/requests"), "page");
 * equal(consolePath("/ui/assets/console.css"), "asset");
 * equal(consolePath("/ui/api/status"), "api");
 * equal(consolePath("/v1/models"), undefined);
 * ```
 */
export function consolePath(path: string): "page" | "asset" | "api" | undefined {
  if (path !== "/ui" && !path.startsWith("/ui/")) return undefined;
  if (path.startsWith("/ui/assets/")) return "asset";
  if (path === "/ui/api" || path.startsWith("/ui/api/")) return "api";
  return "page";
}
