/**
 * The console inside the relay's app, over real HTTP against the simulator: its pages and
 * files (strict CSP, nothing inline, every referenced file served), its JSON behind the
 * gateway keys and CORS like every route, the requests it lists (model, status, error,
 * timeline with continuation rounds and retries), the live feed, bodies only with
 * `logBodies`, and no token, key or cookie in anything it serves.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createApp } from "../../../lib/server/app.ts";
import { webConsole } from "../../../lib/server/console/console_routes.ts";
import { CONSOLE_PAGES } from "../../../lib/server/console/pages.tsx";
import { startStack, TOKEN } from "../../harness.ts";

const CLAUDE = "anthropic::2024-10-22::claude-sonnet-4-latest";
const GATEWAY_KEY = "gateway-key-5d1e0c7f";
const API_PATHS = ["status", "models", "requests", "charts", "clients"];

function chat(relayUrl: string, body: Record<string, unknown>, key = TOKEN): Promise<Response> {
  return fetch(`${relayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "user-agent": "console-test/1" },
    body: JSON.stringify({ model: CLAUDE, messages: [{ role: "user", content: "Hello" }], ...body }),
  });
}

// deno-lint-ignore no-explicit-any
async function rows(relayUrl: string, headers: HeadersInit = {}): Promise<any[]> {
  const response = await fetch(`${relayUrl}/ui/api/requests`, { headers });
  equal(response.status, 200);
  return await response.json();
}

Deno.test("every page is a shell with a strict CSP and no inline script, style or handler; every file it names is served", async () => {
  await using stack = await startStack({ app: { console: webConsole() } });
  for (const page of Object.values(CONSOLE_PAGES)) {
    const response = await fetch(`${stack.relayUrl}${page.path}`);
    equal(response.status, 200, page.path);
    const csp = response.headers.get("content-security-policy") ?? "";
    match(csp, /default-src 'none'/);
    match(csp, /script-src 'self'(;|$)/);
    match(csp, /style-src 'self'(;|$)/);
    match(csp, /frame-ancestors 'none'/);
    equal(response.headers.get("x-content-type-options"), "nosniff");
    const html = await response.text();
    ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), `${page.path} has an inline script`);
    ok(!/\sstyle=|<style|\son[a-z]+=/i.test(html), `${page.path} has an inline style or handler`);
    for (const [, file] of html.matchAll(/(?:src|href)="(\/ui\/assets\/[^"]+)"/g)) {
      const asset = await fetch(`${stack.relayUrl}${file}`);
      equal(asset.status, 200, file);
      match(asset.headers.get("content-type") ?? "", /^(text\/(javascript|css)|image\/svg\+xml)/, file);
      const text = await asset.text();
      // Every module a script imports is served too.
      for (const [, imported] of text.matchAll(/^import [^"]*"\.\/([^"]+)"/gm)) {
        equal((await fetch(`${stack.relayUrl}/ui/assets/${imported}`)).status, 200, `${file} imports ${imported}`);
      }
    }
  }
  equal((await fetch(`${stack.relayUrl}/ui/assets/nope.js`)).status, 404);
  equal(await (await fetch(`${stack.relayUrl}/`)).text(), "Ollama is running", "/ still answers as Ollama does");
});

Deno.test("without the console /ui is an unknown route, behind the gateway keys like any other", async () => {
  const upstream = { open: () => Promise.reject(new Error("unused")), models: () => Promise.resolve([]) };
  const open = createApp({ upstream });
  equal((await open.fetch(new Request("http://relay/ui"))).status, 404);
  equal((await open.fetch(new Request("http://relay/ui/api/status"))).status, 404);
  const keyed = createApp({ upstream, apiKeys: [GATEWAY_KEY] });
  equal((await keyed.fetch(new Request("http://relay/ui"))).status, 401);
});

Deno.test("with gateway keys the pages and files need no key, and every API call needs one", async () => {
  await using stack = await startStack({
    upstream: { accessToken: TOKEN },
    app: { console: webConsole(), apiKeys: [GATEWAY_KEY] },
  });
  equal((await fetch(`${stack.relayUrl}/ui`)).status, 200);
  equal((await fetch(`${stack.relayUrl}/ui/assets/console_api.js`)).status, 200);
  for (const path of [...API_PATHS, "requests/live", "requests/req_unknown"]) {
    const refused = await fetch(`${stack.relayUrl}/ui/api/${path}`);
    equal(refused.status, 401, path);
    equal((await refused.json()).error.code, "invalid_api_key");
    const wrong = await fetch(`${stack.relayUrl}/ui/api/${path}`, { headers: { authorization: "Bearer nope" } });
    equal(wrong.status, 401, path);
    await wrong.body?.cancel();
  }
  for (const path of API_PATHS) {
    const allowed = await fetch(`${stack.relayUrl}/ui/api/${path}`, {
      headers: { authorization: `Bearer ${GATEWAY_KEY}` },
    });
    equal(allowed.status, 200, path);
    equal(allowed.headers.get("cache-control"), "no-store");
    await allowed.body?.cancel();
  }
  const refusals = await rows(stack.relayUrl, { authorization: `Bearer ${GATEWAY_KEY}` });
  deepEqual(refusals, [], "the console's own calls, refused or not, are not the relay's traffic");
});

Deno.test("the Connect page's setups: the client documentation filled in with this relay's origin and the model; bad input a 400", async () => {
  const fence = "`".repeat(3);
  const clientDocs =
    `### Aider\n\nIn a shell:\n\n${fence}sh\naider --base http://127.0.0.1:8787/v1 --model ${CLAUDE}\n${fence}\n`;
  await using stack = await startStack({ app: { console: webConsole({ clientDocs }) } });
  const query = `model=${encodeURIComponent("m<b>1</b>")}&base=${encodeURIComponent(stack.relayUrl)}`;
  const response = await fetch(`${stack.relayUrl}/ui/api/clients?${query}`);
  equal(response.status, 200);
  deepEqual(await response.json(), [
    { client: "Aider", where: "In a shell:", text: `aider --base ${stack.relayUrl}/v1 --model m<b>1</b>` },
  ]);
  for (const [query, param] of [["base=http://x.example/v1", "base"], [`model=${"m".repeat(300)}`, "model"]]) {
    const refused = await fetch(`${stack.relayUrl}/ui/api/clients?${query}`);
    equal(refused.status, 400, query.slice(0, 30));
    const { error } = await refused.json();
    equal(error.param, param);
    match(error.message, new RegExp(`^${param} must be`));
  }
});

Deno.test("the Connect page's setups are docs/clients.md's: every client section, with this relay's origin and the model", async () => {
  const document = await Deno.readTextFile(new URL("../../../docs/clients.md", import.meta.url));
  const clients = [...document.matchAll(/^### (.+)$/gm)].map((match) => match[1]);
  await using stack = await startStack({ app: { console: webConsole() } });
  const query = `model=${encodeURIComponent("team::model-9")}&base=${encodeURIComponent(stack.relayUrl)}`;
  const setups: { client: string; where: string; text: string }[] =
    await (await fetch(`${stack.relayUrl}/ui/api/clients?${query}`)).json();
  deepEqual(setups.map((setup) => setup.client), clients);
  for (const setup of setups) {
    ok(setup.where.length > 0, `${setup.client}: where the text goes`);
    ok(setup.text.includes(stack.relayUrl), `${setup.client}: the relay's address`);
    ok(
      !/127\.0\.0\.1:8787|claude-sonnet-4-latest/.test(JSON.stringify(setup)),
      `${setup.client}: nothing documented left`,
    );
  }
  ok(setups.filter((setup) => setup.text.includes("team::model-9")).length > 10, "the model is filled in");
});

Deno.test("the console's API follows the relay's CORS: an allowed origin is answered, another is not", async () => {
  await using stack = await startStack({ app: { console: webConsole(), corsOrigins: ["https://app.example.com"] } });
  const allowed = await fetch(`${stack.relayUrl}/ui/api/status`, { headers: { origin: "https://app.example.com" } });
  equal(allowed.headers.get("access-control-allow-origin"), "https://app.example.com");
  await allowed.body?.cancel();
  const other = await fetch(`${stack.relayUrl}/ui/api/status`, { headers: { origin: "https://evil.example" } });
  equal(other.headers.get("access-control-allow-origin"), null);
  await other.body?.cancel();
});

Deno.test("requests are listed with dialect, client, models, status, timing and tokens; a failure with its error", async () => {
  await using stack = await startStack({ app: { console: webConsole() } });
  const answer = await chat(stack.relayUrl, { stream: true });
  await answer.text();
  const missing = await chat(stack.relayUrl, { model: "<img src=x onerror=alert(1)>" });
  const refusal = (await missing.json()).error;
  await (await fetch(`${stack.relayUrl}/health`)).body?.cancel();
  const [failed, streamed] = (await rows(stack.relayUrl)).reverse();
  equal(streamed.dialect, "openai");
  equal(streamed.client, "console-test/1");
  equal(streamed.requestedModel, CLAUDE);
  equal(streamed.answeredModel, "claude-sonnet-4-20250514");
  equal(streamed.status, 200);
  equal(streamed.outcome, "completed");
  ok(streamed.firstByteMs >= 0 && streamed.durationMs >= streamed.firstByteMs);
  ok(streamed.tokens.in > 0 && streamed.tokens.out > 0);
  equal(failed.status, missing.status);
  equal(failed.outcome, "error");
  equal(failed.requestedModel, "<img src=x onerror=alert(1)>", "kept as text; the page renders it as text");
  deepEqual(failed.error, { code: refusal.code ?? null, message: refusal.message }, "the error the client got");
  equal((await rows(stack.relayUrl)).length, 2, "probes and the console's calls are not listed");
});

Deno.test("the live feed over HTTP: a snapshot, then each request as it ends", async () => {
  await using stack = await startStack({ app: { console: webConsole() } });
  await (await chat(stack.relayUrl, {})).text();
  const feed = await fetch(`${stack.relayUrl}/ui/api/requests/live`);
  equal(feed.headers.get("content-type"), "text/event-stream");
  const reader = feed.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n\n")) text += (await reader.read()).value;
  match(text, /^event: snapshot\ndata: \[\{"id":"req_/);
  await (await chat(stack.relayUrl, { stream: true })).text();
  while (!text.includes("event: ended")) text += (await reader.read()).value;
  match(text, /event: ended\ndata: \{"id":"req_\w+",.*"status":200,"outcome":"completed"/);
  await reader.cancel();
});

Deno.test("a request's timeline: received, upstream request, retries, continuation rounds, first event and byte, end", async () => {
  await using stack = await startStack({
    upstream: { defaultMaxTokens: 12 },
    app: { console: webConsole(), retry: { maxRetries: 2, maxWaitMs: 1000 } },
  });
  stack.simulator.script({ status: 503, message: "maintenance" });
  await (await chat(stack.relayUrl, {
    stream: true,
    messages: [{ role: "user", content: "[[sim words=40]] A long story" }],
  })).text();
  const [row] = await rows(stack.relayUrl);
  equal(row.retries, 1);
  ok(row.continuations >= 2, `${row.continuations} continuation rounds`);
  const detail = await (await fetch(`${stack.relayUrl}/ui/api/requests/${row.id}`)).json();
  const labels = detail.timeline.map((step: { label: string }) => step.label);
  equal(labels[0], "received");
  equal(labels.at(-1), "completed");
  for (const label of ["upstream request", "retried", "continuation", "first event", "first byte"]) {
    ok(labels.includes(label), `${label} in ${labels}`);
  }
  equal(labels.filter((label: string) => label === "continuation").length, row.continuations);
  match(detail.timeline.find((step: { label: string }) => step.label === "retried").detail, /^50\d$/);
  const times = detail.timeline.map((step: { atMs: number }) => step.atMs);
  deepEqual(times, [...times].sort((a, b) => a - b));
  equal(detail.bodies, null, "no bodies without logBodies");
  equal((await fetch(`${stack.relayUrl}/ui/api/requests/req_gone`)).status, 404);
});

Deno.test("with logBodies a request's bodies are shown as the body log has them; no token, key or cookie reaches the page", async () => {
  await using stack = await startStack({ app: { console: webConsole(), logBodies: true } });
  const secrets = [TOKEN, "sgs=a1b2c3d4e5f6a7b8", "sk-abcdefghijklmnop"];
  await (await chat(stack.relayUrl, {
    stream: true,
    messages: [{
      role: "user",
      content: `my token is ${TOKEN}, my cookie sgs=a1b2c3d4e5f6a7b8, and sk-abcdefghijklmnop`,
    }],
  })).text();
  const bad = await chat(stack.relayUrl, { model: `unknown-${TOKEN}` });
  await bad.body?.cancel();
  const [row] = await rows(stack.relayUrl);
  const detail = await (await fetch(`${stack.relayUrl}/ui/api/requests/${row.id}`)).json();
  match(detail.bodies.request, /my token is \[redacted\], my cookie sgs=\[redacted\]/);
  match(detail.bodies.answer, /^data: \{"id":"chatcmpl/);
  const served = [
    ...await Promise.all(
      [...API_PATHS, `requests/${row.id}`].map(async (path) =>
        await (await fetch(`${stack.relayUrl}/ui/api/${path}`)).text()
      ),
    ),
    ...await Promise.all(
      Object.values(CONSOLE_PAGES).map(async (page) => await (await fetch(`${stack.relayUrl}${page.path}`)).text()),
    ),
  ].join("\n");
  const feed = await fetch(`${stack.relayUrl}/ui/api/requests/live`);
  const reader = feed.body!.pipeThrough(new TextDecoderStream()).getReader();
  const snapshot = (await reader.read()).value!;
  await reader.cancel();
  for (const secret of secrets) {
    ok(!served.includes(secret) && !snapshot.includes(secret), `${secret.slice(0, 6)}… reached the page`);
  }
  match(served, /unknown-sgp_\[redacted\]/, "the failed request's model and error are shown, redacted");
});
