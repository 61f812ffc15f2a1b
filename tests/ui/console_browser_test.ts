/**
 * The web console in a real browser: Debian's Chromium (`/usr/bin/chromium`, or
 * `CHROMIUM_PATH`) driven by `puppeteer-core`, against the relay as the CLI builds it
 * (`configuredApp`) in front of the simulator over HTTP. Every page: its data, no console
 * error or page error, and no element made from what a request carried (a model id and an
 * error message with markup). A screenshot of each page goes to the test's temporary folder,
 * whose paths are printed when a check fails. Without Chromium the test is ignored, and says why.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import type { Browser, Page } from "puppeteer-core";
import { parseConfig } from "../../lib/cli/config.ts";
import { configuredApp } from "../../lib/cli/relay_app.ts";
import { validateConfig } from "../../lib/config/load_config.ts";
import { DOCUMENTED_BASE } from "../../lib/server/console/client_setups.ts";
import { type RunningServer, serve } from "../../lib/server/serve.ts";
import { createSimulator } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";
import { CHROMIUM, closeBrowser, hasChromium, launchChromium } from "./chromium.ts";

const chromium = await hasChromium();
if (!chromium) {
  console.error(
    `tests/ui/console_browser_test.ts is ignored: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

/** What the functions run in the page (by Chromium, not Deno, whose types have no DOM) use of an element. */
interface PageElement {
  textContent: string | null;
  value: string;
  disabled: boolean;
  dataset: Record<string, string | undefined>;
  classList: { contains(name: string): boolean };
  querySelector(selector: string): PageElement | null;
  getBoundingClientRect(): { width: number; height: number };
}

/** The page's document, as those functions use it. */
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & { length: number };
};

const CLAUDE = "anthropic::2024-10-22::claude-sonnet-4-latest";
/** A model id (an alias of the config file) that would run script if it were rendered as HTML. */
const MARKUP_ALIAS = "<img src=x id=injected-model onerror=window.__injected=1>";
/** An unknown model whose 404 message carries markup. */
const MARKUP_UNKNOWN = "<b id=injected-error>unknown</b>";
const GATEWAY_KEY = "console-browser-gateway-key";

/** A relay as the CLI builds it, in front of `simulatorUrl`. */
async function startRelay(
  simulatorUrl: string,
  argv: string[] = [],
): Promise<RunningServer & { stop(): Promise<void> }> {
  const file = validateConfig({
    models: { default: "cody", aliases: { [MARKUP_ALIAS]: { upstream: "cody", model: CLAUDE } } },
  }, "browser-test.json");
  const config = parseConfig(
    ["--endpoint", simulatorUrl, "--log-level", "error", ...argv],
    { SRC_ACCESS_TOKEN: TOKEN },
    file,
    "browser-test.json",
  );
  const shutdown = new AbortController();
  const { app } = await configuredApp(config, shutdown.signal);
  const server = await serve({ fetch: app.fetch, port: 0 });
  return {
    ...server,
    async stop() {
      shutdown.abort();
      await server.shutdown();
    },
  };
}

