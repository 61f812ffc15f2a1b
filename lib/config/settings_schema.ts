/**
 * Every setting of the relay, defined once: its key in the config file (`cody-relay.json`),
 * its flag, its environment variables, its type and bounds, its default and one line of
 * description. Flags, environment and file are read into this schema (`resolveSettings`);
 * `--help`, the configuration reference and `config.schema.json` are generated from it.
 * Defaults the library uses too are its constants, imported here.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_CLIENT_NAME } from "../cody/adapter.ts";
import { DEFAULT_MAX_TOKENS } from "../cody/request_builder.ts";
import { DEFAULT_MAX_CONTINUATIONS } from "../pipeline/relay.ts";
import { DEFAULT_RETRY_POLICY } from "../pipeline/retrying.ts";
import { DEFAULT_TIMEOUTS } from "../pipeline/supervising.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../server/read_json.ts";
import { DEFAULT_KEEPALIVE_MS } from "../server/respond.ts";
import { DEFAULT_HOST, DEFAULT_PORT } from "../server/serve.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS } from "../transport/http1_fetch.ts";
import { envName, setting, SETTINGS_META } from "./setting.ts";

/** The upstream the Sourcegraph instance's flags and variables describe (`--endpoint`, `SRC_ACCESS_TOKEN`, …). */
export const INSTANCE_UPSTREAM = "cody";

/** Milliseconds between the simulator's tokens where its upstream sets none, so streaming is visible. */
export const SIMULATOR_PACE_MS = 15;

/** A time limit in seconds (fractions allowed), its default the library's `ms` milliseconds. */
const seconds = (ms: number) => z.number().positive().max(86_400).default(ms / 1000);

/** An http(s) URL the runtime can parse (an unparseable one would fail later, quoted whole); one schema per key. */
const url = () =>
  z.string().regex(/^https?:\/\/[^\s]+$/, { message: "must be an http(s) URL", abort: true })
    .refine((url) => URL.canParse(url), "must be an http(s) URL");

/** A bare domain in `SOURCEGRAPH_DOMAIN` means `https://DOMAIN`. */
const SOURCEGRAPH_DOMAIN = {
  name: "SOURCEGRAPH_DOMAIN",
  read: (text: string) => /^https?:\/\//.test(text) ? text : `https://${text}`,
  note: "a bare domain means https://DOMAIN",
};

const Tls = z.object({
  caFile: setting(z.string().min(1).optional(), {
    description:
      "a PEM CA bundle trusted for the upstream's TLS (corporate CAs); the flag reaches Sourcegraph upstreams only",
    flag: "ca-file",
    env: ["CODY_CA_FILE"],
  }),
  insecureSkipTlsVerify: setting(z.boolean().optional(), {
    description: "do not verify the upstream's certificate (warns at start and on /health)",
    flag: "insecure-skip-tls-verify",
    env: ["CODY_SSL_BYPASS"],
    default: false,
  }),
}).strict();

/** How an upstream is reached: every HTTP upstream type has these. */
const Transport = {
  transport: setting(z.enum(["node-http", "fetch"]).optional(), {
    description:
      "node-http (the relay's own HTTP/1.1 client on node:net: one read per socket read) or the runtime's fetch, which honours HTTP proxies",
    flag: "upstream-transport",
    env: ["CODY_UPSTREAM_TRANSPORT"],
    defaultText: "node-http, or fetch when HTTPS_PROXY, HTTP_PROXY or ALL_PROXY is set",
  }),
  tls: setting(Tls.optional(), { description: "how the upstream's certificate is checked" }),
};

const TransportSettings = z.object(Transport);
/** An upstream's transport settings. */
export type UpstreamTransport = z.infer<typeof TransportSettings>;

