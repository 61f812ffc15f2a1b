/**
 * Secrets stay secret: the real cli.ts, at debug level with request bodies logged, serves
 * a mix of good and failing requests carrying every kind of credential (the server token,
 * gateway keys, a client's own Sourcegraph token of each format and session cookie, tokens
 * pasted into a prompt). No part of a secret (no 8 characters in a row of its random part,
 * see tests/secrets.ts) may appear in its stdout or stderr, in any response body or
 * header, or in `/metrics`. Failure messages name the secret, never print it. A prompt
 * may carry secrets the relay knows (its token, its keys, the request's own key) or
 * shaped like tokens (`sgp_…`, `sgs=…`); an arbitrary string pasted into a prompt cannot
 * be told from text, so the bare session cookie is pasted only by the request it
 * authenticates.
 */
import { deepEqual, ok } from "node:assert/strict";
import { serve } from "../lib/server/serve.ts";
import { createSimulator } from "../lib/simulator/simulator.ts";
import { startRelay } from "./process.ts";
import { leakedParts, SECRETS } from "./secrets.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

/** Everything a client or an operator could see: response status lines, headers and bodies. */
const seen: string[] = [];

/**
 * Sends a request and keeps what came back. The simulator's answers quote the prompt, so
 * the bodies of requests that paste secrets (`echoes`) are not kept: a model repeating
 * what the user wrote is not a leak.
 */
async function call(url: string, path: string, init: RequestInit = {}, echoes = false): Promise<number> {
  const response = await fetch(`${url}${path}`, init);
  seen.push(`${response.status} ${[...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n")}`);
  const body = await response.text();
  if (!echoes) seen.push(body);
  return response.status;
}

function chat(key: Record<string, string>, content: string, stream: boolean): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...key },
    body: JSON.stringify({ model: MODEL, stream, messages: [{ role: "user", content }] }),
  };
}

/** No 8 characters in a row of any secret's random part are in `text`; a failure says which, never what. */
function assertNoSecret(where: string, text: string): void {
  const leaks = Object.entries(SECRETS).flatMap(([name, secret]) => {
    const parts = leakedParts(secret, text);
    return parts.length ? [`the ${name} (${parts[0]}${parts.length > 1 ? ` and ${parts.length - 1} more` : ""})`] : [];
  });
  deepEqual(leaks, [], `secrets appear in ${where}: ${leaks.join("; ")}`);
}

/** The text of every file under `dir`. */
async function textsUnder(dir: URL): Promise<string[]> {
  const texts: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) texts.push(...await textsUnder(new URL(`${entry.name}/`, dir)));
    else if (entry.isFile) texts.push(await Deno.readTextFile(new URL(entry.name, dir)));
  }
  return texts;
}

Deno.test("the secrets can be looked for exactly: no window of one is in another, the relay's code or the fixtures", async () => {
  const sources = [
    ...await textsUnder(new URL("../lib/", import.meta.url)),
    ...await textsUnder(new URL("./fixtures/", import.meta.url)),
  ];
  ok(sources.length > 50, "the sources were read");
  for (const [name, secret] of Object.entries(SECRETS)) {
    const others = Object.entries(SECRETS).filter(([other]) => other !== name).map(([, other]) => other);
    deepEqual(leakedParts(secret, [...others, ...sources].join("\n")), [], `the ${name} is distinctive`);
    deepEqual(leakedParts(secret, `…${secret.slice(-9, -1)}…`).length, 1, `8 characters of the ${name} are found`);
  }
});

