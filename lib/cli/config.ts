/**
 * Command line and environment → configuration. Flags beat environment variables.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ConfigFile } from "../config/file_schema.ts";
import { fileAsEnv } from "../config/file_settings.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../server/read_json.ts";
import type { RelayConfig } from "./relay_config.ts";
import { upstreamSettings } from "./upstream_settings.ts";

/** `--help` text: every flag and environment variable. */
export const USAGE = `cody-relay — use Sourcegraph Cody from any OpenAI-compatible client

Usage:
  cli.ts [options]             run the relay
  cli.ts simulate [options]    run the built-in Sourcegraph simulator alone
  cli.ts check-config [PATH]   validate a config file and exit (0 = good, 2 = problems, each listed)

Options (flags beat environment variables, which beat the config file, which beats the defaults).
The Sourcegraph instance's settings (--endpoint, SRC_ACCESS_TOKEN, --client-name, --client-version,
--upstream-transport, --ca-file, --insecure-skip-tls-verify) beat the file's keys of the upstream named
cody; other upstreams take them only where their own keys are unset (the TLS ones only Sourcegraph
upstreams, SRC_ACCESS_TOKEN only those at the cody upstream's origin).
  --config PATH                the config file (JSON with comments; its upstreams and models,
                               and a key for every setting below; see README "Config file")
                                                               env CODY_RELAY_CONFIG default ./cody-relay.json if present
  --host HOST                  address to listen on            env HOST              default 127.0.0.1
  --port PORT                  port to listen on, 0 = any free env PORT              default 8787
  --endpoint URL               Sourcegraph instance (https:// or http://)
                                                               env SRC_ENDPOINT, or SOURCEGRAPH_DOMAIN
                                                               (a bare domain means https://DOMAIN)
                               Without one, the relay answers from the built-in simulator.
  --simulator                  use the built-in simulator even if an endpoint is set
  --client-name NAME           client-name sent to Sourcegraph env CODY_CLIENT_NAME      default cody-relay
  --client-version VERSION     client-version sent             env CODY_CLIENT_VERSION   default the relay's version
  --default-max-tokens N       output cap when a client sets none
                                                               env CODY_DEFAULT_MAX_TOKENS default 4000
  --max-continuations N        rounds to continue an answer the upstream cut off, 0 = off
                                                               env CODY_MAX_CONTINUATIONS default 8
  --anthropic-default-model M  upstream model for claude-* ids the instance does not know
                               (Claude Code's small-model requests)
                                                               env CODY_ANTHROPIC_DEFAULT_MODEL
                                                               default the instance's default chat model
  --responses-store STORE      where Responses API answers are kept for previous_response_id:
                               memory, or a redis:// URL that several replicas share
                                                               env RELAY_RESPONSES_STORE default memory
  --cors ORIGINS               allow browser clients from these origins (comma-separated, or *)
                                                               env CORS_ORIGINS      default off
  --log-level LEVEL            debug, info, warning or error   env LOG_LEVEL         default info
  --log-format FORMAT          text or json (one JSON object per line)
                                                               env LOG_FORMAT        default text
  --log-bodies                 also log request bodies, secrets redacted (for debugging)
                                                               env RELAY_LOG_BODIES=true
  --metrics                    serve GET /metrics (Prometheus)  env RELAY_METRICS=true
  --tls-cert FILE --tls-key FILE
                               serve HTTPS with this PEM certificate and key
                                                               env TLS_CERT_FILE, TLS_KEY_FILE
  --upstream-transport T       node-http or fetch              env CODY_UPSTREAM_TRANSPORT
                               default node-http, or fetch when HTTPS_PROXY, HTTP_PROXY or
                               ALL_PROXY is set (the runtime's fetch honours them)
  -h, --help                   show this help
  --version                    print the version

Limits (seconds unless said otherwise; fractions allowed):
  --connect-timeout S          connecting to the upstream      env CODY_CONNECT_TIMEOUT     default 10
  --first-event-timeout S      request sent → first answer event
                                                               env CODY_FIRST_EVENT_TIMEOUT default 60
  --idle-timeout S             longest gap between answer events
                                                               env CODY_IDLE_TIMEOUT        default 60
  --total-timeout S            a whole answer, all rounds      env CODY_TOTAL_TIMEOUT       default 900
  --keepalive-interval S       ": keepalive" SSE comment after this long without a byte
                                                               env RELAY_KEEPALIVE_INTERVAL default 10
  --max-retries N              retries of a failed first round (429, 502-504, unreachable)
                                                               env CODY_MAX_RETRIES         default 2
  --max-retry-wait S           total backoff over all retries  env CODY_MAX_RETRY_WAIT      default 20
  --fallback-model REF         tried in order when the model fails with 429/5xx before answering
                               (repeatable)                    env CODY_FALLBACK_MODELS (comma-separated)
  --max-body-bytes N           request body limit in bytes     env RELAY_MAX_BODY_BYTES     default 10485760
  --shutdown-grace S           SIGINT/SIGTERM: how long in-flight answers may finish
                                                               env RELAY_SHUTDOWN_GRACE     default 10

Security:
  --api-key KEY                a key clients must present (Bearer, x-api-key or api-key); repeatable.
                               With keys, SRC_ACCESS_TOKEN is used upstream.
                                                               env RELAY_API_KEYS (comma-separated; prefer
                                                               it: flags show up in process lists)
  --allow-open                 listen beyond loopback without gateway keys (otherwise refused)
                                                               env RELAY_ALLOW_OPEN=true
  --ca-file FILE               PEM CA bundle for the upstream's TLS (corporate CAs)
                                                               env CODY_CA_FILE
  --insecure-skip-tls-verify   do not verify the upstream's TLS certificate (warns at start and on /health)
                                                               env CODY_SSL_BYPASS=true

Credentials:
  SRC_ACCESS_TOKEN             a Sourcegraph access token used for every request to its instance
                               (clients then need no key). Without it, each client's API key is passed on:
                               sgp_… tokens as "Authorization: token", anything else as the
                               sgs session cookie.

Logs go to stderr; the first stdout line is "cody-relay listening on http://HOST:PORT".
`;