/** The keys a Sourcegraph instance has in both its APIs. */
const Sourcegraph = {
  endpoint: setting(
    url().refine(
      (url) => !/^[^/]*\/\/[^/?#]*@/.test(url),
      "must not contain credentials (use accessToken or SRC_ACCESS_TOKEN)",
    ),
    {
      description: "the Sourcegraph instance, https:// or http://",
      flag: "endpoint",
      env: ["SRC_ENDPOINT", SOURCEGRAPH_DOMAIN],
      defaultText: "none: the built-in simulator answers",
    },
  ),
  accessToken: setting(z.string().min(1).optional(), {
    description:
      "an access token for every request to the instance (clients then need no key); without one each client's key is passed on",
    env: ["SRC_ACCESS_TOKEN"],
  }),
  clientName: setting(z.string().min(1).optional(), {
    description:
      "client-name sent to Sourcegraph (older instances with context filters take only vscode, jetbrains, web)",
    flag: "client-name",
    env: ["CODY_CLIENT_NAME"],
    default: DEFAULT_CLIENT_NAME,
  }),
};

/** The Cody API of a Sourcegraph instance (`/.api/completions/stream`): the upstream named cody is this by default. */
export const CodyUpstreamSchema = z.object({
  type: z.literal("cody"),
  ...Sourcegraph,
  clientVersion: setting(z.string().min(1).optional(), {
    description: "client-version sent to Sourcegraph",
    flag: "client-version",
    env: ["CODY_CLIENT_VERSION"],
    defaultText: "the relay's version",
  }),
  ...Transport,
}).strict();

const SourcegraphLlmUpstream = z.object({
  type: z.literal("sourcegraph-llm"),
  ...Sourcegraph,
  systemRole: setting(z.boolean().optional(), {
    description: "send system messages as such (Sourcegraph 6.12 rejects them)",
    default: false,
  }),
  ...Transport,
}).strict();

const OpenAICompatibleUpstream = z.object({
  type: z.literal("openai-compatible"),
  baseUrl: setting(url(), { description: "the API base, usually ending in /v1" }),
  apiKey: setting(z.string().min(1).optional(), { description: "sent as Authorization: Bearer" }),
  headers: setting(z.record(z.string(), z.string()).optional(), { description: "more request headers" }),
  defaultModel: setting(z.string().min(1).optional(), { description: "the model of requests naming none" }),
  defaultMaxTokens: setting(z.number().int().min(1).optional(), {
    description: "max_tokens when a request sets none",
  }),
  includeUsage: setting(z.boolean().optional(), { description: "ask for usage in streams (stream_options)" }),
  systemRole: setting(z.boolean().optional(), { description: "send system messages as such" }),
  ...Transport,
}).strict();

const LegacySseUpstream = z.object({
  type: z.literal("legacy-sse"),
  url: setting(url(), { description: "the stream URL, with ${query} (and ${session})" }),
  name: setting(z.string().min(1).optional(), { description: "the model name it is listed as" }),
  ...Transport,
}).strict();

const SimulatorUpstream = z.object({
  type: z.literal("simulator"),
  paceMs: setting(z.number().int().min(0).max(10_000).optional(), {
    description: "milliseconds between the simulator's tokens",
    unit: "milliseconds",
    default: SIMULATOR_PACE_MS,
  }),
}).strict();

/** One upstream of the file: its `type` says which keys it has. */
export const UpstreamSchema = z.discriminatedUnion("type", [
  CodyUpstreamSchema,
  SourcegraphLlmUpstream,
  OpenAICompatibleUpstream,
  LegacySseUpstream,
  SimulatorUpstream,
]);

/** One upstream's settings, as the file gives them. */
export type UpstreamSettings = z.infer<typeof UpstreamSchema>;

/** A route in the `models` table. */
const ModelRoute = z.object({
  upstream: setting(z.string().min(1), { description: "the upstream that serves it" }),
  model: setting(z.string().min(1).optional(), { description: "the upstream's model id" }),
  prefer: setting(z.array(z.string().min(1)).min(1).optional(), {
    description: "instead of model: the first of these the upstream lists",
  }),
  maxTokens: setting(z.number().int().min(1).max(1_000_000).optional(), {
    description: "the output budget when the client sets none",
  }),
  continuation: setting(z.boolean().optional(), { description: "false: never continue this model's cut-off answers" }),
  allowedParameters: setting(z.array(z.enum(["temperature", "topP", "topK", "stop"])).optional(), {
    description: "the sampling parameters clients may set; others are a 400",
  }),
}).strict();

/** A host name a request's `Host` may carry, or `*`. */
const HostName = z.string().regex(
  /^(\*|[a-z0-9.-]+|\[?[0-9a-f:]+\]?)$/i,
  "must be a host name like relay.example, or *",
);

/** Browser origins, each `https://host[:port]`, or `*` for any. */
const Origin = z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, "must be an origin like https://app.example.com, or *");

