/**
 * Every setting read from its three sources: flag > environment variable > config file >
 * default, key by key (the Sourcegraph instance's `upstreams.cody.*` keys included), with
 * the origin `check-config --explain` names; and the errors of flags and variables.
 */
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";
import { explainConfig } from "../../lib/cli/explain.ts";
import { upstreamSettings } from "../../lib/cli/upstream_settings.ts";
import { ConfigError } from "../../lib/config/config_error.ts";
import { validateConfig } from "../../lib/config/load_config.ts";
import { envName } from "../../lib/config/setting.ts";
import { isInstanceSetting, SETTINGS } from "../../lib/config/setting_list.ts";
import { valueAt, withValueAt } from "../../lib/config/value_at.ts";

/** Three values of each setting, told apart: the flag's, the variable's and the file's. */
const SAMPLES: Record<string, readonly [unknown, unknown, unknown]> = {
  "server.host": ["127.0.0.2", "127.0.0.3", "127.0.0.4"],
  "server.port": [1001, 1002, 1003],
  "server.cors": [["https://a.example"], ["https://b.example", "*"], ["https://c.example"]],
  "server.tlsCert": ["a.pem", "b.pem", "c.pem"],
  "server.tlsKey": ["a.key", "b.key", "c.key"],
  "server.apiKeys": [["key-a"], ["key-b", "key-bb"], ["key-c"]],
  "server.allowOpen": [true, false, true],
  "server.allowedHosts": [["relay.example"], ["localhost", "b.example"], ["*"]],
  "server.maxBodyBytes": [2048, 4096, 8192],
  "server.keepAliveInterval": [1.5, 2, 3],
  "server.shutdownGrace": [1, 2, 3],
  "server.metrics": [true, false, true],
  "server.ui": [false, true, false],
  "logging.level": ["debug", "warning", "error"],
  "logging.format": ["json", "text", "json"],
  "logging.bodies": [true, false, true],
  "limits.connectTimeout": [1, 2, 3],
  "limits.firstEventTimeout": [1, 2, 3],
  "limits.idleTimeout": [0.25, 2, 3],
  "limits.totalTimeout": [1, 2, 3],
  "retry.maxRetries": [3, 4, 5],
  "retry.maxWait": [1, 2, 3],
  "retry.fallbackModels": [["model-a"], ["model-b", "model-bb"], ["model-c"]],
  "continuation.maxContinuations": [1, 0, 3],
  "continuation.defaultMaxTokens": [100, 200, 300],
  "anthropicDefaultModel": ["model-a", "model-b", "model-c"],
  "responses.store": ["redis://a.example:6379", "rediss://b.example:6380/1", "memory"],
  "upstreams.cody.endpoint": ["https://a.example", "https://b.example", "https://c.example"],
  "upstreams.cody.accessToken": [undefined, "sgp_token_b", "sgp_token_c"],
  "upstreams.cody.clientName": ["name-a", "name-b", "name-c"],
  "upstreams.cody.clientVersion": ["1.0.0-a", "1.0.0-b", "1.0.0-c"],
  "upstreams.cody.transport": ["fetch", "node-http", "fetch"],
  "upstreams.cody.tls.caFile": ["/a.pem", "/b.pem", "/c.pem"],
  "upstreams.cody.tls.insecureSkipTlsVerify": [true, false, true],
};

/** The other half of a pair that goes together, given alongside in the same source. */
const COMPANIONS: Record<string, string> = { "server.tlsCert": "server.tlsKey", "server.tlsKey": "server.tlsCert" };

const FILE = "relay.json";

/** The sources giving `key` its values: the flag's, the variable's and the file's, each if asked. */
function sources(key: string, given: { flag?: boolean; env?: boolean; file?: boolean }) {
  const keys = [key, ...(COMPANIONS[key] ? [COMPANIONS[key]] : [])];
  const argv: string[] = [];
  const env: Record<string, string> = {};
  let file: object = {
    upstreams: { cody: { type: "cody", endpoint: "https://file.example", accessToken: "sgp_file" } },
  };
  for (const name of keys) {
    const setting = SETTINGS.find((entry) => entry.key === name)!;
    const [flagValue, envValue, fileValue] = SAMPLES[name];
    if (given.flag && setting.meta.flag && flagValue !== undefined) {
      argv.push(...flagArguments(setting.meta.flag, flagValue));
    }
    if (given.env && setting.meta.env) env[envName(setting.meta.env[0])] = text(envValue);
    if (given.file) file = withValueAt(file, setting.path, fileValue);
  }
  return { argv, env, file: validateConfig(file, FILE) };
}

/** `--name`, `--no-name` for a switch turned off, or `--name value`. */
function flagArguments(flag: string, value: unknown): string[] {
  return typeof value === "boolean" ? [value ? `--${flag}` : `--no-${flag}`] : [`--${flag}`, text(value)];
}

