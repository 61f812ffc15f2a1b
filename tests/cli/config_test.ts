import { deepEqual, equal, throws } from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";

Deno.test("defaults: 127.0.0.1:8787, no endpoint (built-in simulator), no instance settings, 4000 tokens", () => {
  const config = parseConfig([], {});
  equal(config.command, "relay");
  equal(config.server.host, "127.0.0.1");
  equal(config.server.port, 8787);
  equal(config.instance.endpoint, undefined);
  equal(config.continuation.defaultMaxTokens, 4000);
  deepEqual(config.instance, {}, "only a flag or variable sets the instance's keys (the upstream has the defaults)");
});

Deno.test("flags beat environment variables", () => {
  const env = {
    HOST: "0.0.0.0",
    PORT: "9000",
    SRC_ENDPOINT: "https://env.example.com",
    CODY_CLIENT_NAME: "env",
    RELAY_ALLOW_OPEN: "true",
  };
  const config = parseConfig([
    "--host",
    "::1",
    "--port",
    "0",
    "--endpoint",
    "http://127.0.0.1:7080",
    "--client-name",
    "web",
  ], env);
  equal(config.server.host, "::1");
  equal(config.server.port, 0);
  equal(config.instance.endpoint, "http://127.0.0.1:7080");
  equal(config.instance.clientName, "web");
  equal(parseConfig([], env).instance.endpoint, "https://env.example.com");
});

Deno.test("SOURCEGRAPH_DOMAIN is an alias; a bare domain means https", () => {
  equal(
    parseConfig([], { SOURCEGRAPH_DOMAIN: "sourcegraph.example.com" }).instance.endpoint,
    "https://sourcegraph.example.com",
  );
  equal(parseConfig([], { SOURCEGRAPH_DOMAIN: "http://10.0.0.1:7080" }).instance.endpoint, "http://10.0.0.1:7080");
  equal(
    parseConfig([], { SRC_ENDPOINT: "https://a.example", SOURCEGRAPH_DOMAIN: "b.example" }).instance.endpoint,
    "https://a.example",
  );
});

Deno.test("--simulator forces the built-in simulator; simulate is a command", () => {
  equal(parseConfig(["--simulator"], { SRC_ENDPOINT: "https://a.example" }).instance.endpoint, undefined);
  equal(parseConfig(["simulate", "--port", "0"], {}).command, "simulate");
});

Deno.test("bad input is a clear error", () => {
  throws(() => parseConfig(["--port", "http"], {}), /--port must be an integer/);
  throws(() => parseConfig(["--endpoint", "ftp://x"], {}), /--endpoint must be an http\(s\) URL, got "ftp:\/\/x"/);
  throws(() => parseConfig(["--endpoint", "https://user:secret@x"], {}), /must not contain credentials/);
  throws(() => parseConfig(["serve"], {}), /unknown command/);
  throws(() => parseConfig(["--log-level", "loud"], {}), /--log-level/);
});

Deno.test("--max-continuations and CODY_MAX_CONTINUATIONS: default 8, 0 turns continuation off", () => {
  equal(parseConfig([], {}).continuation.maxContinuations, 8);
  equal(parseConfig([], { CODY_MAX_CONTINUATIONS: "0" }).continuation.maxContinuations, 0);
  equal(parseConfig(["--max-continuations", "3"], { CODY_MAX_CONTINUATIONS: "0" }).continuation.maxContinuations, 3);
  throws(() => parseConfig(["--max-continuations=-1"], {}), /--max-continuations must be an integer/);
});

Deno.test("the upstream transport is node-http, fetch behind a proxy, or as asked", () => {
  equal(parseConfig([], {}).defaultUpstreamTransport, "node-http");
  equal(parseConfig([], { https_proxy: "http://proxy:3128" }).defaultUpstreamTransport, "fetch");
  equal(parseConfig([], { HTTP_PROXY: "http://proxy:3128" }).defaultUpstreamTransport, "fetch");
  equal(parseConfig([], { HTTP_PROXY: "http://proxy:3128" }).instance.transport, undefined);
  equal(
    parseConfig(["--upstream-transport", "node-http"], { HTTPS_PROXY: "http://p" }).instance.transport,
    "node-http",
  );
  equal(parseConfig([], { CODY_UPSTREAM_TRANSPORT: "fetch" }).instance.transport, "fetch");
  throws(() => parseConfig(["--upstream-transport", "curl"], {}), /--upstream-transport must be node-http or fetch/);
});

