/**
 * The legacy-SSE adapter end to end: the openai client → the relay → a small legacy search
 * API on loopback that streams Python-style dicts, as the seed describes it.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { AdapterUpstream } from "../../lib/adapters/adapter_upstream.ts";
import { legacySseAdapter } from "../../lib/adapters/legacy_sse.ts";
import { createApp } from "../../lib/server/app.ts";
import { serve } from "../../lib/server/serve.ts";

interface Seen {
  query: string | null;
  top: string | null;
  session: string | null;
}

/** The legacy API: words of the answer, then citations (one repeated), as `str(dict)` SSE lines. */
async function legacyApi(behaviour: "answer" | "error" | "status" = "answer") {
  const seen: Seen[] = [];
  const server = await serve({
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      seen.push({
        query: url.searchParams.get("search_query"),
        top: url.searchParams.get("topNDocuments"),
        session: url.searchParams.get("sessionID"),
      });
      if (behaviour === "status") return new Response("search backend down", { status: 503 });
      const words = ["Relays", "are", "bridges", "for", `'${url.searchParams.get("search_query")}'.`];
      const events = [
        ...words.map((word) => `data: {'type': 'response', 'data': ${pyString(word)}}\n\n`),
        ...(behaviour === "error" ? ["data: {'type': 'error', 'data': 'index unavailable'}\n\n"] : []),
        "data: {'type': 'citation', 'data': 'doc-17'}\n\n",
        "data: {'type': 'citation', 'data': 'doc-4'}\n\n",
        "data: {'type': 'citation', 'data': 'doc-17'}\n\n",
      ];
      return new Response(ReadableStream.from(events.map((event) => new TextEncoder().encode(event))), {
        headers: { "content-type": "text/event-stream" },
      });
    },
  });
  return { seen, url: server.url, shutdown: () => server.shutdown() };
}

function pyString(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

async function relayFor(api: { url: string }) {
  const upstream = new AdapterUpstream(legacySseAdapter({
    url: `${api.url}/stream?search_query=\${query}&topNDocuments=3&sessionID=\${session}`,
  }));
  const relay = await serve({ fetch: createApp({ upstream, retry: { maxRetries: 0 } }).fetch, port: 0 });
  return {
    openai: new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "unused", maxRetries: 0 }),
    shutdown: () => relay.shutdown(),
  };
}

Deno.test("words stream as content, citations come once each as a bullet list at the end", async () => {
  const api = await legacyApi();
  const relay = await relayFor(api);
  try {
    const stream = await relay.openai.chat.completions.create({
      model: "legacy-sse",
      messages: [{ role: "user", content: "what is a relay & why?" }],
      stream: true,
    });
    const chunks = await Array.fromAsync(stream);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    equal(text, "Relays are bridges for 'what is a relay & why?'.\n\nCitations:\n- doc-17\n- doc-4");
    equal(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason, "stop");
    equal(api.seen[0].query, "what is a relay & why?", "the query is URL-encoded into the template");
    equal(api.seen[0].top, "3");
    match(api.seen[0].session ?? "", /^[0-9a-f-]{36}$/);
    const again = await relay.openai.chat.completions.create({
      model: "legacy-sse",
      messages: [{ role: "user", content: "x" }],
    });
    ok(again.choices[0].message.content);
    ok(api.seen[1].session !== api.seen[0].session, "a session per request");
    deepEqual((await relay.openai.models.list()).data.map((model) => model.id), ["legacy-sse"]);
  } finally {
    await relay.shutdown();
    await api.shutdown();
  }
});

Deno.test("an error event and an HTTP failure reach the client as errors; tools are refused with a 400", async () => {
  for (
    const [behaviour, expected] of [["error", /index unavailable/], ["status", /503: search backend down/]] as const
  ) {
    const api = await legacyApi(behaviour);
    const relay = await relayFor(api);
    try {
      const error = await relay.openai.chat.completions.create({
        model: "legacy-sse",
        messages: [{ role: "user", content: "q" }],
      }).then(() => undefined, (error) => error);
      ok(error instanceof OpenAI.APIError, String(error));
      match(error.message, expected);
    } finally {
      await relay.shutdown();
      await api.shutdown();
    }
  }
  const api = await legacyApi();
  const relay = await relayFor(api);
  try {
    const refused = await relay.openai.chat.completions.create({
      model: "legacy-sse",
      messages: [{ role: "user", content: "q" }],
      tools: [{ type: "function", function: { name: "f" } }],
    }).then(() => undefined, (error) => error);
    ok(refused instanceof OpenAI.BadRequestError);
    match(refused.message, /cannot call tools/);
    equal(api.seen.length, 0, "nothing was sent");
  } finally {
    await relay.shutdown();
    await api.shutdown();
  }
});
