/** @jsxImportSource hono/jsx */
/**
 * The console's pages as server-rendered shells (Hono JSX): the navigation, the key form,
 * and each page's empty tables and forms. They hold no data, so they need no key; each
 * page's script fills them from `/ui/api/…` with the key the console keeps. Every value
 * JSX renders is escaped, and there is no inline script or style (the Content-Security-
 * Policy forbids both).
 *
 * @module
 */
import type { Child } from "hono/jsx";
import { VERSION } from "../../version.ts";

/** The console's pages: path, title, script, and the extra assets a page loads first. */
export const CONSOLE_PAGES = {
  status: { path: "/ui", title: "Status", script: "status_page.js", before: [] },
  models: { path: "/ui/models", title: "Models", script: "models_page.js", before: [] },
  requests: { path: "/ui/requests", title: "Requests", script: "requests_page.js", before: [] },
  charts: {
    path: "/ui/charts",
    title: "Charts",
    script: "charts_page.js",
    before: ["uPlot.min.css", "uPlot.iife.min.js"],
  },
  playground: { path: "/ui/playground", title: "Playground", script: "playground_page.js", before: [] },
  connect: { path: "/ui/connect", title: "Connect a client", script: "connect_page.js", before: [] },
} as const satisfies Record<string, { path: string; title: string; script: string; before: readonly string[] }>;

/** A console page's name. */
export type ConsolePageName = keyof typeof CONSOLE_PAGES;

const BODIES: Record<ConsolePageName, () => Child> = {
  status: () => (
    <>
      <section>
        <h2>Relay</h2>
        <dl id="relay-facts" class="facts"></dl>
      </section>
      <section id="warnings-section" hidden>
        <h2>Warnings</h2>
        <ul id="warnings" class="warnings"></ul>
      </section>
      <section>
        <h2>Upstreams</h2>
        <table id="upstreams">
          <thead>
            <tr>
              <th>name</th>
              <th>type</th>
              <th>ready</th>
              <th>check</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </section>
      <section>
        <h2>Configuration</h2>
        <p class="note" id="settings-note"></p>
        <table id="settings">
          <thead>
            <tr>
              <th>setting</th>
              <th>value</th>
              <th>from</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </section>
    </>
  ),
  models: () => (
    <section>
      <div class="toolbar">
        <input id="model-filter" type="search" placeholder="Filter by id, name, upstream or capability" />
        <span id="model-count" class="note"></span>
      </div>
      <table id="models">
        <thead>
          <tr>
            <th>id</th>
            <th>upstream</th>
            <th>name</th>
            <th>capabilities</th>
            <th>context</th>
            <th>output</th>
            <th>aliases</th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
    </section>
  ),
  requests: () => (
    <div class="split">
      <section>
        <div class="toolbar">
          <select id="filter-dialect">
            <option value="">every dialect</option>
          </select>
          <input id="filter-model" type="search" placeholder="model" />
          <select id="filter-status">
            <option value="">every status</option>
            <option value="ok">succeeded</option>
            <option value="failed">failed</option>
            <option value="live">streaming now</option>
          </select>
          <span id="live-state" class="note">connecting…</span>
        </div>
        <table id="requests" class="clickable">
          <thead>
            <tr>
              <th>time</th>
              <th>dialect</th>
              <th>client</th>
              <th>model asked → answered</th>
              <th>status</th>
              <th>first byte</th>
              <th>duration</th>
              <th>tokens in/out</th>
              <th>rounds</th>
              <th>retries</th>
              <th>error</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </section>
      <aside id="detail" hidden>
        <h2 id="detail-title"></h2>
        <ol id="timeline" class="timeline"></ol>
        <dl id="detail-facts" class="facts"></dl>
        <div id="bodies"></div>
      </aside>
    </div>
  ),
  charts: () => (
    <div class="charts">
      <section>
        <h2>Requests per minute by outcome</h2>
        <div id="chart-requests" class="chart"></div>
      </section>
      <section>
        <h2>Time to first byte (ms): p50 and p95</h2>
        <div id="chart-first-byte" class="chart"></div>
      </section>
      <section>
        <h2>Output tokens per minute</h2>
        <div id="chart-tokens" class="chart"></div>
      </section>
      <section>
        <h2>Errors per minute by kind</h2>
        <div id="chart-errors" class="chart"></div>
      </section>
    </div>
  ),
  playground: () => (
    <div class="split playground">
      <form id="playground" class="stack">
        <label>
          model <select id="pg-model" required></select>
        </label>
        <label>
          dialect <select id="pg-dialect"></select>
        </label>
        <label>
          system prompt <textarea id="pg-system" rows={2}></textarea>
        </label>
        <label>
          <span id="pg-prompt-label">prompt</span> <textarea id="pg-prompt" rows={5} required></textarea>
        </label>
        <label id="pg-suffix-field" hidden>
          suffix (code after the cursor) <textarea id="pg-suffix" rows={3}></textarea>
        </label>
        <label>
          max tokens <input id="pg-max-tokens" type="number" min="1" value="400" />
        </label>
        <label id="pg-tool-field">
          tool (JSON: name, description, parameters) <textarea id="pg-tool" rows={4}></textarea>
        </label>
        <div class="buttons">
          <button id="pg-send" type="submit">Send</button>
          <button id="pg-stop" type="button" disabled>Stop</button>
        </div>
        <p id="pg-stats" class="note"></p>
      </form>
      <section class="panes">
        <div>
          <h2>Answer</h2>
          <pre id="pg-thinking" class="thinking" hidden></pre>
          <pre id="pg-answer" class="answer"></pre>
          <ul id="pg-tools" class="tools"></ul>
        </div>
        <div>
          <h2>
            Wire events <span id="pg-endpoint" class="note"></span>
          </h2>
          <ol id="pg-raw" class="raw"></ol>
        </div>
      </section>
    </div>
  ),
  connect: () => (
    <section>
      <div class="toolbar">
        <label>
          model <select id="connect-model"></select>
        </label>
        <span class="note">
          Base URL <code id="connect-base"></code>
        </span>
      </div>
      <div id="clients"></div>
    </section>
  ),
};

