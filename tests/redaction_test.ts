/**
 * Secrets stay secret: the real cli.ts, at debug level with request bodies logged, serves
 * a mix of good and failing requests carrying every kind of credential (the server token,
 * gateway keys, a client's own Sourcegraph token and session cookie, tokens pasted into
 * a prompt). No secret may appear in its stdout or stderr, in any response body or
 * header, or in `/metrics`. Failure messages name the secret, never print it. A prompt
 * may carry secrets the relay knows (its token, its keys, the request's own key) or
 * shaped like tokens (`sgp_…`); an arbitrary string pasted into a prompt cannot be told
 * from text, so the session cookie is pasted only by the request it authenticates.
 */
import { ok } from "node:assert/strict";
import { serve } from "../lib/server/serve.ts";
import { createSimulator } from "../lib/simulator/simulator.ts";
import { startRelay } from "./process.ts";
import { SECRETS } from "./secrets.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

/** Everything a client or an operator could see: response status lines, headers and bodies. */
const seen: string[] = [];

/**
 * Sends a request and keeps what came back. The simulator's answers quote the prompt, so
 * the bodies of requests that paste secrets (`echoes`) are not kept: a model repeating
 * what the user wrote is not a leak.
 */
async function call(url: string, path: string, init: RequestInit = {}, echoes = false): Promise<void> {
  const response = await fetch(`${url}${path}`, init);
  seen.push(`${response.status} ${[...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n")}`);
  const body = await response.text();
  if (!echoes) seen.push(body);
}

function chat(key: Record<string, string>, content: string, stream: boolean): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...key },
    body: JSON.stringify({ model: MODEL, stream, messages: [{ role: "user", content }] }),
  };
}

function assertNoSecret(where: string, text: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    ok(!text.includes(secret), `the ${name} appears in ${where}`);
    ok(!text.includes(secret.slice(4, 24)), `a fragment of the ${name} appears in ${where}`);
  }
}

Deno.test("no token, key or cookie reaches logs, responses, headers or metrics", async () => {
  const simulator = createSimulator({
    accessTokens: [SECRETS["server token"], SECRETS["client token"]],
    sessionCookies: [SECRETS["session cookie"]],
    recordRequests: false,
  });
  await using upstream = await serve({ fetch: simulator.fetch, port: 0 }).then((server) => ({
    url: server.url,
    [Symbol.asyncDispose]: () => server.shutdown(),
  }));
  const { "session cookie": cookie, ...recognisable } = SECRETS;
  const pasted = `my keys: ${Object.values(recognisable).join(" ")}`;
  const tokenShaped = `my tokens: ${SECRETS["server token"]} ${SECRETS["client token"]}`;
  const debugFlags = ["--port", "0", "--log-level", "debug", "--log-bodies", "--metrics"];

  // Gateway mode: clients present gateway keys; the server token goes upstream.
  {
    await using relay = await startRelay([...debugFlags, "--log-format", "json"], {
      SRC_ENDPOINT: upstream.url,
      SRC_ACCESS_TOKEN: SECRETS["server token"],
      RELAY_API_KEYS: `${SECRETS["gateway key"]},${SECRETS["second gateway key"]}`,
    });
    const key = { authorization: `Bearer ${SECRETS["gateway key"]}` };
    await call(relay.url, "/v1/chat/completions", chat(key, pasted, true), true);
    await call(
      relay.url,
      "/v1/chat/completions",
      chat({ "x-api-key": SECRETS["second gateway key"] }, pasted, false),
      true,
    );
    await call(
      relay.url,
      "/v1/chat/completions",
      chat({ authorization: `Bearer ${SECRETS["client token"]}` }, "Hi", true),
    );
    await call(relay.url, "/v1/chat/completions", chat(key, "Hi [[sim status=429 retry_after=3600]]", false));
    await call(relay.url, "/v1/chat/completions", chat(key, "Hi [[sim status=401]]", true));
    await call(relay.url, "/v1/chat/completions", chat(key, "Hi [[sim words=20 error_after=3]]", true));
    await call(relay.url, "/v1/messages", {
      method: "POST",
      headers: { "x-api-key": SECRETS["gateway key"], "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: pasted }] }),
    }, true);
    await call(relay.url, "/api/chat", chat(key, pasted, true), true);
    await call(relay.url, "/v1/models", { headers: key });
    await call(relay.url, "/v1/chat/completions", { method: "POST", headers: key, body: `{"broken": "${pasted}` });
    await call(relay.url, "/metrics");
    relay.kill("SIGTERM");
    await relay.status;
    ok(relay.stderr.includes("request body"), "bodies were logged (so redaction was exercised)");
    assertNoSecret("the gateway-mode relay's logs", relay.stderr + relay.lines.join("\n"));
  }

  // Pass-through mode: each client's own token or session cookie goes upstream.
  {
    await using relay = await startRelay(debugFlags, { SRC_ENDPOINT: upstream.url });
    await call(
      relay.url,
      "/v1/chat/completions",
      chat({ authorization: `Bearer ${SECRETS["client token"]}` }, tokenShaped, true),
      true,
    );
    await call(
      relay.url,
      "/v1/chat/completions",
      chat({ authorization: `Bearer ${cookie}` }, `my cookie is ${cookie}`, false),
      true,
    );
    await call(
      relay.url,
      "/v1/chat/completions",
      chat({ authorization: "Bearer sgp_wrong_token_0123456789" }, "Hi", false),
    );
    await call(
      relay.url,
      "/v1/chat/completions",
      chat({ authorization: `Bearer ${SECRETS["client token"]}` }, "Hi [[sim drop_after=2]]", true),
    );
    await call(relay.url, "/v1/models", { headers: { authorization: `Bearer ${SECRETS["client token"]}` } });
    relay.kill("SIGTERM");
    await relay.status;
    assertNoSecret("the pass-through relay's logs", relay.stderr + relay.lines.join("\n"));
  }
  ok(seen.filter((text) => text.startsWith("200 ")).length >= 6, "most requests were answered");
  assertNoSecret("responses and headers", seen.join("\n"));
});
