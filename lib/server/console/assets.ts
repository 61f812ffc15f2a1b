/**
 * The console's static files, imported as text so that they are part of every artifact:
 * run from source they are read with the module graph, and `deno bundle` and
 * `bun build --compile` inline them (no CDN, no build step, works offline). The page
 * scripts are plain ES modules, type-checked with the rest (`// @ts-check`); the charts
 * are uPlot's own build from npm.
 *
 * @module
 */
import apiJs from "./assets/console_api.js" with { type: "text" };
import chartsPageJs from "./assets/charts_page.js" with { type: "text" };
import connectPageJs from "./assets/connect_page.js" with { type: "text" };
import consoleCss from "./assets/console.css" with { type: "text" };
import dialectsJs from "./assets/dialects.js" with { type: "text" };
import domJs from "./assets/dom.js" with { type: "text" };
import formatJs from "./assets/format.js" with { type: "text" };
import frameSplitterJs from "./assets/frame_splitter.js" with { type: "text" };
import iconSvg from "./assets/icon.svg" with { type: "text" };
import modelsPageJs from "./assets/models_page.js" with { type: "text" };
import playgroundPageJs from "./assets/playground_page.js" with { type: "text" };
import requestsPageJs from "./assets/requests_page.js" with { type: "text" };
import statusPageJs from "./assets/status_page.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };

/** A file the console serves. */
export interface ConsoleAsset {
  /** Its `content-type`. */
  type: string;
  /** Its text. */
  text: string;
}

/** A file's `content-type`, from its name. */
function typeOf(name: string): string {
  if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
  if (name.endsWith(".css")) return "text/css; charset=utf-8";
  return "image/svg+xml";
}

/**
 * The files under `/ui/assets/`, by name.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CONSOLE_ASSETS } from "./assets.ts";
 * ok(CONSOLE_ASSETS["uPlot.iife.min.js"].text.includes("uPlot"));
 * ok(CONSOLE_ASSETS["console.css"].type.startsWith("text/css"));
 * ok(CONSOLE_ASSETS["icon.svg"].type === "image/svg+xml");
 * ```
 */
export const CONSOLE_ASSETS: Readonly<Record<string, ConsoleAsset>> = Object.fromEntries(
  Object.entries({
    "console.css": consoleCss,
    "icon.svg": iconSvg,
    "console_api.js": apiJs,
    "dom.js": domJs,
    "format.js": formatJs,
    "frame_splitter.js": frameSplitterJs,
    "dialects.js": dialectsJs,
    "status_page.js": statusPageJs,
    "models_page.js": modelsPageJs,
    "requests_page.js": requestsPageJs,
    "charts_page.js": chartsPageJs,
    "playground_page.js": playgroundPageJs,
    "connect_page.js": connectPageJs,
    "uPlot.iife.min.js": uplotJs,
    "uPlot.min.css": uplotCss,
  }).map(([name, text]) => [name, { type: typeOf(name), text }]),
);
