/**
 * The `Host` check against DNS rebinding, over real HTTP with the relay as the CLI builds
 * it: on loopback it answers only for loopback names (every route, the console included),
 * refusing others with a 403 in the dialect's shape; `--allowed-host` names more; a relay
 * listening beyond loopback answers for any.
 */
import { equal, match, throws } from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";
import { configuredApp } from "../../lib/cli/relay_app.ts";
import { serve } from "../../lib/server/serve.ts";

/** Status and body of `GET path` (or POST with `body`) sent to `port` with `host` as the Host header. */
async function askAs(
  port: number,
  host: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = [
    `${body ? "POST" : "GET"} ${path} HTTP/1.1`,
    `Host: ${host}`,
    "Connection: close",
    ...(body ? ["Content-Type: application/json", `Content-Length: ${new TextEncoder().encode(body).length}`] : []),
  ];
  await connection.write(new TextEncoder().encode(`${head.join("\r\n")}\r\n\r\n${body ?? ""}`));
  const response = new TextDecoder().decode(
    (await Array.fromAsync(connection.readable)).reduce(
      (all, part) => new Uint8Array([...all, ...part]),
      new Uint8Array(),
    ),
  );
  return { status: Number(response.split(" ")[1]), text: response.slice(response.indexOf("\r\n\r\n") + 4) };
}

async function relayWith(args: string[]): Promise<{ port: number } & AsyncDisposable> {
  const shutdown = new AbortController();
  const { app } = await configuredApp(
    parseConfig(["--simulator", "--log-level", "error", ...args], {}),
    shutdown.signal,
  );
  const server = await serve({ fetch: app.fetch, port: 0 });
  return {
    port: Number(new URL(server.url).port),
    [Symbol.asyncDispose]: async () => {
      shutdown.abort();
      await server.shutdown();
    },
  };
}

Deno.test("on loopback: loopback names are answered, a rebound name gets a 403 in the dialect's shape on every route", async () => {
  await using relay = await relayWith([]);
  for (const host of [`127.0.0.1:${relay.port}`, `localhost:${relay.port}`, `[::1]:${relay.port}`]) {
    equal((await askAs(relay.port, host, "/v1/models")).status, 200, host);
  }
  const rebound = `attacker.example:${relay.port}`;
  const models = await askAs(relay.port, rebound, "/v1/models");
  equal(models.status, 403);
  equal(JSON.parse(models.text).error.code, "host_not_allowed");
  match(JSON.parse(models.text).error.message, /attacker\.example/);
  const messages = await askAs(relay.port, rebound, "/v1/messages", '{"model":"m","max_tokens":5,"messages":[]}');
  equal(messages.status, 403);
  equal(JSON.parse(messages.text).type, "error", "Anthropic's error shape");
  for (const path of ["/ui", "/ui/api/status", "/ui/api/requests", "/api/tags"]) {
    equal((await askAs(relay.port, rebound, path)).status, 403, path);
  }
});

Deno.test("--allowed-host names the hosts answered; * answers any; beyond loopback any is answered", async () => {
  {
    await using relay = await relayWith(["--allowed-host", "relay.example,localhost"]);
    equal((await askAs(relay.port, "relay.example", "/v1/models")).status, 200);
    equal((await askAs(relay.port, `127.0.0.1:${relay.port}`, "/v1/models")).status, 200);
    equal((await askAs(relay.port, "other.example", "/v1/models")).status, 403);
  }
  {
    await using relay = await relayWith(["--allowed-host", "*"]);
    equal((await askAs(relay.port, "other.example", "/v1/models")).status, 200);
  }
  {
    await using relay = await relayWith(["--host", "0.0.0.0", "--allow-open"]);
    equal((await askAs(relay.port, "relay.example:8787", "/v1/models")).status, 200);
  }
});

Deno.test("a bad allowed host is refused when the configuration is read, naming the setting", () => {
  throws(
    () => parseConfig(["--allowed-host", "https://relay.example/"], {}),
    (error) => /allowed-host|allowedHosts/.test(String(error)) && /host name/.test(String(error)),
  );
});
