/** The app a configuration builds: its warnings follow the settings as built, and errors never quote a secret. */
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";
import { configuredApp } from "../../lib/cli/relay_app.ts";
import { RequestLog } from "../../lib/server/console/request_log.ts";

async function warnings(env: Record<string, string>, skipInFile?: boolean): Promise<string[]> {
  const file = {
    upstreams: {
      cody: { type: "cody" as const, endpoint: "https://sg.invalid", tls: { insecureSkipTlsVerify: skipInFile } },
    },
  };
  const { app } = await configuredApp(parseConfig([], env, file), new AbortController().signal);
  return (await (await app.fetch(new Request("http://relay/health"))).json()).warnings ?? [];
}

Deno.test("the TLS warning follows the upstream's setting as built: a variable turning verification on silences the file", async () => {
  deepEqual(await warnings({ CODY_SSL_BYPASS: "false" }, true), []);
  match((await warnings({}, true))[0], /verification of the upstream "cody" is off/);
  match((await warnings({ CODY_SSL_BYPASS: "true" }))[0], /verification of the upstream "cody" is off/);
  deepEqual(await warnings({}), []);
});

Deno.test("a bad endpoint is named without its query, fragment or user info", () => {
  const secret = "sgp_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
  for (
    const endpoint of [
      `ftp://sg.example/?token=${secret}`,
      `htp://user:${secret}@sg.example`,
      `not a url ${"?"}token=${secret}`,
    ]
  ) {
    const error = (() => {
      try {
        parseConfig(["--endpoint", endpoint], {});
      } catch (error) {
        return error as Error;
      }
    })();
    ok(error, endpoint.slice(0, 6));
    match(error.message, /^--endpoint must/);
    equal(error.message.includes(secret.slice(4, 12)), false, "no part of the token is quoted");
  }
  throws(() => parseConfig(["--endpoint", "https://u:p@sg.example"], {}), /must not contain credentials/);
});

Deno.test("the web console: served by default, off with --no-ui or RELAY_UI=false, its data behind the gateway keys", async () => {
  const signal = new AbortController().signal;
  const fetchFrom = async (argv: string[], env: Record<string, string>, path: string, init?: RequestInit) => {
    const { app } = await configuredApp(parseConfig(argv, env), signal);
    return await app.fetch(new Request(`http://127.0.0.1:8787${path}`, init));
  };
  equal((await fetchFrom([], {}, "/ui")).status, 200);
  equal((await fetchFrom(["--ui"], {}, "/ui/api/status")).status, 200);
  for (const [argv, env] of [[["--no-ui"], {}], [[], { RELAY_UI: "false" }]] as const) {
    for (const path of ["/ui", "/ui/requests", "/ui/api/status", "/ui/assets/console.css"]) {
      const response = await fetchFrom([...argv], env, path);
      equal(response.status, 404, `${argv} ${JSON.stringify(env)} ${path}`);
      await response.body?.cancel();
    }
  }
  const keyed = [["--api-key", "console-gateway-key"], { SRC_ACCESS_TOKEN: "sgp_console_upstream_token" }] as const;
  equal((await fetchFrom([...keyed[0]], keyed[1], "/ui")).status, 200, "the page itself holds no data");
  for (const path of ["/ui/api/status", "/ui/api/models", "/ui/api/requests", "/ui/api/charts"]) {
    equal((await fetchFrom([...keyed[0]], keyed[1], path)).status, 401, path);
  }
  const status = await fetchFrom([...keyed[0]], keyed[1], "/ui/api/status", {
    headers: { authorization: "Bearer console-gateway-key" },
  });
  equal(status.status, 200);
  const text = await status.text();
  ok(!text.includes("console-gateway-key") && !text.includes("sgp_console_upstream_token"), "no secret in the status");
  const body = JSON.parse(text);
  deepEqual(body.upstreams.map((upstream: { name: string; type: string }) => [upstream.name, upstream.type]), [[
    "cody",
    "simulator",
  ]]);
  deepEqual(body.settings.find((setting: { key: string }) => setting.key === "server.apiKeys"), {
    key: "server.apiKeys",
    value: "[[redacted]]",
    source: "flag --api-key",
  });
});

Deno.test("the console's request log outlives a config reload when the process keeps it", async () => {
  const requestLog = new RequestLog();
  const signal = new AbortController().signal;
  const first = await configuredApp(parseConfig([], {}), signal, { requestLog });
  const answer = await first.app.fetch(
    new Request("http://127.0.0.1:8787/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer any", "content-type": "application/json" },
      body: JSON.stringify({ model: "cody-sonnet", messages: [{ role: "user", content: "Hi" }] }),
    }),
  );
  equal(answer.status, 200);
  await answer.text();
  const reloaded = await configuredApp(parseConfig(["--max-retries", "1"], {}), signal, { requestLog });
  const rows = await (await reloaded.app.fetch(new Request("http://127.0.0.1:8787/ui/api/requests"))).json();
  deepEqual(rows.map((row: { requestedModel: string; status: number }) => [row.requestedModel, row.status]), [[
    "cody-sonnet",
    200,
  ]]);
});