const Server = z.object({
  host: setting(z.string().min(1).default(DEFAULT_HOST), {
    description: "the address to listen on; beyond loopback it needs gateway keys or allowOpen",
    flag: "host",
    env: ["HOST"],
  }),
  port: setting(z.number().int().min(0).max(65_535).default(DEFAULT_PORT), {
    description: "the port to listen on; 0 picks a free one",
    flag: "port",
    env: ["PORT"],
  }),
  cors: setting(z.array(Origin).min(1, "needs at least one origin (or *)").optional(), {
    description: "browser origins allowed to call the relay (CORS), or *",
    flag: "cors",
    env: ["CORS_ORIGINS"],
    defaultText: "off",
  }),
  tlsCert: setting(z.string().min(1).optional(), {
    description: "a PEM certificate file: with tlsKey, serve HTTPS (HTTP/2 on Deno)",
    flag: "tls-cert",
    env: ["TLS_CERT_FILE"],
  }),
  tlsKey: setting(z.string().min(1).optional(), {
    description: "the PEM private key file of tlsCert",
    flag: "tls-key",
    env: ["TLS_KEY_FILE"],
  }),
  apiKeys: setting(z.array(z.string().trim().min(1).regex(/^[^,]*$/, "must not contain a comma")).optional(), {
    description:
      "the relay's own keys (gateway keys): clients must present one, and SRC_ACCESS_TOKEN is used upstream; prefer the variable, flags show in process lists",
    flag: "api-key",
    env: ["RELAY_API_KEYS"],
    defaultText: "none",
  }),
  allowOpen: setting(z.boolean().default(false), {
    description: "listen beyond loopback without gateway keys (otherwise the relay refuses to start, and says why)",
    flag: "allow-open",
    env: ["RELAY_ALLOW_OPEN"],
  }),
  allowedHosts: setting(z.array(HostName).min(1, "needs at least one host name (or *)").optional(), {
    description:
      "host names a request's Host header may carry, against DNS rebinding (localhost covers every loopback name; * any)",
    flag: "allowed-host",
    env: ["RELAY_ALLOWED_HOSTS"],
    defaultText: "localhost when listening on loopback, else *",
  }),
  maxBodyBytes: setting(z.number().int().min(1024).max(1024 ** 3).default(DEFAULT_MAX_BODY_BYTES), {
    description: "the request body limit (a 413 above it)",
    flag: "max-body-bytes",
    env: ["RELAY_MAX_BODY_BYTES"],
    unit: "bytes",
  }),
  keepAliveInterval: setting(seconds(DEFAULT_KEEPALIVE_MS), {
    description: 'an SSE ": keepalive" comment after this long without a byte (not on Ollama\'s NDJSON)',
    flag: "keepalive-interval",
    env: ["RELAY_KEEPALIVE_INTERVAL"],
    unit: "seconds",
  }),
  shutdownGrace: setting(seconds(10_000), {
    description: "on SIGINT or SIGTERM, how long in-flight answers may finish",
    flag: "shutdown-grace",
    env: ["RELAY_SHUTDOWN_GRACE"],
    unit: "seconds",
  }),
  metrics: setting(z.boolean().default(false), {
    description: "serve GET /metrics (Prometheus)",
    flag: "metrics",
    env: ["RELAY_METRICS"],
  }),
  ui: setting(z.boolean().default(true), {
    description: "serve the web console at /ui (its data needs a gateway key when the relay has any)",
    flag: "ui",
    env: ["RELAY_UI"],
  }),
}).strict();

