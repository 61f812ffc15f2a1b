/** cli.ts as users run it: real processes, real ports, the real openai client. */
import { equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { TOKEN } from "../harness.ts";
import { bunPath, startProcess as start } from "../process.ts";

const root = new URL("../../", import.meta.url);

async function streamOnce(url: string, apiKey = "any key works in demo mode"): Promise<string> {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: "anthropic::2024-10-22::claude-sonnet-4-latest",
    messages: [{ role: "user", content: "ping" }],
    stream: true,
  });
  let text = "";
  let finish = "";
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    finish ||= chunk.choices[0]?.finish_reason ?? "";
  }
  equal(finish, "stop");
  return text;
}

Deno.test("deno run cli.ts: first stdout line is the listening line, then the demo notice; it answers", async () => {
  await using relay = await start(Deno.execPath(), ["run", "-A", "cli.ts", "--port", "0"]);
  match(relay.lines[0], /^cody-relay listening on http:\/\/127\.0\.0\.1:\d+$/);
  match(relay.lines[1], /built-in simulator.*SRC_ENDPOINT/);
  match(await streamOnce(relay.url), /You said: ping$/);
});

Deno.test("deno task demo's --simulator with SRC_ENDPOINT set says the simulator answers, not to set SRC_ENDPOINT", async () => {
  await using relay = await start(Deno.execPath(), ["run", "-A", "cli.ts", "--simulator", "--port", "0"], {
    SRC_ENDPOINT: "https://sourcegraph.example.com",
  });
  equal(relay.lines[1], "--simulator: answering from the built-in simulator (any API key works)");
  match(await streamOnce(relay.url), /You said: ping$/);
});

Deno.test("--help documents every flag and environment variable", async () => {
  const { stdout, code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "--help"],
    cwd: root,
  })
    .output();
  equal(code, 0);
  const help = new TextDecoder().decode(stdout);
  for (
    const name of [
      "--host",
      "--port",
      "--endpoint",
      "--simulator",
      "--client-name",
      "--client-version",
      "--default-max-tokens",
      "--max-continuations",
      "--log-level",
      "HOST",
      "PORT",
      "SRC_ENDPOINT",
      "SOURCEGRAPH_DOMAIN",
      "SRC_ACCESS_TOKEN",
      "CODY_CLIENT_NAME",
      "CODY_CLIENT_VERSION",
      "CODY_DEFAULT_MAX_TOKENS",
      "CODY_MAX_CONTINUATIONS",
      "LOG_LEVEL",
      "--log-format",
      "--log-bodies",
      "--metrics",
      "--connect-timeout",
      "--first-event-timeout",
      "--idle-timeout",
      "--total-timeout",
      "--keepalive-interval",
      "--max-retries",
      "--max-retry-wait",
      "--fallback-model",
      "--max-body-bytes",
      "--shutdown-grace",
      "--api-key",
      "RELAY_API_KEYS",
      "--allow-open",
      "--ca-file",
      "CODY_CA_FILE",
      "--insecure-skip-tls-verify",
      "CODY_SSL_BYPASS",
    ]
  ) ok(help.includes(name), `--help mentions ${name}`);
});

Deno.test("bad flags exit 2 with a message on stderr", async () => {
  const { stderr, code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "--port", "nope"],
    cwd: root,
  }).output();
  equal(code, 2);
  match(new TextDecoder().decode(stderr), /--port must be an integer/);
  // A mistyped flag is named, with no advice to pass it as a positional after "--" (node:util's own message).
  const typo = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", "cli.ts", "--prot", "9000"], cwd: root })
    .output();
  equal(typo.code, 2);
  equal(new TextDecoder().decode(typo.stderr), 'cody-relay: unknown option "--prot" (try --help)\n');
});

Deno.test("a port in use: exit 1 with a message naming the address and what to do, on Deno and Bun", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const bun = await bunPath();
  const deno = Deno.execPath();
  const runs: [string, string[]][] = [[deno, ["run", "-A", "cli.ts"]], [deno, ["run", "-A", "cli.ts", "simulate"]]];
  if (bun) runs.push([bun, ["cli.ts"]]);
  for (const [command, args] of runs) {
    const { stderr, code } = await new Deno.Command(command, {
      args: [...args, "--port", String(taken.addr.port)],
      cwd: root,
      env: { NO_COLOR: "1" },
    }).output();
    equal(code, 1, args.join(" "));
    match(
      new TextDecoder().decode(stderr),
      new RegExp(`127\\.0\\.0\\.1:${taken.addr.port} is in use .*--port N \\(PORT=N; 0 picks a free one\\)`),
    );
  }
});

