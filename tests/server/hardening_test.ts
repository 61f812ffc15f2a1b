/** Gateway keys, body limits, health, readiness, metrics and the request log line, in-process. */
import { streamUpstream } from "../../lib/hub/answer_stream.ts";
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { RelayRequest } from "../../lib/hub/request.ts";
import type { Upstream, UpstreamContext } from "../../lib/hub/upstream.ts";
import { type AppOptions, createApp } from "../../lib/server/app.ts";
import { RelayMetrics } from "../../lib/server/metrics.ts";
import { answerRequest, type AnswerShape } from "../../lib/server/respond.ts";
import { RequestTrace } from "../../lib/server/trace.ts";

const seen: UpstreamContext[] = [];
const asked: RelayRequest[] = [];
const upstream = streamUpstream({
  chat: (request, context) => {
    seen.push(context);
    asked.push(request);
    return Promise.resolve(ReadableStream.from<RelayEvent>([
      { type: "text", text: "ok" },
      { type: "usage", usage: { promptTokens: 3, completionTokens: 1 } },
      { type: "finish", reason: "stop" },
    ]));
  },
  models: () => Promise.resolve([{ id: "m", ownedBy: "me" }]),
  ready: () => Promise.resolve(),
});

function app(options: Partial<AppOptions> = {}) {
  return createApp({ upstream, ...options });
}

const BODIES: Record<string, unknown> = {
  "/v1/chat/completions": { model: "m", messages: [{ role: "user", content: "Hi" }] },
  "/v1/messages": { model: "m", max_tokens: 10, messages: [{ role: "user", content: "Hi" }] },
  "/api/chat": { model: "m", stream: false, messages: [{ role: "user", content: "Hi" }] },
  "/completion": { prompt: "Hi" },
};

/** Each dialect's error message, from its own error shape (so a wrong shape fails). */
function errorMessage(path: string, body: Record<string, unknown>): string | undefined {
  if (path === "/v1/messages") return body.type === "error" ? (body.error as { message: string }).message : undefined;
  if (path === "/api/chat") return typeof body.error === "string" ? body.error : undefined;
  const error = body.error as { message?: string; code?: unknown; type?: string } | undefined;
  if (path === "/completion") return typeof error?.code === "number" ? error.message : undefined;
  return error?.type ? error.message : undefined;
}

function post(relay: ReturnType<typeof app>, path: string, headers: Record<string, string> = {}, body?: string) {
  return relay.fetch(
    new Request(`http://relay${path}`, { method: "POST", headers, body: body ?? JSON.stringify(BODIES[path]) }),
  );
}

Deno.test("gateway keys: every dialect answers 401 in its own shape without one, and accepts each key three ways", async () => {
  const relay = app({ apiKeys: ["relay-key-one", "relay-key-two"] });
  for (const path of Object.keys(BODIES)) {
    const refused: Record<string, string>[] = [{}, { authorization: "Bearer wrong-key" }, {
      "x-api-key": "relay-key-on",
    }];
    for (const headers of refused) {
      const response = await post(relay, path, headers);
      equal(response.status, 401, path);
      match(errorMessage(path, await response.json()) ?? "", /needs one of its API keys/, path);
    }
    const accepted: Record<string, string>[] = [
      { authorization: "Bearer relay-key-one" },
      { "x-api-key": "relay-key-two" },
      { "api-key": "relay-key-one" },
    ];
    for (const headers of accepted) {
      const response = await post(relay, path, headers);
      equal(response.status, 200, `${path} ${JSON.stringify(headers)}`);
      await response.body?.cancel();
    }
  }
  equal((await relay.fetch(new Request("http://relay/health"))).status, 200, "probes need no key");
  equal((await relay.fetch(new Request("http://relay/health/ready"))).status, 200);
  equal((await relay.fetch(new Request("http://relay/v1/models"))).status, 401, "model lists need a key");
});

Deno.test("request bodies over the limit are a 413 in each dialect's shape, by content-length or while reading", async () => {
  const relay = app({ maxBodyBytes: 2048 });
  const big = JSON.stringify({ model: "m", messages: [{ role: "user", content: "x".repeat(4096) }] });
  for (const path of Object.keys(BODIES)) {
    const declared = await post(relay, path, {}, big);
    equal(declared.status, 413, path);
    match(errorMessage(path, await declared.json()) ?? "", /larger than the relay's limit of 2048 bytes/);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await relay.fetch(
      new Request(`http://relay${path}`, { method: "POST", body: chunked, duplex: "half" } as RequestInit),
    );
    equal(streamed.status, 413, `${path} without content-length`);
    await streamed.body?.cancel();
    const understated = await post(relay, path, { "content-length": "100" }, big);
    equal(understated.status, 413, `${path} with a content-length smaller than the body (an in-process request)`);
    await understated.body?.cancel();
  }
});