const LOG_LEVELS = ["debug", "info", "warning", "error"] as const;

/**
 * Parses argv (without the runtime and script), the environment and the config file's
 * contents: flags beat environment variables, which beat the file, which beats the
 * defaults. Throws an Error with a user-facing message on bad input.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { parseConfig } from "./config.ts";
 * const config = parseConfig(["--port", "0"], { SOURCEGRAPH_DOMAIN: "sourcegraph.example.com" });
 * ok(config.port === 0 && config.endpoint === "https://sourcegraph.example.com");
 * ```
 */
export function parseConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  file?: ConfigFile,
): RelayConfig {
  if (file) env = { ...fileAsEnv(file), ...env };
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      endpoint: { type: "string" },
      simulator: { type: "boolean" },
      "client-name": { type: "string" },
      "client-version": { type: "string" },
      "default-max-tokens": { type: "string" },
      "max-continuations": { type: "string" },
      "log-level": { type: "string" },
      "upstream-transport": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "anthropic-default-model": { type: "string" },
      "responses-store": { type: "string" },
      cors: { type: "string" },
      "log-format": { type: "string" },
      "log-bodies": { type: "boolean" },
      metrics: { type: "boolean" },
      "connect-timeout": { type: "string" },
      "first-event-timeout": { type: "string" },
      "idle-timeout": { type: "string" },
      "total-timeout": { type: "string" },
      "keepalive-interval": { type: "string" },
      "max-retries": { type: "string" },
      "max-retry-wait": { type: "string" },
      "fallback-model": { type: "string", multiple: true },
      "max-body-bytes": { type: "string" },
      "shutdown-grace": { type: "string" },
      "api-key": { type: "string", multiple: true },
      "allow-open": { type: "boolean" },
      "ca-file": { type: "string" },
      "insecure-skip-tls-verify": { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
      config: { type: "string" },
    },
  });
  const [command = "relay", ...extra] = positionals;
  if (command !== "relay" && command !== "simulate" && command !== "check-config") {
    throw new Error(`unknown command "${command}" (try --help)`);
  }
  if (extra.length > (command === "check-config" ? 1 : 0)) {
    throw new Error(`unexpected argument "${extra.at(-1)}" (try --help)`);
  }
  const logLevel = values["log-level"] ?? env.LOG_LEVEL ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  const endpoint = values.simulator
    ? undefined
    : values.endpoint ?? env.SRC_ENDPOINT ?? domainEndpoint(env.SOURCEGRAPH_DOMAIN);
  const logFormat = values["log-format"] ?? env.LOG_FORMAT ?? "text";
  if (logFormat !== "text" && logFormat !== "json") {
    throw new Error(`--log-format must be text or json, got "${logFormat}"`);
  }
  const limit = (flag: keyof typeof values & string, name: string, fallback: string) =>
    seconds(`--${flag}`, (values[flag] as string | undefined) ?? env[name] ?? fallback);
  const config: RelayConfig = {
    command: values.help ? "help" : values.version ? "version" : command,
    host: values.host ?? env.HOST ?? "127.0.0.1",
    port: integer("--port", values.port ?? env.PORT ?? "8787", 0, 65535),
    ...(endpoint ? { endpoint: checkEndpoint(endpoint) } : {}),
    ...(env.SRC_ACCESS_TOKEN ? { accessToken: env.SRC_ACCESS_TOKEN } : {}),
    ...optional("clientName", values["client-name"] ?? env.CODY_CLIENT_NAME),
    ...optional("clientVersion", values["client-version"] ?? env.CODY_CLIENT_VERSION),
    defaultMaxTokens: integer(
      "--default-max-tokens",
      values["default-max-tokens"] ?? env.CODY_DEFAULT_MAX_TOKENS ?? "4000",
      1,
      1_000_000,
    ),
    maxContinuations: integer(
      "--max-continuations",
      values["max-continuations"] ?? env.CODY_MAX_CONTINUATIONS ?? "8",
      0,
      100,
    ),
    logLevel: logLevel as RelayConfig["logLevel"],
    ...upstreamTransport(values["upstream-transport"] ?? env.CODY_UPSTREAM_TRANSPORT),
    defaultUpstreamTransport: defaultUpstreamTransport(env),
    ...tlsFiles(values["tls-cert"] ?? env.TLS_CERT_FILE, values["tls-key"] ?? env.TLS_KEY_FILE),
    ...optional("anthropicDefaultModel", values["anthropic-default-model"] ?? env.CODY_ANTHROPIC_DEFAULT_MODEL),
    ...responsesStore(values["responses-store"] ?? env.RELAY_RESPONSES_STORE),
    ...corsOrigins(values.cors ?? env.CORS_ORIGINS),
    timeouts: {
      connectMs: limit("connect-timeout", "CODY_CONNECT_TIMEOUT", "10"),
      firstEventMs: limit("first-event-timeout", "CODY_FIRST_EVENT_TIMEOUT", "60"),
      idleMs: limit("idle-timeout", "CODY_IDLE_TIMEOUT", "60"),
      totalMs: limit("total-timeout", "CODY_TOTAL_TIMEOUT", "900"),
    },
    keepAliveMs: limit("keepalive-interval", "RELAY_KEEPALIVE_INTERVAL", "10"),
    retry: {
      maxRetries: integer("--max-retries", values["max-retries"] ?? env.CODY_MAX_RETRIES ?? "2", 0, 10),
      maxWaitMs: limit("max-retry-wait", "CODY_MAX_RETRY_WAIT", "20"),
    },
    fallbackModels: values["fallback-model"] ?? list(env.CODY_FALLBACK_MODELS),
    maxBodyBytes: integer(
      "--max-body-bytes",
      values["max-body-bytes"] ?? env.RELAY_MAX_BODY_BYTES ?? String(DEFAULT_MAX_BODY_BYTES),
      1024,
      1024 ** 3,
    ),
    shutdownGraceMs: limit("shutdown-grace", "RELAY_SHUTDOWN_GRACE", "10"),
    apiKeys: values["api-key"] ?? list(env.RELAY_API_KEYS),
    allowOpen: values["allow-open"] ?? flag(env.RELAY_ALLOW_OPEN),
    ...optional("caFile", values["ca-file"] ?? env.CODY_CA_FILE),
    insecureSkipTlsVerify: values["insecure-skip-tls-verify"] ??
      (env.CODY_SSL_BYPASS?.trim() ? flag(env.CODY_SSL_BYPASS) : undefined),
    logFormat,
    logBodies: values["log-bodies"] ?? flag(env.RELAY_LOG_BODIES),
    metrics: values.metrics ?? flag(env.RELAY_METRICS),
  };
  if (file?.upstreams && Object.keys(file.upstreams).length) config.upstreams = file.upstreams;
  if (file?.models) config.routing = file.models;
  if (config.command === "relay") checkExposure(config);
  return config;
}

