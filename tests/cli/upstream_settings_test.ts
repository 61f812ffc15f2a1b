/**
 * The instance flags and variables against the config file's upstream keys: flags beat
 * variables beat the file beat the defaults for the upstream named cody; other upstreams
 * keep their own keys; SRC_ACCESS_TOKEN never reaches another instance.
 */
import { answerStream } from "../../lib/hub/answer_stream.ts";
import { equal, ok, rejects, throws } from "node:assert/strict";
import { buildUpstream } from "../../lib/cli/build_upstream.ts";
import { parseConfig } from "../../lib/cli/config.ts";
import { upstreamSettings } from "../../lib/cli/upstream_settings.ts";
import { valueAt } from "../../lib/config/value_at.ts";
import { validateConfig } from "../../lib/config/load_config.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { Upstream } from "../../lib/hub/upstream.ts";
import { serve } from "../../lib/server/serve.ts";
import { createSimulator, type Simulator } from "../../lib/simulator/simulator.ts";

const INSTANCE = "https://sg.example";

/** A setting of the instance: its upstream key, its flag (if any), its variable, and two values to tell apart. */
interface InstanceSetting {
  key: string;
  flag?: string;
  variable: string;
  values: readonly [string | boolean, string | boolean];
}

const SETTINGS: InstanceSetting[] = [
  { key: "clientName", flag: "--client-name", variable: "CODY_CLIENT_NAME", values: ["name-a", "name-b"] },
  { key: "clientVersion", flag: "--client-version", variable: "CODY_CLIENT_VERSION", values: ["1.0.0-a", "1.0.0-b"] },
  {
    key: "transport",
    flag: "--upstream-transport",
    variable: "CODY_UPSTREAM_TRANSPORT",
    values: ["fetch", "node-http"],
  },
  { key: "tls.caFile", flag: "--ca-file", variable: "CODY_CA_FILE", values: ["/ca-a.pem", "/ca-b.pem"] },
  {
    key: "tls.insecureSkipTlsVerify",
    flag: "--insecure-skip-tls-verify",
    variable: "CODY_SSL_BYPASS",
    values: [true, false],
  },
  { key: "accessToken", variable: "SRC_ACCESS_TOKEN", values: ["sgp_value_a", "sgp_value_b"] },
];

/**
 * Which of the two values (`0`, `1`) each source gives, and which wins: for the upstream
 * named cody (flags first) and for any other upstream (its own file key first).
 */
const CASES = [
  { flag: 0, env: 1, cody: 0, other: 0 },
  { env: 0, file: 1, cody: 0, other: 1 },
  { flag: 0, file: 1, cody: 0, other: 1 },
  { env: 0, cody: 0, other: 0 },
  { file: 0, cody: 0, other: 0 },
  {},
] as const satisfies { flag?: 0; env?: 0 | 1; file?: 0 | 1; cody?: 0; other?: 0 | 1 }[];

function nested(key: string, value: unknown): Record<string, unknown> {
  return key.split(".").reduceRight<Record<string, unknown>>((inner, part) => ({ [part]: inner }), value as never);
}

Deno.test("each instance setting, for the upstream named cody and for another: flag > env > file > default", () => {
  for (const { key, flag, variable, values } of SETTINGS) {
    for (const row of CASES) {
      if ("flag" in row && !flag) continue;
      const flagValue = "flag" in row ? values[row.flag] : undefined;
      const argv = flag && flagValue !== undefined ? (typeof flagValue === "boolean" ? [flag] : [flag, flagValue]) : [];
      const env: Record<string, string> = "env" in row ? { [variable]: String(values[row.env]) } : {};
      for (const name of ["cody", "other"] as const) {
        const upstream = { type: "cody", endpoint: INSTANCE, ...("file" in row ? nested(key, values[row.file]) : {}) };
        const file = validateConfig({ upstreams: { [name]: upstream } }, "test.json");
        const settings = upstreamSettings(parseConfig(argv, env, file))[name];
        const winner = row[name as keyof typeof row] as 0 | 1 | undefined;
        const expected = winner === undefined ? undefined : values[winner];
        equal(valueAt(settings, key.split(".")), expected, `${key} of "${name}" with ${JSON.stringify(row)}`);
      }
    }
  }
});

Deno.test("--endpoint / SRC_ENDPOINT set the endpoint of the upstream named cody, and of no other", () => {
  const file = validateConfig({
    upstreams: {
      cody: { type: "cody", endpoint: "https://file.example" },
      other: { type: "cody", endpoint: "https://other.example" },
    },
  }, "test.json");
  const rows = [
    { argv: ["--endpoint", "https://flag.example"], env: { SRC_ENDPOINT: "https://env.example" }, cody: "flag" },
    { argv: [], env: { SRC_ENDPOINT: "https://env.example" }, cody: "env" },
    { argv: [], env: {}, cody: "file" },
  ];
  for (const { argv, env, cody } of rows) {
    const settings = upstreamSettings(parseConfig(argv, env, file));
    equal(valueAt(settings, ["cody", "endpoint"]), `https://${cody}.example`);
    equal(valueAt(settings, ["other", "endpoint"]), "https://other.example");
  }
  equal(valueAt(upstreamSettings(parseConfig([], {})), ["cody", "type"]), "simulator", "no endpoint: the demo");
});