Deno.test("a body without content-length is read whole, whatever its reads cut (characters included)", async () => {
  const relay = app();
  const content = "é€😀 ".repeat(500);
  const body = new TextEncoder().encode(JSON.stringify({ model: "m", messages: [{ role: "user", content }] }));
  for (
    const cuts of [
      [body.length],
      [1, 2, 3, 5, 8, 13, 2000, body.length],
      [...Array(body.length).keys()].map((at) => at + 1),
    ]
  ) {
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        cuts.forEach((end, index) => controller.enqueue(body.slice(cuts[index - 1] ?? 0, end)));
        controller.close();
      },
    });
    const response = await relay.fetch(
      new Request("http://relay/v1/chat/completions", { method: "POST", body: chunked, duplex: "half" } as RequestInit),
    );
    equal(response.status, 200, `${cuts.length} reads`);
    await response.body?.cancel();
    deepEqual(asked.at(-1)?.messages[0].parts, [{ type: "text", text: content }], `${cuts.length} reads`);
  }
});

Deno.test("malformed JSON is a 400 with the parser's position", async () => {
  const response = await post(app(), "/v1/chat/completions", {}, '{"model": "m", "messages": [}');
  equal(response.status, 400);
  match((await response.json()).error.message, /not valid JSON: it breaks at line 1 column 29 \(position 28\)/);
});

Deno.test("/health shows warnings; /health/ready is 503 with the reason when the upstream cannot be reached", async () => {
  const warned = app({ warnings: ["TLS verification is off"] });
  deepEqual(await (await warned.fetch(new Request("http://relay/health"))).json(), {
    status: "ok",
    warnings: ["TLS verification is off"],
  });
  const down = createApp({ upstream: { ...upstream, ready: () => Promise.reject(new Error("connection refused")) } });
  const response = await down.fetch(new Request("http://relay/health/ready"));
  equal(response.status, 503);
  deepEqual(await response.json(), { status: "unavailable", error: "internal error: connection refused" });
});