/**
 * Refuses configurations that would hand the Sourcegraph token (or the instance) to
 * anyone who can reach the port: listening beyond loopback needs gateway keys or an
 * explicit `--allow-open`; gateway keys in front of a real instance need a token for each
 * Sourcegraph upstream, `SRC_ACCESS_TOKEN` where it goes or its own (clients then no
 * longer send Sourcegraph tokens).
 */
function checkExposure(config: RelayConfig): void {
  const tokenless = Object.entries(upstreamSettings(config)).find(([, upstream]) =>
    (upstream.type === "cody" || upstream.type === "sourcegraph-llm") && !upstream.accessToken
  );
  if (config.apiKeys.length && tokenless) {
    throw new Error(
      `gateway keys (--api-key / RELAY_API_KEYS) replace the clients' Sourcegraph tokens, so the relay needs its own for upstream "${
        tokenless[0]
      }": set SRC_ACCESS_TOKEN (sent to the upstream named cody and to others at its origin) or its accessToken in the config file`,
    );
  }
  if (!isLoopback(config.host) && !config.apiKeys.length && !config.allowOpen) {
    throw new Error(
      `refusing to listen on ${config.host} without gateway keys: anyone who can reach it could use ${
        config.accessToken ? "your SRC_ACCESS_TOKEN" : "the relay"
      }. Set RELAY_API_KEYS (or --api-key), or pass --allow-open (RELAY_ALLOW_OPEN=true) to accept that.`,
    );
  }
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

function flag(value: string | undefined): boolean {
  return /^(1|true|yes|on)$/i.test(value?.trim() ?? "");
}

function seconds(name: string, text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || value <= 0 || value > 86_400) {
    throw new Error(`${name} must be a number of seconds above 0 and up to 86400, got "${text}"`);
  }
  return Math.round(value * 1000);
}

