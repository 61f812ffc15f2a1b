/**
 * A Sourcegraph instance behind a certificate the runtime does not trust (a corporate CA):
 * refused by default, trusted with --ca-file, accepted with --insecure-skip-tls-verify
 * (which warns at start and on /health). On Deno and Bun, through the real cli.ts.
 */
import { equal, match, ok } from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";
import { configuredApp } from "../../lib/cli/relay_app.ts";
import { validateConfig } from "../../lib/config/load_config.ts";
import { serve } from "../../lib/server/serve.ts";
import { createSimulator } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";
import { bunPath, type RelayProcess, startProcess } from "../process.ts";

const CERT = "tests/fixtures/tls/cert.pem";
const cert = await Deno.readTextFile(new URL(`../../${CERT}`, import.meta.url));
const key = await Deno.readTextFile(new URL("../fixtures/tls/key.pem", import.meta.url));

async function chat(relay: RelayProcess): Promise<{ status: number; text: string }> {
  const response = await fetch(`${relay.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }] }),
  });
  return { status: response.status, text: await response.text() };
}

const bun = await bunPath();
const runtimes: [string, string, string[]][] = [["Deno", Deno.execPath(), ["run", "-A", "cli.ts"]]];
if (bun) runtimes.push(["Bun", bun, ["cli.ts"]]);
else console.log("Bun TLS test skipped: `npx -y bun@1.4.4` cannot run here.");

for (const [name, command, args] of runtimes) {
  Deno.test(`${name}: an untrusted upstream certificate is refused, trusted with --ca-file, or skipped with a warning`, async () => {
    const simulator = createSimulator({ accessTokens: [TOKEN], recordRequests: false });
    const upstream = await serve({ fetch: simulator.fetch, port: 0, cert, key });
    try {
      const env = { SRC_ENDPOINT: upstream.url };
      {
        await using relay = await startProcess(command, [...args, "--port", "0", "--max-retries", "0"], env);
        const { status, text } = await chat(relay);
        equal(status, 502);
        match(text, /cannot reach Sourcegraph/);
      }
      {
        await using relay = await startProcess(command, [...args, "--port", "0", "--ca-file", CERT], env);
        const { status, text } = await chat(relay);
        equal(status, 200, text);
        match(text, /You said: Hi/);
      }
      {
        await using relay = await startProcess(command, [...args, "--port", "0"], { ...env, CODY_SSL_BYPASS: "true" });
        const { status } = await chat(relay);
        equal(status, 200);
        const health = await (await fetch(`${relay.url}/health`)).json();
        match(health.warnings[0], /TLS certificate verification .* is off/);
        relay.kill("SIGTERM");
        await relay.status;
        match(relay.stderr, /TLS certificate verification of the upstream "cody" is off/);
      }
    } finally {
      await upstream.shutdown();
    }
  });
}

Deno.test("Deno with --upstream-transport fetch: --ca-file works; skipping verification is refused at start", async () => {
  const simulator = createSimulator({ accessTokens: [TOKEN], recordRequests: false });
  const upstream = await serve({ fetch: simulator.fetch, port: 0, cert, key });
  try {
    const args = ["--port", "0", "--upstream-transport", "fetch"];
    const env = { SRC_ENDPOINT: upstream.url };
    {
      await using relay = await startProcess(Deno.execPath(), ["run", "-A", "cli.ts", ...args, "--ca-file", CERT], env);
      equal((await chat(relay)).status, 200);
    }
    await using refused = await startProcess(
      Deno.execPath(),
      ["run", "-A", "cli.ts", ...args, "--insecure-skip-tls-verify"],
      env,
    );
    equal((await refused.status).code, 1);
    match(refused.stderr, /--insecure-skip-tls-verify needs --upstream-transport node-http on Deno/);
    ok(!refused.url);
  } finally {
    await upstream.shutdown();
  }
});

Deno.test("every HTTP upstream type takes its own TLS settings: an OpenAI-style server behind an untrusted certificate", async () => {
  const simulator = createSimulator({ accessTokens: [TOKEN], recordRequests: false });
  const upstream = await serve({ fetch: simulator.fetch, port: 0, cert, key });
  const shutdown = new AbortController();
  const relayWith = async (tls: Record<string, unknown> | undefined) => {
    const local = { type: "openai-compatible", baseUrl: `${upstream.url}/v1`, apiKey: TOKEN, ...(tls ? { tls } : {}) };
    const file = validateConfig({ upstreams: { local }, retry: { maxRetries: 0 } }, "test.json");
    const { app } = await configuredApp(parseConfig([], {}, file), shutdown.signal);
    const response = await app.fetch(
      new Request("http://relay/v1/chat/completions", {
        method: "POST",
        body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }] }),
      }),
    );
    const health = await (await app.fetch(new Request("http://relay/health"))).json();
    return { status: response.status, text: await response.text(), warnings: health.warnings as string[] | undefined };
  };
  try {
    const refused = await relayWith(undefined);
    equal(refused.status, 502);
    match(refused.text, /cannot reach the upstream/);
    const trusted = await relayWith({ caFile: CERT });
    equal(trusted.status, 200, trusted.text);
    match(trusted.text, /You said: Hi/);
    const skipped = await relayWith({ insecureSkipTlsVerify: true });
    equal(skipped.status, 200, skipped.text);
    match(skipped.warnings?.[0] ?? "", /verification of the upstream "local" is off \(.*upstreams\.local\.tls\./);
  } finally {
    shutdown.abort();
    await upstream.shutdown();
  }
});
