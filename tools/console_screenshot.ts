/**
 * Writes the README's picture of the web console (`docs/console.png`, or the path given):
 * the relay as the CLI builds it, in front of the simulator, serves a few requests in
 * several dialects (one failing, one continued past the upstream's output cap), then Chromium shows the Requests page at
 * 1200×800.
 *
 *     deno run -A --config deno.test.json tools/console_screenshot.ts [PATH]
 *
 * @module
 */
import { parseConfig } from "../lib/cli/config.ts";
import { configuredApp } from "../lib/cli/relay_app.ts";
import { serve } from "../lib/server/serve.ts";
import { createSimulator } from "../lib/simulator/simulator.ts";
import { CHROMIUM, closeBrowser, hasChromium, launchChromium } from "../tests/ui/chromium.ts";

const CLAUDE = "anthropic::2024-10-22::claude-sonnet-4-latest";

/** The requests shown: a client, its endpoint, body and headers. */
const REQUESTS: { agent: string; path: string; body: Record<string, unknown>; headers?: Record<string, string> }[] = [
  {
    agent: "OpenAI/JS 7.55.0",
    path: "/v1/chat/completions",
    body: { model: CLAUDE, stream: true, messages: [{ role: "user", content: "[[sim words=120]] Explain ^a+$" }] },
  },
  {
    agent: "Anthropic/JS 1.10.0",
    path: "/v1/messages",
    headers: { "anthropic-version": "2023-06-01" },
    body: {
      model: "claude-sonnet-4-20250514",
      max_tokens: 400,
      stream: true,
      messages: [{ role: "user", content: "Hi" }],
    },
  },
  {
    agent: "ollama-js/0.6.4",
    path: "/api/chat",
    body: { model: "gpt-4.1", messages: [{ role: "user", content: "[[sim code=12]] A function, please" }] },
  },
  {
    agent: "codex_exec/0.171.0",
    path: "/v1/responses",
    body: { model: "anthropic::2024-10-22::claude-sonnet-4-thinking-latest", input: "Plan it", stream: true },
  },
  {
    agent: "Continue/1.5.47",
    path: "/v1/completions",
    body: { model: "starcoder2-via-cody", prompt: "function add(a, b) {", suffix: "}", max_tokens: 40 },
  },
  {
    agent: "GoogleGenAI/3.1.0",
    path: "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
    body: { contents: [{ role: "user", parts: [{ text: "Summarise this diff" }] }] },
  },
  {
    agent: "coLLaMA/0.9",
    path: "/completion",
    body: { prompt: "def fib(n):", n_predict: 60, stream: true },
  },
  {
    agent: "aider/0.86.1",
    path: "/v1/chat/completions",
    body: { model: "gpt-7-turbo", messages: [{ role: "user", content: "Hi" }] },
  },
  {
    agent: "OpenAI/JS 7.55.0",
    path: "/v1/chat/completions",
    body: {
      model: "cody-sonnet",
      max_tokens: 2000,
      stream: true,
      messages: [{ role: "user", content: "[[sim words=700]] The whole story" }],
    },
  },
];

if (import.meta.main) {
  const out = Deno.args[0] ?? new URL("../docs/console.png", import.meta.url).pathname;
  if (!await hasChromium()) {
    console.error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    Deno.exit(1);
  }
  const token = "sgp_local_screenshot";
  const simulator = await serve({ fetch: createSimulator({ paceMs: 1, maxOutputTokens: 500 }).fetch, port: 0 });
  const shutdown = new AbortController();
  const config = parseConfig(["--endpoint", simulator.url, "--log-level", "error"], { SRC_ACCESS_TOKEN: token });
  const { app } = await configuredApp(config, shutdown.signal);
  const relay = await serve({ fetch: app.fetch, port: 0 });
  const browser = await launchChromium();
  try {
    for (const { agent, path, body, headers } of REQUESTS) {
      const response = await fetch(`${relay.url}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "user-agent": agent,
          ...headers,
        },
        body: JSON.stringify(body),
      });
      await response.text();
    }
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 800 });
    await page.goto(`${relay.url}/ui/requests`, { waitUntil: "load" });
    await page.waitForFunction(
      (count: number) => {
        const rows = (globalThis as { document?: { querySelectorAll(selector: string): { length: number } } }).document
          ?.querySelectorAll("#requests tbody tr");
        return (rows?.length ?? 0) >= count;
      },
      { timeout: 5_000 },
      REQUESTS.length,
    );
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } finally {
    await closeBrowser(browser);
    shutdown.abort();
    await Promise.all([relay.shutdown(), simulator.shutdown()]);
  }
}