Deno.test("/metrics is off by default; when on, it counts requests, tokens, first byte and active streams", async () => {
  const off = await app().fetch(new Request("http://relay/metrics"));
  equal(off.status, 404);
  match((await off.json()).error.message, /Metrics are off: start the relay with --metrics/);
  const relay = app({ metrics: true });
  await (await post(relay, "/v1/chat/completions")).json();
  const stream = await post(
    relay,
    "/v1/chat/completions",
    {},
    JSON.stringify({ ...BODIES["/v1/chat/completions"] as object, stream: true }),
  );
  const during = await (await relay.fetch(new Request("http://relay/metrics"))).text();
  match(during, /cody_relay_active_streams\{front="openai"\} 1/);
  await stream.text();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const after = await (await relay.fetch(new Request("http://relay/metrics"))).text();
  match(after, /# TYPE cody_relay_requests_total counter/);
  match(after, /cody_relay_requests_total\{front="openai",model="m",status="200",outcome="completed"\} 2/);
  match(after, /cody_relay_tokens_total\{model="m",direction="out"\} 2/);
  match(after, /cody_relay_time_to_first_byte_seconds_count\{front="openai"\} 2/);
  match(after, /cody_relay_request_duration_seconds_bucket\{front="openai",le="\+Inf"\} 2/);
  match(after, /cody_relay_active_streams\{front="openai"\} 0/);
});

Deno.test("a body nested deeper than 128 levels is a 400 in each dialect's shape; 128 levels pass", async () => {
  const schema = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  // The tool schema sits four levels down in each body: {tools: [{function: {parameters: …}}]} and the like.
  const bodies: Record<string, (depth: number) => string> = {
    "/v1/chat/completions": (depth) =>
      `{"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${
        schema(depth - 4)
      }}}]}`,
    "/v1/messages": (depth) =>
      `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"Hi"}],"tools":[{"name":"f","input_schema":${
        schema(depth - 3)
      }}]}`,
    "/v1/responses": (depth) =>
      `{"model":"m","input":"Hi","tools":[{"type":"function","name":"f","parameters":${schema(depth - 3)}}]}`,
    "/v1beta/models/m:generateContent": (depth) =>
      `{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"tools":[{"functionDeclarations":[{"name":"f","parameters":${
        schema(depth - 5)
      }}]}]}`,
  };
  for (const [path, body] of Object.entries(bodies)) {
    for (const depth of [129, 10_000]) {
      const deep = await post(app(), path, { "content-type": "application/json" }, body(depth));
      equal(deep.status, 400, `${path} at ${depth}`);
      const { error } = await deep.json() as { error: { message: string } };
      match(error.message, /nests objects and arrays more than 128 levels deep/, path);
    }
    const deepest = await post(app(), path, { "content-type": "application/json" }, body(128));
    equal(deepest.status, 200, `${path}: ${await deepest.clone().text()}`);
    await deepest.text();
  }
});

Deno.test("a model name a header cannot carry is answered, percent-encoded in x-cody-relay-model", async () => {
  const model = "模型\nb";
  for (const path of ["/v1/chat/completions", "/v1/messages", "/api/chat"]) {
    for (const stream of [false, true]) {
      const body = JSON.stringify({ ...BODIES[path] as object, model, stream });
      const response = await post(app(), path, { "content-type": "application/json" }, body);
      equal(response.status, 200, `${path} stream=${stream}: ${await response.clone().text()}`);
      equal(response.headers.get("x-cody-relay-model"), encodeURIComponent(model), path);
      await response.text();
    }
  }
});

Deno.test("metrics keep each label set apart and escape the values clients choose", () => {
  const metrics = new RelayMetrics();
  const ended = (model: string, streaming: boolean) => {
    const trace = new RequestTrace();
    trace.front = "openai";
    trace.model = model;
    trace.streaming = streaming;
    trace.usage = { promptTokens: 1, completionTokens: 2 };
    trace.end("completed");
    if (streaming) metrics.streamStarted(trace);
    metrics.record(trace, 200);
  };
  ended('a"b\\c\nd', true);
  ended("a", false);
  ended("a", false);
  const text = metrics.render();
  match(
    text,
    /cody_relay_requests_total\{front="openai",model="a\\"b\\\\c\\nd",status="200",outcome="completed"\} 1\n/,
  );
  match(text, /cody_relay_requests_total\{front="openai",model="a",status="200",outcome="completed"\} 2\n/);
  match(text, /cody_relay_tokens_total\{model="a",direction="out"\} 4\n/);
  match(text, /cody_relay_request_duration_seconds_bucket\{front="openai",le="0.005"\} 3\n/);
  match(text, /cody_relay_request_duration_seconds_count\{front="openai"\} 3\n/);
  match(text, /cody_relay_active_streams\{front="openai"\} 0\n/);
});

Deno.test("one log line per request, after a stream ends, with the trace's figures and no message contents", async () => {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { capture: (record) => records.push(record) },
    loggers: [{ category: ["cody-relay", "http"], lowestLevel: "info", sinks: ["capture"] }],
  });
  try {
    const relay = app();
    const stream = await post(
      relay,
      "/v1/chat/completions",
      {},
      JSON.stringify({ ...BODIES["/v1/chat/completions"] as object, stream: true }),
    );
    await stream.text();
    await new Promise((resolve) => setTimeout(resolve, 0));
    equal(records.length, 1);
    const fields = records[0].properties;
    equal(fields.front, "openai");
    equal(fields.model, "m");
    equal(fields.status, 200);
    equal(fields.outcome, "completed");
    equal(fields.tokensIn, 3);
    equal(fields.tokensOut, 1);
    equal(fields.retries, 0);
    ok(typeof fields.firstByteMs === "number" && typeof fields.durationMs === "number");
    ok(!JSON.stringify(records).includes('"Hi"'), "no message contents");
  } finally {
    await reset();
  }
});

Deno.test("a gateway key is never passed to the upstream as a credential, nor sent back in a header", async () => {
  seen.length = 0;
  const relay = app({ apiKeys: ["relay-key-one"] });
  const response = await post(relay, "/v1/chat/completions", { authorization: "Bearer relay-key-one" });
  ok(![...response.headers].some(([, value]) => value.includes("relay-key-one")));
  await response.body?.cancel();
  equal(seen.length, 1);
  equal(seen[0].apiKey, undefined);
  await (await post(app(), "/v1/chat/completions", { authorization: "Bearer sgp_client_token" })).body?.cancel();
  equal(seen[1].apiKey, "sgp_client_token", "without gateway keys the client's key is its credential");
});

Deno.test("a streamed answer whose response cannot be built is an error that cancels the upstream", async () => {
  let cancelled = false;
  const pushing: Upstream = {
    open: (_request, _context, sink) => {
      sink([{ type: "text", text: "Hi" }]);
      return Promise.resolve({ pause() {}, resume() {}, cancel: () => void (cancelled = true) });
    },
    models: () => Promise.resolve([]),
  };
  const broken = new Error("no encoding for this");
  const shape: AnswerShape = {
    stream: true,
    toJson: () => ({}),
    encoding: () => {
      throw broken;
    },
  };
  const raw = new Request("http://relay/v1/chat/completions", { method: "POST" });
  const error = await answerRequest(pushing, raw, { messages: [] }, shape, { keepAliveMs: 50 }).catch((error) => error);
  equal(error, broken);
  ok(cancelled, "the upstream was cancelled");
});