/**
 * The HTML of a console page; `keyed` (the relay has gateway keys) makes the page ask for
 * a key before it asks the relay for anything.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { consolePage } from "./pages.tsx";
 * const html = consolePage("models", { keyed: true });
 * ok(html.startsWith("<!doctype html>") && html.includes('src="/ui/assets/models_page.js"'));
 * ok(html.includes('data-keyed="true"') && !html.includes("<script>"));
 * ```
 */
export function consolePage(name: ConsolePageName, options: { keyed: boolean }): string {
  const page = CONSOLE_PAGES[name];
  const asset = (file: string) => `/ui/assets/${file}`;
  const html = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${page.title} · cody-relay`}</title>
        <link rel="icon" href={asset("icon.svg")} type="image/svg+xml" />
        <link rel="stylesheet" href={asset("console.css")} />
        {page.before.map((file) =>
          file.endsWith(".css")
            ? <link key={file} rel="stylesheet" href={asset(file)} />
            : <script key={file} src={asset(file)} defer />
        )}
        <script type="module" src={asset(page.script)} />
      </head>
      <body data-page={name} data-keyed={String(options.keyed)}>
        <header>
          <a class="brand" href="/ui">cody-relay</a>
          <nav>
            {Object.entries(CONSOLE_PAGES).map(([key, { path, title }]) => (
              <a key={key} href={path} aria-current={key === name ? "page" : undefined}>{title}</a>
            ))}
          </nav>
          <button id="forget-key" type="button" hidden>Forget key</button>
        </header>
        <form id="key-form" class="key-form" hidden>
          <p>
            This relay needs a key: one of its gateway keys, or your Sourcegraph token when it passes clients' keys on.
            The console keeps it in this tab's session storage and sends it with each request.
          </p>
          <input id="key-input" type="password" autocomplete="off" placeholder="key" required />
          <button type="submit">Use this key</button>
        </form>
        <p id="problem" class="problem" role="alert" hidden></p>
        <main id="main">{BODIES[name]()}</main>
        <footer>cody-relay {VERSION}</footer>
      </body>
    </html>
  );
  return `<!doctype html>${html}`;
}
