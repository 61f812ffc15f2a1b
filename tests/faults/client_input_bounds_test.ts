/**
 * Work proportional to a client's string is bounded, and errors quote at most a short
 * prefix of it: model ids (length limit, close matches), stop sequences (count, length,
 * matching), fill-in-the-middle template detection, token estimates, and the JSON error
 * position of a malformed body. Each place is driven with the input that used to stall it;
 * the relay over loopback answers `/health` while it works.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { configuredApp } from "../../lib/cli/relay_app.ts";
import { parseConfig } from "../../lib/cli/config.ts";
import { parseFimPrompt } from "../../lib/fronts/fim_template.ts";
import { jsonErrorPosition } from "../../lib/hub/json_error_position.ts";
import { StopSequenceMatcher } from "../../lib/hub/stop_sequences.ts";
import { countTokens } from "../../lib/hub/usage_estimate.ts";
import { closeMatches } from "../../lib/routing/close_matches.ts";
import { serve } from "../../lib/server/serve.ts";

/** Generous: each of these took seconds to hours before it was bounded; bounded, each takes milliseconds. */
const PROMPTLY_MS = 2_000;

/** The demo relay as the CLI builds it (routed, with Cody's aliases), over loopback. */
async function demoRelay(): Promise<{ url: string } & AsyncDisposable> {
  const shutdown = new AbortController();
  const { app } = await configuredApp(parseConfig(["--log-level", "error"], {}), shutdown.signal);
  const server = await serve({ fetch: app.fetch, port: 0 });
  return {
    url: server.url,
    [Symbol.asyncDispose]: async () => {
      shutdown.abort();
      await server.shutdown();
    },
  };
}

/** Sends `body` to `path` while probing `/health`: the answer, its size, and how long /health took at most. */
async function sendWhileProbing(
  url: string,
  path: string,
  body: unknown,
): Promise<{ status: number; text: string; healthMs: number; ms: number }> {
  const started = performance.now();
  const answer = fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sgp_local_demo" },
    body: JSON.stringify(body),
  }).then(async (response) => ({ status: response.status, text: await response.text() }));
  let healthMs = 0;
  let done = false;
  void answer.finally(() => done = true);
  while (!done) {
    const probe = performance.now();
    await (await fetch(`${url}/health`)).body?.cancel();
    healthMs = Math.max(healthMs, performance.now() - probe);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { ...await answer, healthMs, ms: performance.now() - started };
}

const HUGE_ID = "x".repeat(5 * 1024 * 1024);
const ABSURD_REQUESTS: [
  path: string,
  body: Record<string, unknown>,
  param: (body: Record<string, unknown>) => unknown,
][] = [
  ["/v1/chat/completions", { model: HUGE_ID, messages: [{ role: "user", content: "Hi" }] }, (b) => openAIParam(b)],
  ["/v1/completions", { model: HUGE_ID, prompt: "Hi" }, (b) => openAIParam(b)],
  ["/v1/fim/completions", { model: HUGE_ID, prompt: "a", suffix: "b" }, (b) => openAIParam(b)],
  ["/v1/messages", { model: HUGE_ID, max_tokens: 9, messages: [{ role: "user", content: "Hi" }] }, (b) => b.type],
  ["/v1/messages/count_tokens", { model: HUGE_ID, messages: [{ role: "user", content: "Hi" }] }, (b) => b.type],
  ["/api/chat", { model: HUGE_ID, stream: false, messages: [{ role: "user", content: "Hi" }] }, (b) => b.error],
  ["/api/generate", { model: HUGE_ID, stream: false, prompt: "Hi" }, (b) => b.error],
  ["/api/show", { model: HUGE_ID }, (b) => b.error],
  ["/completion", { model: HUGE_ID, prompt: "Hi" }, (b) => (b.error as { message: string }).message],
];

function openAIParam(body: Record<string, unknown>): unknown {
  return (body.error as { param: string }).param;
}

Deno.test("a 5 MB model id is a 400 naming model in every dialect, with no matching; /health answers meanwhile", async () => {
  await using relay = await demoRelay();
  for (const [path, body, named] of ABSURD_REQUESTS) {
    const { status, text, healthMs, ms } = await sendWhileProbing(relay.url, path, body);
    equal(status, 400, path);
    ok(text.length < 1024, `${path}: the error is ${text.length} bytes`);
    const error = JSON.parse(text);
    match(String(named(error)), /model|error|must be at most 256 characters/, path);
    match(text, /model/, path);
    ok(ms < PROMPTLY_MS && healthMs < PROMPTLY_MS, `${path}: answered in ${ms} ms, /health in ${healthMs} ms`);
  }
});

Deno.test("an unknown id under the limit is a 404 quoting at most 64 characters; a typo still gets suggestions", async () => {
  await using relay = await demoRelay();
  const unknown = await sendWhileProbing(relay.url, "/v1/chat/completions", {
    model: "q".repeat(256),
    messages: [{ role: "user", content: "Hi" }],
  });
  equal(unknown.status, 404);
  ok(unknown.text.length < 512, unknown.text);
  match(
    unknown.text,
    new RegExp(`'${"q".repeat(64)}…' \\(256 characters\\) does not exist here \\(GET /v1/models lists the models\\)"`),
  );
  const typo = await sendWhileProbing(relay.url, "/v1/chat/completions", {
    model: "cody-sonet",
    messages: [{ role: "user", content: "Hi" }],
  });
  equal(typo.status, 404);
  match(typo.text, /did you mean 'cody-sonnet'/);
});