function text(value: unknown): string {
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** The effective value of a setting: the relay's own, or the cody upstream's as built. */
function effective(key: string, argv: string[], env: Record<string, string>, file: object) {
  const config = parseConfig(argv, env, file, FILE);
  const setting = SETTINGS.find((entry) => entry.key === key)!;
  const value = isInstanceSetting(setting)
    ? valueAt(upstreamSettings(config).cody, setting.path.slice(2))
    : valueAt(config, setting.path);
  const line = explainConfig(config).split("\n").find((line) => line.startsWith(`${key} `));
  return { value, origin: line?.split(/\s{2,}/)[2] };
}

Deno.test("every setting has samples, and a flag or variable (SRC_ACCESS_TOKEN alone has no flag)", () => {
  deepEqual(SETTINGS.map((setting) => setting.key).sort(), Object.keys(SAMPLES).sort());
  for (const { key, meta } of SETTINGS) ok(meta.flag || key === "upstreams.cody.accessToken", `${key} has a flag`);
});

Deno.test("for every setting: flag > environment variable > config file > default, and explain names the source", () => {
  for (const { key, meta } of SETTINGS) {
    const [flagValue, envValue, fileValue] = SAMPLES[key];
    const variable = envName(meta.env![0]);
    const cases = [
      ...(flagValue !== undefined
        ? [{
          given: { flag: true, env: true, file: true },
          value: flagValue,
          origin: `flag ${flagArguments(meta.flag!, flagValue)[0]}`,
        }]
        : []),
      { given: { env: true, file: true }, value: envValue, origin: `env ${variable}` },
      { given: { file: true }, value: fileValue, origin: `file ${FILE}` },
    ];
    for (const { given, value, origin } of cases) {
      const { argv, env, file } = sources(key, given);
      const found = effective(key, argv, env, file);
      deepEqual(found.value, value, `${key} with ${JSON.stringify(given)}`);
      equal(found.origin, origin, `${key} with ${JSON.stringify(given)}: the origin explained`);
    }
  }
});

Deno.test("unset settings take the schema's defaults, and explain says so", () => {
  const config = parseConfig([], {}, {}, FILE);
  const explained = explainConfig(config);
  for (const { key, path } of SETTINGS.filter((setting) => !isInstanceSetting(setting))) {
    const line = explained.split("\n").find((line) => line.startsWith(`${key} `));
    ok(line?.endsWith(" default"), `${key}: ${line}`);
    equal(config.origins.get(key)?.source ?? "unset", valueAt(config, path) === undefined ? "unset" : "default", key);
  }
  equal(config.server.port, 8787);
  equal(config.limits.totalTimeout, 900);
  equal(config.responses.store, "memory");
});

Deno.test("flags and variables are checked with the setting's schema: name, expected, got, every problem at once", () => {
  const problems = (argv: string[], env: Record<string, string>) => {
    try {
      parseConfig(argv, env);
    } catch (error) {
      ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    throw new Error("expected a ConfigError");
  };
  deepEqual(problems([], { PORT: "http", CODY_IDLE_TIMEOUT: "0", RELAY_METRICS: "maybe", LOG_FORMAT: "xml" }), [
    'PORT must be an integer from 0 to 65535, got "http"',
    'RELAY_METRICS must be true or false, got "maybe"',
    'LOG_FORMAT must be text or json, got "xml"',
    'CODY_IDLE_TIMEOUT must be a number of seconds above 0 and up to 86400, got "0"',
  ]);
  deepEqual(problems(["--max-retries", "11", "--cors", "https://a.example,ftp://b"], {}), [
    '--cors must be an origin like https://app.example.com, or *, got "ftp://b"',
    '--max-retries must be an integer from 0 to 10, got "11"',
  ]);
  deepEqual(problems([], { SOURCEGRAPH_DOMAIN: "sg example" }), [
    'SOURCEGRAPH_DOMAIN must be an http(s) URL, got "sg example"',
  ]);
  deepEqual(problems([], { SRC_ENDPOINT: "https://user:sgp_secret@sg.example" }), [
    'SRC_ENDPOINT must not contain credentials (use accessToken or SRC_ACCESS_TOKEN), got "[redacted]"',
  ]);
  const [store] = problems([], { RELAY_RESPONSES_STORE: "mysql://root:hunter2@db/x" });
  equal(store, 'RELAY_RESPONSES_STORE must be memory or a redis:// or rediss:// URL, got "[redacted]"');
  throws(() => parseConfig(["--tls-key", "k.pem"], { TLS_CERT_FILE: "" }), /--tls-cert and --tls-key go together/);
  equal(parseConfig(["--tls-key", "k.pem"], {}, { server: { tlsCert: "c.pem" } }).server.tlsKey, "k.pem");
});