/** A chat completion sent as a client would, outside the browser. */
function chat(relayUrl: string, model: string, content: string, key = TOKEN): Promise<Response> {
  return fetch(`${relayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "user-agent": "browser-test/1" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }], stream: true }),
  });
}

/** What a page logged as an error, and the exceptions it did not catch. */
interface Watched {
  page: Page;
  problems: string[];
  apiCalls: string[];
}

Deno.test({
  name:
    "the console in Chromium: status, live requests, errors as text, playground in four dialects, stop, charts, keys, connect",
  ignore: !chromium,
  // Puppeteer's connection keeps timers and a pipe to the browser until it is closed in `finally`.
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const folder = await Deno.makeTempDir({ prefix: "console_browser_" });
  const screenshots: string[] = [];
  const simulator = createSimulator({ accessTokens: [TOKEN] });
  const simulatorServer = await serve({ fetch: simulator.fetch, port: 0 });
  const relay = await startRelay(simulatorServer.url);
  const keyed = await startRelay(simulatorServer.url, ["--api-key", GATEWAY_KEY]);
  let browser: Browser | undefined;
  let failed = false;
  const watched: Watched[] = [];
  /** The page a check looks at (shot as it was when the check failed). */
  let current: Page | undefined;

  /** A new tab that records its console errors, page errors and calls to the console's API. */
  const open = async (url: string): Promise<Watched> => {
    const page = await browser!.newPage();
    await page.setViewport({ width: 1200, height: 800 });
    const tab: Watched = { page, problems: [], apiCalls: [] };
    page.on("console", (message) => {
      if (message.type() === "error") tab.problems.push(`${url}: console error: ${message.text()}`);
    });
    page.on("pageerror", (error) => tab.problems.push(`${url}: page error: ${error}`));
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/ui/api/")) tab.apiCalls.push(request.url());
    });
    watched.push(tab);
    current = page;
    await page.goto(url, { waitUntil: "load" });
    return tab;
  };
  const screenshot = async (page: Page, name: string) => {
    const path = `${folder}/${name}.png`;
    await page.screenshot({ path });
    screenshots.push(path);
  };
  const step = async (name: string, body: () => Promise<void>) => {
    if (await t.step(name, body)) return;
    failed = true;
    const path = `${folder}/failed-${screenshots.length}.png`;
    await current?.screenshot({ path }).then(() => screenshots.push(`${path} (${name})`), () => {});
  };
  /** No element was made from markup a request carried, and no script of it ran. */
  const noInjection = async (page: Page) => {
    equal(await page.$("#injected-model, #injected-error, img[src='x']"), null, "an element made from request markup");
    equal(await page.evaluate(() => (globalThis as { __injected?: number }).__injected), undefined);
  };

  try {
    browser = await launchChromium();

    await step("the status page shows the upstream as ready, and the configuration with its sources", async () => {
      const { page } = await open(`${relay.url}/ui`);
      await page.waitForSelector("#upstreams tbody tr[data-ready] td.good", { timeout: 10_000 });
      const cells = await page.$$eval("#upstreams tbody tr td", (tds) => tds.map((td) => td.textContent));
      deepEqual(cells.slice(0, 3), ["cody", "cody", "ready"]);
      const settings = await page.$eval("#settings tbody", (tbody) => tbody.textContent ?? "");
      match(settings, /upstreams\.cody\.endpoint/);
      ok(!(await page.content()).includes(TOKEN), "the token is not on the page");
      ok((await page.content()).includes("[redacted]"), "the token is shown redacted");
      await screenshot(page, "status");
    });

    const requests = await open(`${relay.url}/ui/requests`);
    await step("a request made outside the browser appears in the live table within a second", async () => {
      const { page } = requests;
      current = page;
      await page.bringToFront(); // a tab in the background may draw late (requestAnimationFrame)
      await page.waitForSelector("#live-state[data-live='true']", { timeout: 10_000 });
      const response = await chat(relay.url, CLAUDE, "Hello from outside");
      equal(response.status, 200);
      await response.text();
      const ended = performance.now();
      const row = await page.waitForFunction(
        (model: string) =>
          [...document.querySelectorAll("#requests tbody tr")].find((tr) =>
            tr.querySelector(".model")?.textContent?.startsWith(`${model} → `) &&
            tr.querySelector(".status")?.textContent === "200 completed"
          ),
        { timeout: 1_000, polling: 20 },
        CLAUDE,
      );
      ok(row, "the row");
      ok(performance.now() - ended < 1_000, `shown after ${Math.round(performance.now() - ended)} ms`);
      equal(await page.$eval("#requests tbody tr .client", (td) => td.textContent), "browser-test/1");
    });

    await step("a failed request shows its error, and markup in a model id or an error is text", async () => {
      const { page } = requests;
      current = page;
      await page.bringToFront(); // a tab in the background may draw late (requestAnimationFrame)
      const unknown = await chat(relay.url, MARKUP_UNKNOWN, "Hi");
      equal(unknown.status, 404);
      const message = (await unknown.json()).error.message as string;
      ok(message.includes(MARKUP_UNKNOWN), message);
      const aliased = await chat(relay.url, MARKUP_ALIAS, "Hi");
      equal(aliased.status, 200);
      await aliased.text();
      await page.waitForFunction(
        (error: string, alias: string) => {
          const rows = [...document.querySelectorAll("#requests tbody tr")];
          return rows.some((tr) =>
            tr.classList.contains("failed") && tr.querySelector(".error")?.textContent === error
          ) &&
            rows.some((tr) => tr.querySelector(".model")?.textContent?.startsWith(alias));
        },
        { timeout: 2_000 },
        message,
        MARKUP_ALIAS,
      );
      equal(
        await page.$eval("#requests tbody tr.failed .status", (td) => td.textContent),
        "404 error",
      );
      await page.click("#requests tbody tr.failed");
      await page.waitForFunction(
        (error: string) => document.querySelector("#detail-facts")?.textContent?.includes(error),
        { timeout: 2_000 },
        message,
      );
      await noInjection(page);
      await screenshot(page, "requests");
    });

    await step("the models page lists the alias with markup as text", async () => {
      const { page } = await open(`${relay.url}/ui/models`);
      await page.waitForFunction(
        (alias: string) => [...document.querySelectorAll("#models code")].some((code) => code.textContent === alias),
        { timeout: 5_000 },
        MARKUP_ALIAS,
      );
      await noInjection(page);
      await screenshot(page, "models");
    });

    const playground = await open(`${relay.url}/ui/playground`);
    const dialects: [string, RegExp][] = [
      ["openai", /^data: \{"id":"chatcmpl[^"]*","object":"chat\.completion\.chunk"/],
      ["anthropic", /^event: message_start\ndata: \{"type":"message_start"/],
      ["responses", /^event: response\.created\ndata: \{"type":"response\.created"/],
      ["ollama", /^\{"model":"[^"]+","created_at":"[^"]+","message":\{"role":"assistant"/],
    ];
    for (const [dialect, firstFrame] of dialects) {
      await step(`the playground streams an answer in the ${dialect} dialect, its wire frames beside it`, async () => {
        const { page } = playground;
        current = page;
        await page.bringToFront();
        current = page;
        await page.waitForSelector(`#pg-model option[value="${CLAUDE}"]`, { timeout: 5_000 });
        await page.select("#pg-dialect", dialect);
        await page.select("#pg-model", CLAUDE);
        await page.$eval(
          "#pg-prompt",
          (area, text) => (area as unknown as PageElement).value = text,
          `Hi in ${dialect}`,
        );
        await page.click("#pg-send");
        await page.waitForSelector("#pg-stats[data-finish]", { timeout: 10_000 });
        await page.waitForFunction(() => !(document.querySelector("#pg-send") as unknown as PageElement).disabled);
        const answer = await page.$eval("#pg-answer", (pre) => pre.textContent ?? "");
        match(answer, new RegExp(`You said: Hi in ${dialect}`));
        const frames = await page.$$eval("#pg-raw li", (items) => items.map((item) => item.textContent ?? ""));
        ok(frames.length >= 2, `${frames.length} frames`);
        match(frames[0], firstFrame);
        match(await page.$eval("#pg-stats", (stats) => stats.textContent ?? ""), /^done \(HTTP 200\)/);
        await screenshot(page, `playground-${dialect}`);
      });
    }

    await step("stopping mid-stream aborts the upstream's request", async () => {
      const { page } = playground;
      current = page;
      await page.bringToFront();
      const before = simulator.requests.length;
      await page.select("#pg-dialect", "openai");
      await page.$eval(
        "#pg-prompt",
        (area) => (area as unknown as PageElement).value = "[[sim words=2000 pace_ms=20]] A long story, please",
      );
      await page.click("#pg-send");
      await page.waitForFunction(() => document.querySelectorAll("#pg-raw li").length >= 5, { timeout: 5_000 });
      await page.click("#pg-stop");
      await page.waitForFunction(() => document.querySelector("#pg-stats")?.textContent?.startsWith("stopped"), {
        timeout: 2_000,
      });
      const upstream = simulator.requests.slice(before).find((request) => request.path.includes("/completions/"));
      ok(upstream, "the simulator got the request");
      const outcome = await Promise.race([
        upstream.outcome,
        new Promise((resolve) => setTimeout(() => resolve("still streaming after 3 s"), 3_000)),
      ]);
      equal(outcome, "aborted");
      // The relay's log says the client went away (the row ends as the upstream's stream is cancelled).
      let outcomes: (string | null)[] = [];
      for (let tries = 0; tries < 20 && !outcomes.includes("client_abort"); tries++) {
        if (tries) await new Promise((resolve) => setTimeout(resolve, 50));
        outcomes = (await (await fetch(`${relay.url}/ui/api/requests`)).json()).map((row: { outcome: string }) =>
          row.outcome
        );
      }
      ok(outcomes.includes("client_abort"), JSON.stringify(outcomes));
    });

    await step("the charts draw the last minutes' requests", async () => {
      const { page } = await open(`${relay.url}/ui/charts`);
      await page.waitForSelector("#chart-requests canvas", { timeout: 5_000 });
      const size = await page.$eval("#chart-requests canvas", (canvas) => {
        const { width, height } = (canvas as unknown as PageElement).getBoundingClientRect();
        return { width, height };
      });
      ok(size.width > 100 && size.height > 100, JSON.stringify(size));
      ok(Number(await page.$eval("#chart-requests", (chart) => (chart as unknown as PageElement).dataset.total)) >= 5);
      await screenshot(page, "charts");
    });

    await step("the connect page shows docs/clients.md's setups with this relay's address", async () => {
      const { page } = await open(`${relay.url}/ui/connect`);
      await page.waitForSelector("#clients article.client-setup", { timeout: 5_000 });
      const markdown = await Deno.readTextFile(new URL("../../docs/clients.md", import.meta.url));
      const clients = [...markdown.matchAll(/^### (.+)$/gm)].map((found) => found[1]);
      deepEqual(await page.$$eval("#clients article", (items) => items.map((item) => item.dataset.client)), clients);
      const texts = await page.$$eval(
        "#clients article pre",
        (blocks) => blocks.map((block) => block.textContent ?? ""),
      );
      for (const text of texts) {
        ok(text.includes(relay.url), text.slice(0, 80));
        ok(relay.url === DOCUMENTED_BASE || !text.includes(DOCUMENTED_BASE), text.slice(0, 80));
      }
      equal(await page.$eval("#connect-base", (code) => code.textContent), relay.url);
      const other = await page.$$eval("#connect-model option", (options) => options.map((option) => option.value));
      ok(other.length > 1, "models to choose from");
      ok(other.includes(MARKUP_ALIAS), "the config file's alias is a choice too");
      const labels = await page.$$eval(
        "#connect-model option",
        (options) => options.map((option) => [option.value, option.textContent ?? ""]),
      );
      const label = labels.find(([value]) => value === MARKUP_ALIAS)?.[1];
      ok(
        label?.startsWith(`${MARKUP_ALIAS} → `) && label.endsWith("claude-sonnet-4-latest"),
        `the alias names its model: ${label}`,
      );
      equal(
        await page.evaluate(() => (globalThis as { __injected?: number }).__injected),
        undefined,
        "markup stays text",
      );
      await page.select("#connect-model", other.at(-1)!);
      await page.waitForFunction(
        (model: string) => document.querySelector("#clients article pre")?.textContent?.includes(model),
        { timeout: 2_000 },
        other.at(-1)!,
      );
      await screenshot(page, "connect");
    });

    await step("with gateway keys the console asks for a key before any call, then shows the data", async () => {
      const tab = await open(`${keyed.url}/ui`);
      const { page } = tab;
      await page.waitForSelector("#key-form:not([hidden])", { timeout: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      deepEqual([...tab.apiCalls], [], "no call without a key");
      equal(await page.$$eval("#upstreams tbody tr", (rows) => rows.length), 0);
      await screenshot(page, "keyed-before");
      await page.type("#key-input", GATEWAY_KEY);
      await Promise.all([page.waitForNavigation(), page.click("#key-form button[type='submit']")]);
      await page.waitForSelector("#upstreams tbody tr[data-ready] td.good", { timeout: 10_000 });
      ok(
        tab.apiCalls.length > 0 && tab.apiCalls.every((url) => !url.includes(GATEWAY_KEY)),
        "the key is never in a URL",
      );
      ok(!(await page.content()).includes(GATEWAY_KEY), "nor on the page");
      await screenshot(page, "keyed-after");
    });

    await step("no page logged a console error or threw", () => {
      deepEqual(watched.flatMap((tab) => tab.problems), []);
      return Promise.resolve();
    });
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (failed) console.error(`console screenshots:\n${screenshots.map((path) => `  ${path}`).join("\n")}`);
    await closeBrowser(browser);
    await Promise.all([relay.stop(), keyed.stop(), simulatorServer.shutdown()]);
    if (!failed) await Deno.remove(folder, { recursive: true });
  }
});
