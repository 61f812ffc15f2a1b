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

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

/**
 * The files under `/ui/assets/`, by name.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CONSOLE_ASSETS } from "./assets.ts";
 * ok(CONSOLE_ASSETS["uPlot.iife.min.js"].text.includes("uPlot"));
 * ok(CONSOLE_ASSETS["console.css"].type.startsWith("text/css"));
 * ```
 */
export const CONSOLE_ASSETS: Readonly<Record<string, ConsoleAsset>> = {
  "console.css": { type: CSS, text: consoleCss },
  "icon.svg": { type: "image/svg+xml", text: iconSvg },
  "console_api.js": { type: JS, text: apiJs },
  "dom.js": { type: JS, text: domJs },
  "format.js": { type: JS, text: formatJs },
  "frame_splitter.js": { type: JS, text: frameSplitterJs },
  "dialects.js": { type: JS, text: dialectsJs },
  "status_page.js": { type: JS, text: statusPageJs },
  "models_page.js": { type: JS, text: modelsPageJs },
  "requests_page.js": { type: JS, text: requestsPageJs },
  "charts_page.js": { type: JS, text: chartsPageJs },
  "playground_page.js": { type: JS, text: playgroundPageJs },
  "connect_page.js": { type: JS, text: connectPageJs },
  "uPlot.iife.min.js": { type: JS, text: uplotJs },
  "uPlot.min.css": { type: CSS, text: uplotCss },
};
