import { deepEqual, equal, throws } from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";

Deno.test("defaults: 127.0.0.1:8787, no endpoint (built-in simulator), cody-relay client name, 4000 tokens", () => {
  const config = parseConfig([], {});
  equal(config.command, "relay");
  equal(config.host, "127.0.0.1");
  equal(config.port, 8787);
  equal(config.endpoint, undefined);
  equal(config.clientName, "cody-relay");
  equal(config.defaultMaxTokens, 4000);
});

Deno.test("flags beat environment variables", () => {
  const env = { HOST: "0.0.0.0", PORT: "9000", SRC_ENDPOINT: "https://env.example.com", CODY_CLIENT_NAME: "env" };
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
  equal(config.host, "::1");
  equal(config.port, 0);
  equal(config.endpoint, "http://127.0.0.1:7080");
  equal(config.clientName, "web");
  equal(parseConfig([], env).endpoint, "https://env.example.com");
});

Deno.test("SOURCEGRAPH_DOMAIN is an alias; a bare domain means https", () => {
  equal(parseConfig([], { SOURCEGRAPH_DOMAIN: "sourcegraph.example.com" }).endpoint, "https://sourcegraph.example.com");
  equal(parseConfig([], { SOURCEGRAPH_DOMAIN: "http://10.0.0.1:7080" }).endpoint, "http://10.0.0.1:7080");
  equal(
    parseConfig([], { SRC_ENDPOINT: "https://a.example", SOURCEGRAPH_DOMAIN: "b.example" }).endpoint,
    "https://a.example",
  );
});

Deno.test("--simulator forces the built-in simulator; simulate is a command", () => {
  equal(parseConfig(["--simulator"], { SRC_ENDPOINT: "https://a.example" }).endpoint, undefined);
  equal(parseConfig(["simulate", "--port", "0"], {}).command, "simulate");
});

Deno.test("bad input is a clear error", () => {
  throws(() => parseConfig(["--port", "http"], {}), /--port must be an integer/);
  throws(() => parseConfig(["--endpoint", "ftp://x"], {}), /https:\/\/ or http:\/\//);
  throws(() => parseConfig(["--endpoint", "https://user:secret@x"], {}), /must not contain credentials/);
  throws(() => parseConfig(["serve"], {}), /unknown command/);
  throws(() => parseConfig(["--log-level", "loud"], {}), /--log-level/);
});

Deno.test("--max-continuations and CODY_MAX_CONTINUATIONS: default 8, 0 turns continuation off", () => {
  equal(parseConfig([], {}).maxContinuations, 8);
  equal(parseConfig([], { CODY_MAX_CONTINUATIONS: "0" }).maxContinuations, 0);
  equal(parseConfig(["--max-continuations", "3"], { CODY_MAX_CONTINUATIONS: "0" }).maxContinuations, 3);
  throws(() => parseConfig(["--max-continuations=-1"], {}), /--max-continuations must be an integer/);
});

Deno.test("the upstream transport is node-http, fetch behind a proxy, or as asked", () => {
  equal(parseConfig([], {}).upstreamTransport, "node-http");
  equal(parseConfig([], { https_proxy: "http://proxy:3128" }).upstreamTransport, "fetch");
  equal(parseConfig([], { HTTP_PROXY: "http://proxy:3128" }).upstreamTransport, "fetch");
  equal(parseConfig(["--upstream-transport", "node-http"], { HTTPS_PROXY: "http://p" }).upstreamTransport, "node-http");
  equal(parseConfig([], { CODY_UPSTREAM_TRANSPORT: "fetch" }).upstreamTransport, "fetch");
  throws(() => parseConfig(["--upstream-transport", "curl"], {}), /--upstream-transport must be node-http or fetch/);
});

Deno.test("--tls-cert and --tls-key go together", () => {
  equal(parseConfig(["--tls-cert", "c.pem", "--tls-key", "k.pem"], {}).tls?.keyFile, "k.pem");
  equal(parseConfig([], { TLS_CERT_FILE: "c.pem", TLS_KEY_FILE: "k.pem" }).tls?.certFile, "c.pem");
  throws(() => parseConfig(["--tls-cert", "c.pem"], {}), /--tls-cert and --tls-key go together/);
});

Deno.test("--cors takes origins or *, and rejects what is not an origin", () => {
  equal(parseConfig([], {}).corsOrigins, undefined);
  deepEqual(parseConfig(["--cors", "https://a.example, http://localhost:3000"], {}).corsOrigins, [
    "https://a.example",
    "http://localhost:3000",
  ]);
  deepEqual(parseConfig([], { CORS_ORIGINS: "*" }).corsOrigins, ["*"]);
  throws(() => parseConfig(["--cors", "a.example/path"], {}), /--cors takes origins/);
});

Deno.test("--anthropic-default-model (or its env) names the model for unknown claude ids", () => {
  equal(parseConfig(["--anthropic-default-model", "m1"], {}).anthropicDefaultModel, "m1");
  equal(parseConfig([], { CODY_ANTHROPIC_DEFAULT_MODEL: "m2" }).anthropicDefaultModel, "m2");
});
