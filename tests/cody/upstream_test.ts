/** CodyUpstream against the simulator: version negotiation, credentials, fallbacks, failures, secrecy. */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { CodyUpstream } from "../../lib/cody/upstream.ts";
import { answerStream } from "../../lib/hub/answer_stream.ts";
import { collectAnswer } from "../../lib/hub/collect.ts";
import type { RelayError } from "../../lib/hub/errors.ts";
import type { RelayRequest } from "../../lib/hub/request.ts";
import { createSimulator, type SimulatorOptions } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";

const hello: RelayRequest = { messages: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }], maxTokens: 6 };

function upstreamFor(options: SimulatorOptions, rewrite?: (request: Request) => Response | undefined) {
  const simulator = createSimulator({ accessTokens: [TOKEN], ...options });
  const upstream = new CodyUpstream({
    endpoint: "http://sourcegraph.test",
    fetch: (request) => Promise.resolve(rewrite?.(request) ?? simulator.fetch(request)),
  });
  return { simulator, upstream };
}

Deno.test("a 406 for the reported api-version retries once at the next lower version, and remembers it", async () => {
  const { simulator, upstream } = upstreamFor(
    { apiVersion: 8 },
    (request) =>
      new URL(request.url).pathname === "/.api/client-config"
        ? Response.json({ latestSupportedCompletionsStreamAPIVersion: 9 })
        : undefined,
  );
  const answer = await collectAnswer(await answerStream(upstream, hello, { apiKey: TOKEN }));
  equal(answer.text, "This is the cody-relay simulator answering");
  await collectAnswer(await answerStream(upstream, hello, { apiKey: TOKEN }));
  deepEqual(simulator.requests.filter((r) => r.path === "/.api/completions/stream").map((r) => r.apiVersion), [
    "9",
    "8",
    "8",
  ]);
});

Deno.test("an instance without client-config gets api-version 1 and its cumulative stream decodes", async () => {
  const { simulator, upstream } = upstreamFor({ clientConfig: false });
  const answer = await collectAnswer(await answerStream(upstream, hello, { apiKey: TOKEN }));
  equal(answer.text, "This is the cody-relay simulator answering");
  equal(answer.finishReason, "length");
  equal(simulator.requests.at(-1)!.apiVersion, "1");
});

Deno.test("models fall back to /.api/llm/models on instances without the model catalog", async () => {
  const { upstream } = upstreamFor(
    {},
    (request) =>
      new URL(request.url).pathname === "/.api/modelconfig/supported-models.json"
        ? new Response("404 page not found\n", { status: 404 })
        : undefined,
  );
  const models = await upstream.models({ apiKey: TOKEN });
  ok(models.some((model) => model.id === "google::v1::gemini-2.0-flash" && model.ownedBy === "google"));
});

Deno.test("a key that is not an access token is sent as the sgs session cookie", async () => {
  const { simulator, upstream } = upstreamFor({ sessionCookies: ["my-session"] });
  await collectAnswer(await answerStream(upstream, hello, { apiKey: "my-session" }));
  equal(simulator.requests.at(-1)!.auth, "session");
  await rejects(
    answerStream(upstream, hello, { apiKey: "other-session" }),
    (error: RelayError) => error.status === 401,
  );
});

Deno.test("an unreachable instance is a 502 naming the origin", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = closed.addr as Deno.NetAddr;
  closed.close();
  const upstream = new CodyUpstream({ endpoint: `http://127.0.0.1:${port}`, accessToken: TOKEN });
  await rejects(answerStream(upstream, hello, {}), (error: RelayError) => {
    equal(error.status, 502);
    match(error.message, new RegExp(`cannot reach Sourcegraph at http://127.0.0.1:${port}`));
    return true;
  });
});

Deno.test("tokens never appear in log records, even at debug level and on failures", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { capture: (record) => records.push(record) },
    loggers: [{ category: "cody-relay", lowestLevel: "debug", sinks: ["capture"] }],
    reset: true,
  });
  try {
    const { upstream } = upstreamFor({});
    await collectAnswer(await answerStream(upstream, hello, { apiKey: TOKEN }));
    await upstream.models({ apiKey: TOKEN });
    await rejects(
      answerStream(upstream, hello, { apiKey: "sgp_0000000000000000_badbadbadbadbadbadbadbadbadbadbadbadbadb" }),
    );
    const { upstream: broken } = upstreamFor({}, () => new Response("oops", { status: 500 }));
    await rejects(answerStream(broken, hello, { apiKey: TOKEN }));
  } finally {
    await reset();
  }
  ok(records.length > 0, "something was logged");
  const logged = JSON.stringify(records.map((record) => [record.message, record.properties]));
  ok(!logged.includes(TOKEN) && !logged.includes("badbadbad"), logged);
});

Deno.test("ready(): reachable when client-config answers below 500 (even 401), cached; 5xx and network errors are not", async () => {
  let status = 401;
  let calls = 0;
  const { upstream } = upstreamFor({}, (request) => {
    if (new URL(request.url).pathname !== "/.api/client-config") return undefined;
    calls++;
    return new Response("", { status });
  });
  await upstream.ready();
  await upstream.ready();
  equal(calls, 1, "cached");
  status = 503;
  const down = new CodyUpstream({
    endpoint: "http://sourcegraph.test",
    fetch: () => Promise.resolve(new Response("", { status })),
  });
  await rejects(down.ready(), (error: RelayError) => error.status === 503 && /answered 503/.test(error.message));
  const unreachable = new CodyUpstream({
    endpoint: "http://sourcegraph.test",
    fetch: () => Promise.reject(new TypeError("connection refused")),
  });
  await rejects(
    unreachable.ready(),
    (error: RelayError) => /cannot reach Sourcegraph.*connection refused/.test(error.message),
  );
});