function optional<K extends keyof RelayConfig>(key: K, value: string | undefined): Partial<RelayConfig> {
  return value?.trim() ? { [key]: value.trim() } : {};
}

function corsOrigins(value: string | undefined): Pick<RelayConfig, "corsOrigins"> {
  if (value === undefined) return {};
  const origins = value.split(",").map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(`--cors takes origins like https://app.example.com (or *), got "${origin}"`);
    }
  }
  if (!origins.length) throw new Error("--cors needs at least one origin (or *)");
  return { corsOrigins: origins };
}

function responsesStore(value: string | undefined): Pick<RelayConfig, "responsesStore"> {
  const store = value?.trim();
  if (!store) return {};
  if (store !== "memory" && !(/^rediss?:\/\/\S+$/.test(store) && URL.canParse(store))) {
    throw new Error(`--responses-store must be memory or a redis:// or rediss:// URL, got "${withoutSecrets(store)}"`);
  }
  return { responsesStore: store };
}

function tlsFiles(certFile: string | undefined, keyFile: string | undefined): Pick<RelayConfig, "tls"> {
  if (!certFile && !keyFile) return {};
  if (!certFile || !keyFile) throw new Error("--tls-cert and --tls-key go together");
  return { tls: { certFile, keyFile } };
}

/** The runtime's fetch honours HTTP proxies; `node:http` does not. */
function defaultUpstreamTransport(env: Record<string, string | undefined>): RelayConfig["defaultUpstreamTransport"] {
  const proxied = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"].some((name) => env[name] || env[name.toLowerCase()]);
  return proxied ? "fetch" : "node-http";
}

function upstreamTransport(value: string | undefined): Pick<RelayConfig, "upstreamTransport"> {
  if (value === undefined) return {};
  if (value !== "node-http" && value !== "fetch") {
    throw new Error(`--upstream-transport must be node-http or fetch, got "${value}"`);
  }
  return { upstreamTransport: value };
}

function domainEndpoint(domain: string | undefined): string | undefined {
  if (!domain) return undefined;
  return /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
}

function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(
      `--endpoint must be a URL such as https://sourcegraph.example.com, got "${withoutSecrets(endpoint)}"`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`--endpoint must use https:// or http://, got "${withoutSecrets(endpoint)}"`);
  }
  if (url.username || url.password) throw new Error("--endpoint must not contain credentials; use SRC_ACCESS_TOKEN");
  return endpoint;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** An endpoint as an error may quote it: no user info, query or fragment (Sourcegraph takes `?token=` there). */
function withoutSecrets(endpoint: string): string {
  return endpoint.replace(/[?#][\s\S]*$/, "?[redacted]").replace(/^([^/]*\/\/)[^/]*@/, "$1[redacted]@");
}
