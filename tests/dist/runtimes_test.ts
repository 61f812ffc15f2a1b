/**
 * The relay on every runtime, as a real process against the simulator: Bun from source,
 * and the bundle (`dist/cody-relay.js`) on Node, Deno and Bun. Each gets the representative
 * subset (a streamed chat, an answer continued across rounds, a client abort that reaches
 * the upstream, a 429 with its retry-after) and HTTPS. On Node, also what
 * tests/faults covers for Deno and Bun: graceful shutdown and the upstream's TLS options.
 */
import { equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { serve } from "../../lib/server/serve.ts";
import { createSimulator } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";
import { bunPath, type RelayProcess, startProcess } from "../process.ts";
import { assertServesConsole, buildFresh, simulatorServer } from "./helpers.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
const LONG = "[[sim words=60]] Tell me a long story";

const built = await buildFresh();
const bundle = `${built.dir}/cody-relay.js`;
const bun = await bunPath();
const runtimes: [string, string, string[]][] = [
  ["Node (bundle)", "node", [bundle]],
  ["Deno (bundle)", Deno.execPath(), ["run", "-A", bundle]],
];
if (bun) runtimes.push(["Bun (source)", bun, ["cli.ts"]], ["Bun (bundle)", bun, [bundle]]);
else console.log("Bun runtime tests skipped: `npx -y bun@1.4.4` cannot run here.");

function client(relay: RelayProcess): OpenAI {
  return new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "unused", maxRetries: 0 });
}

for (const [name, command, args] of runtimes) {
  Deno.test(`${name}: streamed chat, continuation, client abort, 429`, async () => {
    await using upstream = await simulatorServer();
    const env = { SRC_ENDPOINT: upstream.url, SRC_ACCESS_TOKEN: TOKEN };
    await using relay = await startProcess(command, [...args, "--port", "0", "--default-max-tokens", "12"], env);
    match(relay.lines[0], /^cody-relay listening on http:\/\/127\.0\.0\.1:\d+$/, relay.stderr);
    await assertServesConsole(relay.url);
    const openai = client(relay);
    const completions = () =>
      upstream.simulator.requests.filter((request) => request.path === "/.api/completions/stream");

    const whole = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: LONG }],
      max_tokens: 1000,
    });
    equal(whole.choices[0].finish_reason, "stop");
    upstream.simulator.requests.length = 0;
    const chunks = await Array.fromAsync(
      await openai.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: LONG }], stream: true }),
    );
    equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""), whole.choices[0].message.content);
    equal(chunks.filter((chunk) => chunk.choices[0]?.finish_reason).length, 1, "one finish");
    equal(completions().length, 5, "continued over 5 rounds of 12 tokens");

    upstream.simulator.requests.length = 0;
    const abort = new AbortController();
    const response = await fetch(`${relay.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: "user", content: "Hi [[sim words=300 pace_ms=20]]" }],
        stream: true,
      }),
      signal: abort.signal,
    });
    await response.body!.getReader().read();
    const abortedAt = performance.now();
    abort.abort();
    const outcome = await Promise.race([
      completions()[0].outcome,
      new Promise((resolve) => setTimeout(resolve, 1000, "running")),
    ]);
    equal(outcome, "aborted");
    const abortMs = performance.now() - abortedAt;
    ok(abortMs < 500, `the upstream request ended ${abortMs.toFixed(0)} ms after the client left`);

    upstream.simulator.script({ status: 429, retryAfter: 3600 });
    const limited = await openai.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Hi" }] })
      .then(() => undefined, (error) => error);
    ok(limited instanceof OpenAI.RateLimitError, String(limited));
    const seconds = Number(limited.headers?.get("retry-after"));
    ok(seconds > 3590 && seconds <= 3600, `retry-after ${seconds}`);
  });
}

for (const [name, command, args] of runtimes) {
  Deno.test(`${name}: HTTPS with --tls-cert/--tls-key`, async () => {
    await using upstream = await simulatorServer();
    await using relay = await startProcess(command, [
      ...args,
      "--port",
      "0",
      "--tls-cert",
      "tests/fixtures/tls/cert.pem",
      "--tls-key",
      "tests/fixtures/tls/key.pem",
    ], { SRC_ENDPOINT: upstream.url, SRC_ACCESS_TOKEN: TOKEN });
    match(relay.url, /^https:\/\//);
    const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile("tests/fixtures/tls/cert.pem")] });
    const response = await fetch(`${relay.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Hi" }], stream: true }),
      client,
    });
    equal(response.status, 200);
    match(await response.text(), /You said: Hi[\s\S]*data: \[DONE\]/);
    client.close();
  });
}