Deno.test("cli.ts simulate runs a fake Sourcegraph that a second relay process can use", async () => {
  await using simulator = await start(Deno.execPath(), ["run", "-A", "cli.ts", "simulate", "--port", "0"], {}, 1);
  match(simulator.lines[0], /^cody-relay simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
  await using relay = await start(Deno.execPath(), ["run", "-A", "cli.ts", "--port", "0"], {
    SRC_ENDPOINT: simulator.url,
  });
  match(relay.lines[1], new RegExp(`relaying to Sourcegraph at ${simulator.url}`));
  match(await streamOnce(relay.url, TOKEN), /You said: ping$/);

  // Without a config file the one instance is routed too: Cody's aliases, and 404s that suggest.
  const openai = new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
  const ids = (await openai.models.list()).data.map((model) => model.id);
  ok(ids.includes("cody-sonnet") && ids.includes("anthropic::2024-10-22::claude-sonnet-4-latest"), ids.join());
  ok(!ids.some((id) => id.startsWith("cody/")), "one upstream needs no NAME/ prefixes");
  const aliased = await openai.chat.completions.create({
    model: "cody-sonnet",
    messages: [{ role: "user", content: "hi" }],
  });
  match(aliased.choices[0].message.content ?? "", /answering as anthropic::2024-10-22::claude-sonnet-4-latest/);
  const unknown = await openai.chat.completions.create({
    model: "claude-sonet-4",
    messages: [{ role: "user", content: "hi" }],
  })
    .then(() => undefined, (error) => error);
  ok(unknown instanceof OpenAI.NotFoundError, String(unknown));
  match(unknown.message, /did you mean .*claude-sonnet-4/, unknown.message);

  // No key and no SRC_ACCESS_TOKEN: an alias is a 401 that says what to send, not a 404 that it matches nothing.
  const keyless = await fetch(`${relay.url}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ model: "cody-sonnet", messages: [{ role: "user", content: "hi" }] }),
  });
  equal(keyless.status, 401);
  match(await keyless.text(), /No Sourcegraph credentials: send your Sourcegraph access token/);
  // ...and so is the model list the README points to, rather than an empty list.
  const list = await fetch(`${relay.url}/v1/models`);
  equal(list.status, 401);
  match(await list.text(), /No Sourcegraph credentials: send your Sourcegraph access token/);
});

Deno.test("an unreachable instance: an alias (cody-sonnet) is the 502 that names it, not a 404", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  closed.close();
  await using relay = await start(Deno.execPath(), ["run", "-A", "cli.ts", "--port", "0", "--max-retries", "0"], {
    SRC_ENDPOINT: `http://127.0.0.1:${closed.addr.port}`,
    SRC_ACCESS_TOKEN: TOKEN,
  });
  const response = await fetch(`${relay.url}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ model: "cody-sonnet", messages: [{ role: "user", content: "hi" }] }),
  });
  equal(response.status, 502);
  match(await response.text(), new RegExp(`cannot reach Sourcegraph at http://127\\.0\\.0\\.1:${closed.addr.port}`));
});

Deno.test("the request log line names the model asked for and the model that answered", async () => {
  await using relay = await start(Deno.execPath(), ["run", "-A", "cli.ts", "--port", "0", "--log-format", "json"]);
  // A claude-* name the instance does not know is answered by its default chat model.
  const response = await fetch(`${relay.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": "any", "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({
      model: "claude-opus-9-20300101",
      max_tokens: 50,
      messages: [{ role: "user", content: "Hi" }],
    }),
  });
  equal(response.status, 200);
  await response.body?.cancel();
  const deadline = Date.now() + 5_000;
  let line: Record<string, unknown> | undefined;
  while (!line && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    line = relay.stderr.split("\n").filter((text) => text.startsWith("{")).map((text) => JSON.parse(text))
      .find((record) => record.path === "/v1/messages");
  }
  ok(line, relay.stderr);
  equal(line.requestedModel, "claude-opus-9-20300101");
  ok(typeof line.model === "string" && line.model.length > 0, `the model that answered: ${line.model}`);
});

Deno.test("a model name cannot forge a log line or drive the terminal: control characters are escaped", async () => {
  await using relay = await start(Deno.execPath(), ["run", "-A", "cli.ts", "--port", "0"]);
  const forged = "x\n1999-01-01 00:00:00.000 +00:00 [INF] cody-relay·http: forged\x1b[2J\x1b[31m";
  const response = await fetch(`${relay.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: forged, messages: [{ role: "user", content: "Hi" }] }),
  });
  equal(response.status, 404);
  await response.body?.cancel();
  const deadline = Date.now() + 5_000;
  while (!relay.stderr.includes("POST /v1/chat/completions") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const line = relay.stderr.split("\n").find((text) => text.includes("POST /v1/chat/completions"));
  ok(line?.includes("model x\\n1999-01-01"), relay.stderr);
  ok(!relay.stderr.split("\n").some((text) => text.startsWith("1999-")), relay.stderr);
  ok(!relay.stderr.includes("\x1b"), relay.stderr);
});

Deno.test("SIGHUP without a config file says there is nothing to reload, and the relay keeps serving", async () => {
  await using relay = await start(Deno.execPath(), ["run", "-A", "cli.ts", "--port", "0"]);
  relay.kill("SIGHUP");
  const deadline = Date.now() + 5_000;
  while (!relay.stderr.includes("SIGHUP") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  match(relay.stderr, /SIGHUP: there is no config file to reload \(start with --config FILE\)/);
  const response = await fetch(`${relay.url}/health`);
  equal(response.status, 200);
  await response.body?.cancel();
});

const bun = await bunPath();
if (!bun) console.log("Bun smoke test skipped: `npx -y bun@1.4.4` cannot run here (no npm registry?).");
Deno.test({
  name: "bun cli.ts answers a streaming request",
  ignore: !bun,
  async fn() {
    await using relay = await start(bun, ["cli.ts", "--port", "0"]);
    match(relay.lines[0], /^cody-relay listening on http:\/\/127\.0\.0\.1:\d+$/);
    match(await streamOnce(relay.url), /You said: ping$/);
  },
});
