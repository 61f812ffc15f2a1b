/**
 * Command line and environment → configuration. Flags beat environment variables.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The relay's configuration. */
export interface RelayConfig {
  command: "relay" | "simulate" | "help" | "version";
  host: string;
  port: number;
  /** The Sourcegraph instance; undefined means the built-in simulator. */
  endpoint?: string;
  accessToken?: string;
  clientName: string;
  clientVersion?: string;
  defaultMaxTokens: number;
  /** Continuation rounds after the first; 0 disables automatic continuation. */
  maxContinuations: number;
  logLevel: "debug" | "info" | "warning" | "error";
  /** PEM files to serve HTTPS with. */
  tls?: { certFile: string; keyFile: string };
  /** How upstream requests are sent: `node-http` (fast) or `fetch` (honours HTTP proxies). */
  upstreamTransport: "node-http" | "fetch";
  /** The upstream model for `claude-*` ids the instance does not know. */
  anthropicDefaultModel?: string;
  /** Browser origins allowed by CORS (`*` for any); absent = CORS off. */
  corsOrigins?: string[];
}

/** `--help` text: every flag and environment variable. */
export const USAGE = `cody-relay — use Sourcegraph Cody from any OpenAI-compatible client

Usage:
  cli.ts [options]             run the relay
  cli.ts simulate [options]    run the built-in Sourcegraph simulator alone

Options (flags beat environment variables):
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
  --cors ORIGINS               allow browser clients from these origins (comma-separated, or *)
                                                               env CORS_ORIGINS      default off
  --log-level LEVEL            debug, info, warning or error   env LOG_LEVEL         default info
  --tls-cert FILE --tls-key FILE
                               serve HTTPS with this PEM certificate and key
                                                               env TLS_CERT_FILE, TLS_KEY_FILE
  --upstream-transport T       node-http or fetch              env CODY_UPSTREAM_TRANSPORT
                               default node-http, or fetch when HTTPS_PROXY, HTTP_PROXY or
                               ALL_PROXY is set (the runtime's fetch honours them)
  -h, --help                   show this help
  --version                    print the version

Credentials:
  SRC_ACCESS_TOKEN             a Sourcegraph access token used for every request (clients then
                               need no key). Without it, each client's API key is passed on:
                               sgp_… tokens as "Authorization: token", anything else as the
                               sgs session cookie.

Logs go to stderr; the first stdout line is "cody-relay listening on http://HOST:PORT".
`;

const LOG_LEVELS = ["debug", "info", "warning", "error"] as const;

/**
 * Parses argv (without the runtime and script) and the environment.
 * Throws an Error with a user-facing message on bad input.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * const config = parseConfig(["--port", "0"], { SOURCEGRAPH_DOMAIN: "sourcegraph.example.com" });
 * console.assert(config.port === 0 && config.endpoint === "https://sourcegraph.example.com");
 * ```
 */
export function parseConfig(argv: string[], env: Record<string, string | undefined>): RelayConfig {
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
      cors: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
  const [command = "relay", ...extra] = positionals;
  if (command !== "relay" && command !== "simulate") throw new Error(`unknown command "${command}" (try --help)`);
  if (extra.length) throw new Error(`unexpected argument "${extra[0]}" (try --help)`);
  const logLevel = values["log-level"] ?? env.LOG_LEVEL ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  const endpoint = values.simulator
    ? undefined
    : values.endpoint ?? env.SRC_ENDPOINT ?? domainEndpoint(env.SOURCEGRAPH_DOMAIN);
  return {
    command: values.help ? "help" : values.version ? "version" : command,
    host: values.host ?? env.HOST ?? "127.0.0.1",
    port: integer("--port", values.port ?? env.PORT ?? "8787", 0, 65535),
    ...(endpoint ? { endpoint: checkEndpoint(endpoint) } : {}),
    ...(env.SRC_ACCESS_TOKEN ? { accessToken: env.SRC_ACCESS_TOKEN } : {}),
    clientName: values["client-name"] ?? env.CODY_CLIENT_NAME ?? "cody-relay",
    ...(values["client-version"] ?? env.CODY_CLIENT_VERSION
      ? { clientVersion: values["client-version"] ?? env.CODY_CLIENT_VERSION }
      : {}),
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
    upstreamTransport: upstreamTransport(values["upstream-transport"] ?? env.CODY_UPSTREAM_TRANSPORT, env),
    ...tlsFiles(values["tls-cert"] ?? env.TLS_CERT_FILE, values["tls-key"] ?? env.TLS_KEY_FILE),
    ...optional("anthropicDefaultModel", values["anthropic-default-model"] ?? env.CODY_ANTHROPIC_DEFAULT_MODEL),
    ...corsOrigins(values.cors ?? env.CORS_ORIGINS),
  };
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

function tlsFiles(certFile: string | undefined, keyFile: string | undefined): Pick<RelayConfig, "tls"> {
  if (!certFile && !keyFile) return {};
  if (!certFile || !keyFile) throw new Error("--tls-cert and --tls-key go together");
  return { tls: { certFile, keyFile } };
}

function upstreamTransport(
  value: string | undefined,
  env: Record<string, string | undefined>,
): RelayConfig["upstreamTransport"] {
  if (value === undefined) {
    const proxied = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"].some((name) => env[name] || env[name.toLowerCase()]);
    return proxied ? "fetch" : "node-http";
  }
  if (value !== "node-http" && value !== "fetch") {
    throw new Error(`--upstream-transport must be node-http or fetch, got "${value}"`);
  }
  return value;
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
    throw new Error(`--endpoint must be a URL such as https://sourcegraph.example.com, got "${endpoint}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`--endpoint must use https:// or http://, got "${endpoint}"`);
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