Deno.test("without a flag, variable or file key, the upstream's own defaults apply", () => {
  const settings = upstreamSettings(parseConfig([], {}, { upstreams: { cody: { type: "cody", endpoint: INSTANCE } } }));
  for (const key of ["clientName", "clientVersion", "transport", "accessToken", "tls.caFile"]) {
    equal(valueAt(settings.cody, key.split(".")), undefined, key);
  }
  const proxied = parseConfig([], { HTTPS_PROXY: "http://proxy:3128" });
  equal(proxied.defaultUpstreamTransport, "fetch", "the transport's default depends on the proxy variables");
});

Deno.test("the TLS flags reach Sourcegraph upstreams only; --upstream-transport every HTTP upstream", () => {
  const file = validateConfig({
    upstreams: {
      llm: { type: "sourcegraph-llm", endpoint: INSTANCE },
      local: { type: "openai-compatible", baseUrl: "http://127.0.0.1:8080/v1" },
      sse: { type: "legacy-sse", url: "http://127.0.0.1:8081/stream?q=${query}" },
    },
  }, "test.json");
  const argv = ["--ca-file", "/ca.pem", "--insecure-skip-tls-verify", "--upstream-transport", "fetch"];
  const settings = upstreamSettings(parseConfig([...argv, "--client-name", "n"], {}, file));
  equal(valueAt(settings, ["llm", "tls", "caFile"]), "/ca.pem");
  equal(valueAt(settings, ["llm", "tls", "insecureSkipTlsVerify"]), true);
  equal(valueAt(settings, ["llm", "clientName"]), "n");
  for (const name of ["local", "sse"]) {
    equal(valueAt(settings, [name, "tls"]), undefined, `${name}: a CA bundle replaces the default roots`);
    equal(valueAt(settings, [name, "transport"]), "fetch");
  }
});

Deno.test("SRC_ACCESS_TOKEN goes only to its instance: the cody upstream's origin", () => {
  const env = { SRC_ACCESS_TOKEN: "sgp_instance_token" };
  const twoInstances = validateConfig({
    upstreams: {
      cody: { type: "cody", endpoint: INSTANCE },
      same: { type: "sourcegraph-llm", endpoint: `${INSTANCE}/` },
      elsewhere: { type: "cody", endpoint: "https://other.example" },
    },
  }, "test.json");
  const settings = upstreamSettings(parseConfig([], env, twoInstances));
  equal(valueAt(settings, ["cody", "accessToken"]), env.SRC_ACCESS_TOKEN);
  equal(valueAt(settings, ["same", "accessToken"]), env.SRC_ACCESS_TOKEN);
  equal(valueAt(settings, ["elsewhere", "accessToken"]), undefined);

  const oneInstanceUnnamed = validateConfig({ upstreams: { sg: { type: "cody", endpoint: INSTANCE } } }, "test.json");
  equal(
    valueAt(upstreamSettings(parseConfig([], env, oneInstanceUnnamed)), ["sg", "accessToken"]),
    env.SRC_ACCESS_TOKEN,
  );
  const twoUnnamed = validateConfig({
    upstreams: { a: { type: "cody", endpoint: INSTANCE }, b: { type: "cody", endpoint: "https://other.example" } },
    models: { default: "a" },
  }, "test.json");
  const unknown = upstreamSettings(parseConfig([], env, twoUnnamed));
  equal(valueAt(unknown, ["a", "accessToken"]), undefined, "which instance the token is for is not known");
  equal(valueAt(unknown, ["b", "accessToken"]), undefined);
});

Deno.test("--endpoint naming another instance drops the file's token and skipped verification of cody", () => {
  const file = validateConfig({
    upstreams: {
      cody: {
        type: "cody",
        endpoint: INSTANCE,
        accessToken: "sgp_file_token",
        clientName: "file",
        tls: { caFile: "/ca.pem", insecureSkipTlsVerify: true },
      },
    },
  }, "test.json");
  const moved = upstreamSettings(parseConfig(["--endpoint", "https://other.example"], {}, file)).cody;
  equal(valueAt(moved, ["accessToken"]), undefined);
  equal(valueAt(moved, ["tls", "insecureSkipTlsVerify"]), undefined);
  equal(valueAt(moved, ["tls", "caFile"]), "/ca.pem");
  equal(valueAt(moved, ["clientName"]), "file");
  const same = upstreamSettings(parseConfig(["--endpoint", `${INSTANCE}/`], {}, file)).cody;
  equal(valueAt(same, ["accessToken"]), "sgp_file_token", "the same instance keeps its token");
  const llm = validateConfig({ upstreams: { cody: { type: "sourcegraph-llm", endpoint: INSTANCE } } }, "test.json");
  equal(valueAt(upstreamSettings(parseConfig(["--endpoint", INSTANCE], {}, llm)), ["cody", "type"]), "sourcegraph-llm");
});