const Logging = z.object({
  level: setting(z.enum(["debug", "info", "warning", "error"]).default("info"), {
    description: "the least severe log lines written (to stderr; stdout's first line says where the relay listens)",
    flag: "log-level",
    env: ["LOG_LEVEL"],
  }),
  format: setting(z.enum(["text", "json"]).default("text"), {
    description: "json: one JSON object per line",
    flag: "log-format",
    env: ["LOG_FORMAT"],
  }),
  bodies: setting(z.boolean().default(false), {
    description: "also log request bodies, tokens and keys redacted (says so at start)",
    flag: "log-bodies",
    env: ["RELAY_LOG_BODIES"],
  }),
}).strict();

const Limits = z.object({
  connectTimeout: setting(seconds(DEFAULT_CONNECT_TIMEOUT_MS), {
    description: "connecting to the upstream (TCP and TLS; node-http transport)",
    flag: "connect-timeout",
    env: ["CODY_CONNECT_TIMEOUT"],
    unit: "seconds",
  }),
  firstEventTimeout: setting(seconds(DEFAULT_TIMEOUTS.firstEventMs), {
    description: "from the request sent to the answer's first event",
    flag: "first-event-timeout",
    env: ["CODY_FIRST_EVENT_TIMEOUT"],
    unit: "seconds",
  }),
  idleTimeout: setting(seconds(DEFAULT_TIMEOUTS.idleMs), {
    description: "the longest gap between two events of an answer (expires within a quarter more)",
    flag: "idle-timeout",
    env: ["CODY_IDLE_TIMEOUT"],
    unit: "seconds",
  }),
  totalTimeout: setting(seconds(DEFAULT_TIMEOUTS.totalMs), {
    description: "a whole answer: every retry and continuation round",
    flag: "total-timeout",
    env: ["CODY_TOTAL_TIMEOUT"],
    unit: "seconds",
  }),
}).strict();

const Retry = z.object({
  maxRetries: setting(z.number().int().min(0).max(10).default(DEFAULT_RETRY_POLICY.maxRetries), {
    description: "retries of a first round that failed before answering (429, 502-504, unreachable)",
    flag: "max-retries",
    env: ["CODY_MAX_RETRIES"],
  }),
  maxWait: setting(seconds(DEFAULT_RETRY_POLICY.maxWaitMs), {
    description: "the most time spent backing off, over all retries",
    flag: "max-retry-wait",
    env: ["CODY_MAX_RETRY_WAIT"],
    unit: "seconds",
  }),
  fallbackModels: setting(z.array(z.string().min(1)).optional(), {
    description: "models tried in order when the requested one fails with 429 or 5xx before answering",
    flag: "fallback-model",
    env: ["CODY_FALLBACK_MODELS"],
    defaultText: "none",
  }),
}).strict();

const Continuation = z.object({
  maxContinuations: setting(z.number().int().min(0).max(100).default(DEFAULT_MAX_CONTINUATIONS), {
    description: "rounds to continue an answer the upstream cut off; 0 turns continuation off",
    flag: "max-continuations",
    env: ["CODY_MAX_CONTINUATIONS"],
  }),
  defaultMaxTokens: setting(z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_TOKENS), {
    description: "the output cap of Sourcegraph upstreams when a client sets none",
    flag: "default-max-tokens",
    env: ["CODY_DEFAULT_MAX_TOKENS"],
  }),
}).strict();

