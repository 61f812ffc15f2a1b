/**
 * The hooks the built-in Cody and OpenAI-compatible adapters rest on, each on a small API
 * served over loopback: values `setup` adds to the env, `buildHeaders`, `onExit` asking
 * for one more try, `streamAnswer` with `usage`, `models` as a function, `ready`, and the
 * answers that are not event streams (HTML pages, unreadable JSON).
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import type { UpstreamAdapter } from "../../lib/adapters/adapter.ts";
import { AdapterUpstream } from "../../lib/adapters/adapter_upstream.ts";
import { answerStream } from "../../lib/hub/answer_stream.ts";
import { RelayError } from "../../lib/hub/errors.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { RelayRequest } from "../../lib/hub/request.ts";
import { serve } from "../../lib/server/serve.ts";

const hello: RelayRequest = { messages: [{ role: "user", parts: [{ type: "text", text: "hello" }] }] };

/** A versioned API: `POST /v{n}/say` streams `data: word` lines ended by `event: end`; only v1 and v2 exist. */
async function versionedApi() {
  const seen: { path: string; key: string | null }[] = [];
  const server = await serve({
    port: 0,
    fetch(request) {
      const { pathname } = new URL(request.url);
      seen.push({ path: pathname, key: request.headers.get("x-key") });
      if (pathname === "/models") return Response.json([`for-${request.headers.get("x-key")}`]);
      if (pathname === "/health") return new Response("down", { status: 503 });
      if (pathname === "/html") return new Response("<!doctype html><p>Just a moment…</p>", { headers: html });
      if (pathname === "/json") return new Response("{not json", { headers: { "content-type": "application/json" } });
      if (!["/v1/say", "/v2/say"].includes(pathname)) return new Response("no such version", { status: 409 });
      return new Response(`data: one\n\ndata: two\n\nevent: end\ndata: ${pathname}\n\n`, {
        headers: { "content-type": "text/event-stream" },
      });
    },
  });
  return { seen, url: server.url, [Symbol.asyncDispose]: () => server.shutdown() };
}
const html = { "content-type": "text/html; charset=utf-8" };

/** An adapter that asks for `version` (set by setup), steps down on 409, and counts words itself. */
function versioned(url: string, startAt: number): UpstreamAdapter {
  return {
    name: "versioned",
    formattedName: "the versioned API",
    url: `${url}/v\${version}/say`,
    capabilities: { streaming: true, tools: false, vision: false, fim: false, thinking: false },
    models: async (scope) => {
      const response = await scope.fetch(new Request(`${url}/models`, { headers: { "x-key": scope.apiKey ?? "" } }));
      return (await response.json() as string[]).map((id) => ({ id, ownedBy: "versioned" }));
    },
    ready: async (scope) => {
      const response = await scope.fetch(new Request(`${url}/health`));
      throw new Error(`health answered ${response.status}: ${await response.text()}`);
    },
    handlers: {
      setup(context) {
        context.env.version = String(startAt);
      },
      buildHeaders: (headers, context) => ({ ...headers, "x-key": `key:${context.apiKey}` }),
      streamAnswer(context, emit) {
        let words = 0;
        let ended = false;
        return {
          get ended() {
            return ended;
          },
          accept(message) {
            if (message.event === "end") {
              context.state.path = message.data;
              context.state.words = words;
              emit({ type: "finish", reason: "stop" });
              ended = true;
            } else {
              words++;
              emit({ type: "text", text: `${message.data} ` });
            }
          },
          end() {
            emit({ type: "error", error: new RelayError(502, "the versioned API stopped before `end`") });
            ended = true;
          },
        };
      },
      usage: (context) => ({ promptTokens: 1, completionTokens: Number(context.state.words) }),
      onExit(exit, context) {
        if (exit.status !== 409 || context.env.version === "1") return undefined;
        context.env.version = String(Number(context.env.version) - 1);
        return "retry";
      },
    },
  };
}

Deno.test("setup's env values fill the URL; onExit's retry is sent once with the changed context", async () => {
  await using api = await versionedApi();
  const upstream = new AdapterUpstream(versioned(api.url, 3));
  const events = await Array.fromAsync(await answerStream(upstream, hello, { apiKey: "k1" }));
  deepEqual(events.map((event) => event.type), ["text", "usage", "finish"]);
  deepEqual(events[0], { type: "text", text: "one two " });
  deepEqual(events[1], { type: "usage", usage: { promptTokens: 1, completionTokens: 2 } }, "usage() ran before finish");
  deepEqual(api.seen.map(({ path }) => path), ["/v3/say", "/v2/say"]);
  deepEqual(api.seen.map(({ key }) => key), ["key:k1", "key:k1"], "buildHeaders saw the client's key");
});