Deno.test("gateway keys need a token for every Sourcegraph upstream, and SRC_ACCESS_TOKEN is not one for another instance", () => {
  const file = validateConfig({
    upstreams: {
      cody: { type: "cody", endpoint: INSTANCE },
      elsewhere: { type: "cody", endpoint: "https://o.example" },
    },
  }, "test.json");
  const env = { SRC_ACCESS_TOKEN: "sgp_instance_token", RELAY_API_KEYS: "k" };
  throws(() => parseConfig([], env, file), /its own for upstream "elsewhere": set SRC_ACCESS_TOKEN/);
  const both = validateConfig({
    upstreams: { ...file.upstreams, elsewhere: { type: "cody", endpoint: "https://o.example", accessToken: "sgp_o" } },
  }, "test.json");
  equal(parseConfig([], env, both).server.apiKeys?.length, 1);
});

/** A simulator on a loopback port (its own origin). */
async function servedSimulator(accessTokens: string[]): Promise<Simulator & { url: string } & AsyncDisposable> {
  const simulator = createSimulator({ accessTokens });
  const server = await serve({ fetch: simulator.fetch, port: 0 });
  return Object.assign(simulator, { url: server.url, [Symbol.asyncDispose]: () => server.shutdown() });
}

async function answer(upstream: Upstream, model: string | undefined, apiKey?: string): Promise<RelayEvent[]> {
  const messages = [{ role: "user" as const, parts: [{ type: "text" as const, text: "Hi" }] }];
  return await Array.fromAsync(await answerStream(upstream, { ...(model ? { model } : {}), messages }, { apiKey }));
}

Deno.test("the built upstreams send what the precedence says: client name and version, the instance token", async () => {
  await using instance = await servedSimulator(["sgp_env_token"]);
  await using elsewhere = await servedSimulator(["sgp_client_token"]);
  const file = validateConfig({
    upstreams: {
      cody: {
        type: "cody",
        endpoint: instance.url,
        accessToken: "sgp_file_token",
        clientName: "file-name",
        clientVersion: "file-version",
      },
      elsewhere: { type: "cody", endpoint: elsewhere.url, clientName: "elsewhere-name" },
    },
    models: { default: "cody" },
  }, "test.json");
  const env = { SRC_ACCESS_TOKEN: "sgp_env_token", CODY_CLIENT_NAME: "env-name", CODY_CLIENT_VERSION: "env-version" };
  const { upstream } = await buildUpstream(parseConfig(["--client-name", "flag-name"], env, file));
  equal((await answer(upstream, undefined)).at(-1)?.type, "finish");
  const sent = instance.requests.find((request) => request.path === "/.api/completions/stream");
  equal(sent?.clientName, "flag-name");
  equal(sent?.headers["x-requested-with"], "flag-name env-version");
  equal(sent?.auth, "token", "SRC_ACCESS_TOKEN beat the file's token (the instance accepts only it)");

  const models = await upstream.models({ apiKey: "sgp_client_token" });
  const model = models.find((entry) => entry.id.startsWith("elsewhere/"))?.id;
  ok(model, "the other instance lists its models with the client's key");
  equal((await answer(upstream, model, "sgp_client_token")).at(-1)?.type, "finish", "the client's key, not SRC's");
  equal(
    elsewhere.requests.find((request) => request.path === "/.api/completions/stream")?.clientName,
    "elsewhere-name",
  );
});

Deno.test("--endpoint to another instance does not carry the file's token of cody there", async () => {
  await using other = await servedSimulator(["sgp_client_token"]);
  const file = validateConfig({
    upstreams: { cody: { type: "cody", endpoint: "https://sg.example", accessToken: "sgp_file_token" } },
  }, "test.json");
  const { upstream } = await buildUpstream(parseConfig(["--endpoint", other.url], {}, file));
  equal((await answer(upstream, undefined, "sgp_client_token")).at(-1)?.type, "finish");
  const requests = other.requests.length;
  await rejects(answer(upstream, undefined), /No Sourcegraph credentials/, "no token of its own, none from the file");
  equal(other.requests.length, requests, "refused without a call upstream");
});

Deno.test("--default-max-tokens reaches sourcegraph-llm upstreams", async () => {
  await using instance = await servedSimulator(["sgp_env_token"]);
  const file = validateConfig(
    { upstreams: { cody: { type: "sourcegraph-llm", endpoint: instance.url } } },
    "test.json",
  );
  const config = parseConfig(["--default-max-tokens", "123"], { SRC_ACCESS_TOKEN: "sgp_env_token" }, file);
  const { upstream } = await buildUpstream(config);
  const models = await upstream.models({});
  equal((await answer(upstream, models[0].id)).at(-1)?.type, "finish");
  equal(instance.requests.find((request) => request.path === "/.api/llm/chat/completions")?.body?.max_tokens, 123);
});