Deno.test("--tls-cert and --tls-key go together", () => {
  equal(parseConfig(["--tls-cert", "c.pem", "--tls-key", "k.pem"], {}).server.tlsKey, "k.pem");
  equal(parseConfig([], { TLS_CERT_FILE: "c.pem", TLS_KEY_FILE: "k.pem" }).server.tlsCert, "c.pem");
  throws(() => parseConfig(["--tls-cert", "c.pem"], {}), /--tls-cert and --tls-key go together/);
});

Deno.test("--cors takes origins or *, and rejects what is not an origin", () => {
  equal(parseConfig([], {}).server.cors, undefined);
  deepEqual(parseConfig(["--cors", "https://a.example, http://localhost:3000"], {}).server.cors, [
    "https://a.example",
    "http://localhost:3000",
  ]);
  deepEqual(parseConfig([], { CORS_ORIGINS: "*" }).server.cors, ["*"]);
  throws(
    () => parseConfig(["--cors", "a.example/path"], {}),
    /--cors must be an origin like https:\/\/app\.example\.com, or \*, got "a\.example\/path"/,
  );
});

Deno.test("--anthropic-default-model (or its env) names the model for unknown claude ids", () => {
  equal(parseConfig(["--anthropic-default-model", "m1"], {}).anthropicDefaultModel, "m1");
  equal(parseConfig([], { CODY_ANTHROPIC_DEFAULT_MODEL: "m2" }).anthropicDefaultModel, "m2");
});

Deno.test("limits: defaults from the issue, seconds with fractions, flags beat env", () => {
  const config = parseConfig([], {});
  deepEqual(config.limits, { connectTimeout: 10, firstEventTimeout: 60, idleTimeout: 60, totalTimeout: 900 });
  equal(config.server.keepAliveInterval, 10);
  deepEqual(config.retry, { maxRetries: 2, maxWait: 20 });
  equal(config.server.maxBodyBytes, 10 * 1024 * 1024);
  equal(config.server.shutdownGrace, 10);
  const tuned = parseConfig(["--idle-timeout", "0.25", "--max-retries", "0"], {
    CODY_IDLE_TIMEOUT: "5",
    CODY_FIRST_EVENT_TIMEOUT: "1.5",
    RELAY_KEEPALIVE_INTERVAL: "3",
  });
  equal(tuned.limits.idleTimeout, 0.25);
  equal(tuned.limits.firstEventTimeout, 1.5);
  equal(tuned.server.keepAliveInterval, 3);
  equal(tuned.retry.maxRetries, 0);
  throws(() => parseConfig(["--total-timeout", "0"], {}), /--total-timeout must be a number of seconds/);
  throws(() => parseConfig(["--max-body-bytes", "1e9"], {}), /--max-body-bytes must be an integer/);
});

Deno.test("--fallback-model and --api-key repeat; their env forms are comma-separated", () => {
  deepEqual(parseConfig(["--fallback-model", "a", "--fallback-model", "b"], {}).retry.fallbackModels, ["a", "b"]);
  deepEqual(parseConfig([], { CODY_FALLBACK_MODELS: "a, b," }).retry.fallbackModels, ["a", "b"]);
  deepEqual(parseConfig(["--api-key", "k1", "--api-key", "k2"], {}).server.apiKeys, ["k1", "k2"]);
  deepEqual(parseConfig([], { RELAY_API_KEYS: "k1,k2" }).server.apiKeys, ["k1", "k2"]);
});