Deno.test("a second refusal after a retry is an error, not a loop", async () => {
  await using api = await versionedApi();
  const upstream = new AdapterUpstream(versioned(api.url, 5));
  await rejects(answerStream(upstream, hello, {}), (error: RelayError) => {
    equal(error.status, 502);
    match(error.message, /^the versioned API answered 409: no such version$/);
    return true;
  });
  deepEqual(api.seen.map(({ path }) => path), ["/v5/say", "/v4/say"]);
});

Deno.test("models as a function get the client's key and the upstream's fetch; ready reports the adapter's reason", async () => {
  await using api = await versionedApi();
  let fetched = 0;
  const upstream = new AdapterUpstream(versioned(api.url, 1), {
    fetch: (request) => (fetched++, fetch(request)),
  });
  deepEqual(await upstream.models({ apiKey: "k2" }), [{ id: "for-k2", ownedBy: "versioned" }]);
  await rejects(upstream.ready(), /health answered 503: down/);
  equal(fetched, 2, "both went through the upstream's fetch");
});

Deno.test("an HTML page with 200 is a 502 that names it, even for an adapter that reads JSON bodies", async () => {
  await using api = await versionedApi();
  const adapter: UpstreamAdapter = {
    ...versioned(api.url, 1),
    url: `${api.url}/html`,
    handlers: { parseBody: () => [{ type: "finish", reason: "stop" }] },
  };
  await rejects(answerStream(new AdapterUpstream(adapter), hello, {}), (error: RelayError) => {
    equal(error.status, 502);
    match(error.message, /the versioned API answered 200 with an HTML page \(likely from a proxy or firewall/);
    ok(!error.message.includes("Just a moment"), "the page is not echoed");
    return true;
  });
});

Deno.test("a JSON body that cannot be parsed is a 502 saying so; teardown still runs", async () => {
  await using api = await versionedApi();
  const torndown: string[] = [];
  const adapter: UpstreamAdapter = {
    ...versioned(api.url, 1),
    url: `${api.url}/json`,
    handlers: {
      parseBody: (): RelayEvent[] => [{ type: "finish", reason: "stop" }],
      teardown: () => void torndown.push("json"),
    },
  };
  await rejects(answerStream(new AdapterUpstream(adapter), hello, {}), (error: RelayError) => {
    equal(error.status, 502);
    match(error.message, /the versioned API sent a body this relay cannot read: .*JSON/);
    return true;
  });
  deepEqual(torndown, ["json"]);
});

Deno.test("buildHeaders gets its own copy of the adapter's headers each request: what it writes does not reach the next", async () => {
  await using api = await versionedApi();
  const adapter = versioned(api.url, 2);
  adapter.headers = { "x-fixed": "1" };
  adapter.handlers.buildHeaders = (headers) => {
    headers["x-key"] = `${headers["x-key"] ?? ""}k`;
    return headers;
  };
  const upstream = new AdapterUpstream(adapter);
  for (let request = 0; request < 2; request++) await Array.fromAsync(await answerStream(upstream, hello, {}));
  deepEqual(api.seen.map(({ key }) => key), ["k", "k"]);
  equal(adapter.headers["x-key"], undefined);
});

Deno.test("${query} is the last user message's text; an env entry or setup may set it instead", async () => {
  const asked: string[] = [];
  const api = await serve({
    port: 0,
    fetch(request) {
      asked.push(new URL(request.url).searchParams.get("q") ?? "");
      return new Response("data: ok\n\n", { headers: { "content-type": "text/event-stream" } });
    },
  });
  const adapter = (extra: Partial<UpstreamAdapter>): UpstreamAdapter => ({
    name: "query",
    url: `${api.url}/?q=\${query}`,
    method: "GET",
    capabilities: { streaming: true, tools: false, vision: false, fim: false, thinking: false },
    ...extra,
    handlers: {
      parseEvent: (message) => [{ type: "text", text: message.data }, { type: "finish", reason: "stop" }],
      ...extra.handlers,
    },
  });
  const request: RelayRequest = {
    messages: [
      { role: "user", parts: [{ type: "text", text: "first" }] },
      { role: "assistant", parts: [{ type: "text", text: "answer" }] },
      { role: "user", parts: [{ type: "text", text: "last &" }, { type: "text", text: "part" }] },
    ],
  };
  try {
    for (
      const upstream of [
        new AdapterUpstream(adapter({})),
        new AdapterUpstream(adapter({ env: { query: "from env" } })),
        new AdapterUpstream(adapter({ handlers: { setup: (context) => void (context.env.query = "from setup") } })),
      ]
    ) await Array.fromAsync(await answerStream(upstream, request, {}));
  } finally {
    await api.shutdown();
  }
  deepEqual(asked, ["last &\npart", "from env", "from setup"]);
});