for (const [name, command, args] of runtimes) {
  Deno.test(`${name}: --help prints the usage and --version the version, exit 0`, async () => {
    for (
      const [flag, expected] of [["--help", /--port N[\s\S]*env SRC_ENDPOINT/], [
        "--version",
        /^cody-relay \d+\.\d+/,
      ]] as const
    ) {
      const { code, stdout, stderr } = await new Deno.Command(command, {
        args: [...args, flag],
        env: { NO_COLOR: "1" },
      }).output();
      equal(code, 0, new TextDecoder().decode(stderr));
      match(new TextDecoder().decode(stdout), expected);
    }
  });
}

Deno.test("Node (bundle): SIGTERM lets a short answer finish, ends a long one with an error, exits 0", async () => {
  await using relay = await startProcess("node", [bundle, "--port", "0", "--shutdown-grace", "1.5"]);
  const stream = (words: number) =>
    fetch(`${relay.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: "user", content: `Hi [[sim words=${words}]]` }],
        stream: true,
      }),
    });
  const [short, long] = await Promise.all([stream(30), stream(2000)]);
  const signalled = performance.now();
  relay.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 200));
  ok(await fetch(`${relay.url}/health`).then(() => false, () => true), "no new connections after SIGTERM");
  const [shortText, longText] = await Promise.all([short.text(), long.text()]);
  match(shortText, /"finish_reason":"stop"[\s\S]*data: \[DONE\]\s*$/);
  match(longText, /shutting down/);
  ok(!longText.includes('"finish_reason":"stop"'));
  equal((await relay.status).code, 0, relay.stderr);
  const elapsed = performance.now() - signalled;
  ok(elapsed >= 1_400 && elapsed < 5_000, `exited ${elapsed.toFixed(0)} ms after SIGTERM`);
});

Deno.test("Node (bundle): a TLS option Node's fetch cannot take is refused at start, naming the alternative", async () => {
  const { code, stderr } = await new Deno.Command("node", {
    args: [bundle, "--port", "0", "--upstream-transport", "fetch", "--ca-file", "tests/fixtures/tls/cert.pem"],
    env: { SRC_ENDPOINT: "https://sourcegraph.example.com", NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  ok(code !== 0);
  match(new TextDecoder().decode(stderr), /on Node, --upstream-transport fetch takes no TLS options; use node-http/);
});

Deno.test("Node (bundle): an untrusted upstream certificate is refused, trusted with --ca-file, or skipped with a warning", async () => {
  const [cert, key] = await Promise.all(
    ["cert.pem", "key.pem"].map((name) => Deno.readTextFile(`tests/fixtures/tls/${name}`)),
  );
  const simulator = createSimulator({ accessTokens: [TOKEN], recordRequests: false });
  const upstream = await serve({ fetch: simulator.fetch, port: 0, cert, key });
  const env = { SRC_ENDPOINT: upstream.url, SRC_ACCESS_TOKEN: TOKEN };
  const statusWith = async (flags: string[], extraEnv: Record<string, string> = {}) => {
    await using relay = await startProcess("node", [bundle, "--port", "0", "--max-retries", "0", ...flags], {
      ...env,
      ...extraEnv,
    });
    const response = await fetch(`${relay.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }),
    });
    const health = await (await fetch(`${relay.url}/health`)).json();
    return { status: response.status, text: await response.text(), warnings: health.warnings as string[] | undefined };
  };
  try {
    const refused = await statusWith([]);
    equal(refused.status, 502);
    match(refused.text, /cannot reach Sourcegraph/);
    equal((await statusWith(["--ca-file", "tests/fixtures/tls/cert.pem"])).status, 200);
    const skipped = await statusWith([], { CODY_SSL_BYPASS: "true" });
    equal(skipped.status, 200);
    match(skipped.warnings?.[0] ?? "", /TLS certificate verification of the upstream "cody" is off/);
  } finally {
    await upstream.shutdown();
  }
});