Deno.test("no token, key or cookie reaches logs, responses, headers or metrics", async () => {
  const simulator = createSimulator({
    accessTokens: [
      SECRETS["server token"],
      SECRETS["client token"],
      SECRETS["plain access token"],
      SECRETS["local token"],
    ],
    sessionCookies: [SECRETS["session cookie"]],
    recordRequests: false,
  });
  await using upstream = await serve({ fetch: simulator.fetch, port: 0 }).then((server) => ({
    url: server.url,
    [Symbol.asyncDispose]: () => server.shutdown(),
  }));
  const { "session cookie": cookie, ...recognisable } = SECRETS;
  const pasted = `my keys: ${Object.values(recognisable).join(" ")} and my cookie: sgs=${cookie}; path=/`;
  const tokenShaped = `my tokens: ${
    Object.values(recognisable).filter((secret) => secret.startsWith("sgp_")).join(" ")
  }, and Cookie: sgs=${cookie}`;
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
    const notAGatewayKey = await call(
      relay.url,
      "/v1/chat/completions",
      chat({ authorization: `Bearer ${SECRETS["client token"]}` }, "Hi", true),
    );
    deepEqual(notAGatewayKey, 401);
    await call(relay.url, "/v1/chat/completions", chat(key, "Hi [[sim status=429 retry_after=3600]]", false));
    await call(relay.url, "/v1/chat/completions", chat(key, "Hi [[sim status=401]]", true));
    await call(relay.url, "/v1/chat/completions", chat(key, "Hi [[sim words=20 error_after=3]]", true));
    await call(relay.url, "/v1/messages", {
      method: "POST",
      headers: { "x-api-key": SECRETS["gateway key"], "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: pasted }] }),
    }, true);
    await call(relay.url, "/api/chat", chat(key, pasted, true), true);
    const gemini = (text: string) => ({
      method: "POST",
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text }] }] }),
    });
    const viaQuery = `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse&key=${SECRETS["second gateway key"]}`;
    deepEqual(await call(relay.url, viaQuery, gemini(pasted), true), 200, "a gateway key as ?key= (Gemini)");
    const clientKeyInQuery = `/v1beta/models/${MODEL}:generateContent?key=${SECRETS["client token"]}`;
    deepEqual(await call(relay.url, clientKeyInQuery, gemini("Hi")), 401);
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
    const statuses = {
      "plain access token": await call(
        relay.url,
        "/v1/chat/completions",
        chat({ authorization: `Bearer ${SECRETS["plain access token"]}` }, tokenShaped, false),
        true,
      ),
      "local token": await call(
        relay.url,
        "/v1/chat/completions",
        chat({ authorization: `token ${SECRETS["local token"]}` }, tokenShaped, true),
        true,
      ),
      "local token as x-api-key": await call(relay.url, "/v1/messages", {
        method: "POST",
        headers: { "x-api-key": SECRETS["local token"], "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: "Hi" }] }),
      }),
      "revoked token": await call(
        relay.url,
        "/v1/chat/completions",
        chat({ authorization: `Bearer ${SECRETS["revoked token"]}` }, `Hi, I am ${SECRETS["revoked token"]}`, false),
      ),
    };
    deepEqual(statuses, {
      "plain access token": 200,
      "local token": 200,
      "local token as x-api-key": 200,
      "revoked token": 401,
    }, "each token format reached the instance as a token");
    await call(
      relay.url,
      "/v1/chat/completions",
      chat({ authorization: `Bearer ${SECRETS["client token"]}` }, "Hi [[sim drop_after=2]]", true),
    );
    await call(relay.url, "/v1/models", { headers: { authorization: `Bearer ${SECRETS["client token"]}` } });
    const gemini = { method: "POST", body: JSON.stringify({ contents: [{ parts: [{ text: tokenShaped }] }] }) };
    const viaQuery = `/v1beta/models/${MODEL}:generateContent?key=${SECRETS["client token"]}`;
    deepEqual(await call(relay.url, viaQuery, gemini, true), 200, "a token as ?key= (Gemini)");
    deepEqual(
      await call(relay.url, `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
        ...gemini,
        headers: { "x-goog-api-key": SECRETS["local token"] },
      }, true),
      200,
      "a token as x-goog-api-key",
    );
    await call(relay.url, `/v1beta/models?key=${SECRETS["revoked token"]}`);
    relay.kill("SIGTERM");
    await relay.status;
    assertNoSecret("the pass-through relay's logs", relay.stderr + relay.lines.join("\n"));
  }
  ok(seen.filter((text) => text.startsWith("200 ")).length >= 6, "most requests were answered");
  assertNoSecret("responses and headers", seen.join("\n"));
});