Deno.test("close matches: no work for a target beyond any id; bounded against many long candidates", () => {
  deepEqual(closeMatches("x".repeat(257), ["x".repeat(257)]), []);
  const candidates = Array.from({ length: 2_000 }, (_, index) => `provider::v${index}::${"ab".repeat(60)}-${index}`);
  const started = performance.now();
  for (const target of ["z".repeat(256), "ab".repeat(128), `provider::v7::${"ab".repeat(60)}`]) {
    closeMatches(target, candidates);
  }
  ok(performance.now() - started < PROMPTLY_MS, `${performance.now() - started} ms`);
  deepEqual(
    closeMatches("q".repeat(250), ["openai::2024-02-01::o1", "q"]),
    [],
    "a candidate inside the target is no match",
  );
});

Deno.test("stop sequences: more than 64, or one over 256 characters, is a 400 naming the field", async () => {
  await using relay = await demoRelay();
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["/v1/chat/completions", { messages: [{ role: "user", content: "Hi" }], stop: Array(65).fill("x") }, /stop/],
    ["/v1/chat/completions", { messages: [{ role: "user", content: "Hi" }], stop: "x".repeat(257) }, /stop/],
    ["/v1/messages", {
      model: "claude-sonnet-4-5",
      max_tokens: 9,
      messages: [{ role: "user", content: "Hi" }],
      stop_sequences: ["x".repeat(257)],
    }, /stop_sequences\[0\]/],
    ["/api/chat", {
      model: "cody-sonnet",
      stream: false,
      messages: [{ role: "user", content: "Hi" }],
      options: { stop: Array(65).fill("x") },
    }, /options\.stop/],
    ["/completion", { prompt: "Hi", stopSequences: ["x".repeat(257)] }, /stopSequences\[0\]/],
  ];
  for (const [path, body, field] of cases) {
    const { status, text } = await sendWhileProbing(relay.url, path, body);
    equal(status, 400, `${path} ${text}`);
    match(text, field, path);
  }
});

Deno.test("stop sequence matching is linear: 64 stops of 256 characters against 20,000 one-character pieces", () => {
  const stops = Array.from({ length: 64 }, (_, index) => `${"a".repeat(255)}${String.fromCharCode(0x4e00 + index)}`);
  const matcher = new StopSequenceMatcher(stops);
  const started = performance.now();
  let out = "";
  for (let piece = 0; piece < 20_000; piece++) out += matcher.push("a").text;
  out += matcher.flush();
  equal(out.length, 20_000);
  ok(performance.now() - started < PROMPTLY_MS, `${performance.now() - started} ms`);
  equal(new StopSequenceMatcher(stops).push(`xx${stops[3]}yy`).stop, stops[3]);
});

Deno.test("FIM template detection is linear: prompts full of markers with no valid template", () => {
  const prompts = [
    "<fim_prefix><fim_suffix>".repeat(40_000),
    "<|fim_prefix|><|fim_suffix|>".repeat(40_000),
    "<PRE>  <SUF>".repeat(40_000),
    "<|code_suffix|><|code_prefix|>".repeat(40_000),
    "```\n" + "[BLANK]".repeat(40_000),
    "<QUERY>\n{{FILL_HERE}}".repeat(40_000),
  ];
  const started = performance.now();
  for (const prompt of prompts) equal(parseFimPrompt(prompt), undefined);
  ok(performance.now() - started < PROMPTLY_MS, `${performance.now() - started} ms`);
  deepEqual(parseFimPrompt(`${"<fim_prefix>x".repeat(1000)}<fim_prefix>a<fim_suffix>b<fim_middle>  `), {
    prefix: "a",
    suffix: "b",
    template: "starcoder",
  });
});

Deno.test("token estimates are linear: a 2 MB run of one letter is counted promptly, over HTTP too", async () => {
  const started = performance.now();
  ok(await countTokens("y".repeat(2_000_000)) > 0);
  ok(performance.now() - started < PROMPTLY_MS, `${performance.now() - started} ms`);
  await using relay = await demoRelay();
  const { status, text, healthMs } = await sendWhileProbing(relay.url, "/v1/messages/count_tokens", {
    model: "claude-sonnet-4-5",
    messages: [{ role: "user", content: "y".repeat(2_000_000) }],
  });
  equal(status, 200);
  ok(JSON.parse(text).input_tokens > 100_000);
  ok(healthMs < PROMPTLY_MS, `/health took ${healthMs} ms`);
});

Deno.test("a malformed body nested a million deep gets its error position, not a stack overflow", () => {
  equal(jsonErrorPosition("[".repeat(1_000_000)), "line 1 column 1000001 (position 1000000)");
  equal(jsonErrorPosition('{"a":'.repeat(200_000)), "line 1 column 1000001 (position 1000000)");
});