const Responses = z.object({
  store: setting(
    z.string().regex(/^(memory|rediss?:\/\/\S+)$/, {
      message: "must be memory or a redis:// or rediss:// URL",
      abort: true,
    })
      .refine((store) => store === "memory" || URL.canParse(store), "must be memory or a redis:// or rediss:// URL")
      .default("memory"),
    {
      description:
        "where Responses API answers are kept for previous_response_id: memory, or a Redis URL several replicas share",
      flag: "responses-store",
      env: ["RELAY_RESPONSES_STORE"],
    },
  ),
}).strict();

const Models = z.object({
  default: setting(z.string().min(1), { description: "the upstream for requests naming no model" }),
  aliases: setting(z.record(z.string().min(1), ModelRoute).optional(), {
    description: "model names of your own, each routed to an upstream",
  }),
  prefixes: setting(z.record(z.string().min(1), z.string().min(1)).optional(), {
    description: "model id prefixes, each naming the upstream that serves the ids after it",
  }),
  codyAliases: setting(z.boolean().optional(), {
    description: "add cody-sonnet, cody-opus, … for the default upstream",
    defaultText: "true when it is a cody or simulator upstream",
  }),
}).strict();

/**
 * The settings: the config file's shape, which flags and environment variables set too.
 * Every key is optional in the file; parsing fills in the defaults. `${NAME}` in any string
 * of the file is replaced by that environment variable.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { SettingsSchema } from "./settings_schema.ts";
 * const settings = SettingsSchema.parse({ server: { port: 9000 }, upstreams: { cody: { type: "simulator" } } });
 * equal(settings.server.port, 9000);
 * equal(settings.server.host, "127.0.0.1");
 * equal(settings.limits.idleTimeout, 60);
 * ```
 */
export const SettingsSchema = z.object({
  $schema: z.string().optional(),
  server: setting(Server.prefault({}), { description: "how the relay serves its clients" }),
  logging: setting(Logging.prefault({}), { description: "what it logs" }),
  limits: setting(Limits.prefault({}), { description: "time limits of an answer, in seconds (fractions allowed)" }),
  retry: setting(Retry.prefault({}), { description: "retries and fallbacks of an answer that failed to start" }),
  continuation: setting(Continuation.prefault({}), { description: "answers the upstream cut off" }),
  anthropicDefaultModel: setting(z.string().min(1).optional(), {
    description: "the upstream model for claude-* ids the instance does not know (Claude Code's small model)",
    flag: "anthropic-default-model",
    env: ["CODY_ANTHROPIC_DEFAULT_MODEL"],
    defaultText: "the instance's default chat model",
  }),
  responses: setting(Responses.prefault({}), { description: "the Responses API's stored answers" }),
  upstreams: setting(
    z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, "upstream names are lower-case words"), UpstreamSchema).optional(),
    {
      description: "the upstreams, by name",
      defaultText: "one upstream named cody: the --endpoint instance, or the built-in simulator",
    },
  ),
  models: setting(Models.optional(), { description: "the model routing table" }),
}).strict();

/** The settings as the config file gives them: every key optional. */
export type ConfigFile = z.input<typeof SettingsSchema>;

/** The settings with every default filled in. */
export type Settings = z.output<typeof SettingsSchema>;

/**
 * The settings once every source is read: the schema, and the checks between keys, which
 * may come from different sources (a certificate in the file, its key in a variable).
 */
export const CheckedSettingsSchema: typeof SettingsSchema = SettingsSchema.superRefine(({ server }, context) => {
  if (!server.tlsCert === !server.tlsKey) return;
  const [cert, key] = [Server.shape.tlsCert, Server.shape.tlsKey].map((schema) => SETTINGS_META.get(schema)!);
  context.addIssue({
    code: "custom",
    path: ["server", server.tlsCert ? "tlsKey" : "tlsCert"],
    message: `--${cert.flag} and --${key.flag} go together (${envName(cert.env![0])} and ${envName(key.env![0])}, ` +
      "server.tlsCert and server.tlsKey)",
  });
});
