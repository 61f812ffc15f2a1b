/**
 * The web console, apart from the library so that embedders who do not serve it carry
 * neither its pages nor its files: pass `webConsole()` to `createApp({ console })`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { createApp } from "./mod.ts";
 * import { webConsole } from "./console.ts";
 * const upstream = { open: () => Promise.reject(), models: () => Promise.resolve([]) };
 * const app = createApp({ upstream, console: webConsole() });
 * equal((await app.fetch(new Request("http://relay/ui"))).status, 200);
 * ```
 *
 * @module
 */
export { webConsole } from "./lib/server/console/console_routes.ts";
export type { ConsoleAppFacts, ConsoleHandler, ConsoleOptions, WebConsole } from "./lib/server/console/web_console.ts";