Deno.test("listening beyond loopback needs gateway keys or --allow-open, and says why", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) {
    equal(parseConfig(["--host", host], {}).server.host, host);
  }
  throws(
    () => parseConfig(["--host", "0.0.0.0"], {}),
    /refusing to listen on 0\.0\.0\.0 without gateway keys.*--allow-open/,
  );
  throws(
    () => parseConfig(["--host", "0.0.0.0"], { SRC_ACCESS_TOKEN: "sgp_secret_token_value" }),
    (error: Error) => /your SRC_ACCESS_TOKEN/.test(error.message) && !error.message.includes("sgp_secret"),
  );
  equal(parseConfig(["--host", "0.0.0.0", "--allow-open"], {}).server.allowOpen, true);
  equal(parseConfig(["--host", "0.0.0.0"], { RELAY_API_KEYS: "k" }).server.host, "0.0.0.0");
  equal(parseConfig(["--host", "0.0.0.0", "simulate"], {}).command, "simulate");
});

Deno.test("gateway keys in front of a real instance need SRC_ACCESS_TOKEN", () => {
  throws(() => parseConfig(["--api-key", "k", "--endpoint", "https://sg.example"], {}), /set SRC_ACCESS_TOKEN/);
  equal(parseConfig(["--api-key", "k"], {}).instance.endpoint, undefined, "the demo simulator needs no token");
  equal(
    parseConfig(["--api-key", "k", "--endpoint", "https://sg.example"], { SRC_ACCESS_TOKEN: "sgp_x" }).server.apiKeys
      ?.length,
    1,
  );
});

Deno.test("TLS trust, logs and metrics: flags and their env forms (CODY_SSL_BYPASS for seed compatibility)", () => {
  const defaults = parseConfig([], {});
  equal(defaults.instance.tls?.insecureSkipTlsVerify, undefined);
  equal(parseConfig([], { CODY_SSL_BYPASS: "false" }).instance.tls?.insecureSkipTlsVerify, false);
  equal(defaults.logging.format, "text");
  equal(defaults.logging.bodies, false);
  equal(defaults.server.metrics, false);
  equal(parseConfig([], { CODY_SSL_BYPASS: "true" }).instance.tls?.insecureSkipTlsVerify, true);
  equal(parseConfig(["--insecure-skip-tls-verify"], {}).instance.tls?.insecureSkipTlsVerify, true);
  equal(parseConfig([], { CODY_CA_FILE: "/etc/ca.pem" }).instance.tls?.caFile, "/etc/ca.pem");
  equal(parseConfig(["--log-format", "json", "--log-bodies", "--metrics"], {}).logging.format, "json");
  equal(parseConfig([], { LOG_FORMAT: "json", RELAY_LOG_BODIES: "1", RELAY_METRICS: "yes" }).server.metrics, true);
  throws(() => parseConfig(["--log-format", "xml"], {}), /--log-format must be text or json/);
});

Deno.test("check-config refuses what the relay would refuse to start with: exposure and gateway keys without a token", () => {
  const open = { server: { host: "0.0.0.0" } };
  throws(() => parseConfig(["check-config"], {}, open), /refusing to listen on 0\.0\.0\.0 without gateway keys/);
  throws(() => parseConfig([], {}, open), /refusing to listen on 0\.0\.0\.0 without gateway keys/);
  parseConfig(["check-config", "--allow-open"], {}, open);
  const tokenless = {
    server: { apiKeys: ["relay-key-1"] },
    upstreams: { cody: { type: "cody" as const, endpoint: "https://sg.example" } },
  };
  throws(() => parseConfig(["check-config"], {}, tokenless), /needs its own for upstream "cody"/);
  parseConfig(["check-config"], { SRC_ACCESS_TOKEN: "sgp_0123456789" }, tokenless);
});

Deno.test("gateway keys are taken without the spaces around them, as clients' keys are, from a flag or a file", () => {
  equal(parseConfig(["--api-key", " flag-key "], {}).server.apiKeys?.join(), "flag-key");
  const file = { server: { apiKeys: [" file-key\t", "other"] } };
  equal(parseConfig([], {}, file, "relay.json").server.apiKeys?.join(), "file-key,other");
  throws(
    () => parseConfig([], {}, { server: { apiKeys: ["   "] } }, "relay.json"),
    /expected string to have >=1 characters$/,
  );
});

Deno.test("--explain outside check-config is an error that says where it goes", () => {
  throws(() => parseConfig(["--explain"], {}), /--explain goes with check-config/);
  equal(parseConfig(["check-config", "--explain"], {}).explain, true);
});
