/**
 * The config file (`cody-relay.json`): every command-line setting, the upstreams and the
 * model routing table, as one zod schema (published as JSON Schema by `deno task schema`).
 *
 * @module
 */
import { z } from "zod";

const Seconds = z.number().positive().max(86_400).describe("seconds");
/** An http(s) URL the runtime can parse (an unparseable one would fail later, quoted whole). */
const Url = z.string().regex(/^https?:\/\/[^\s]+$/, { message: "must be an http(s) URL", abort: true })
  .refine((url) => URL.canParse(url), "must be an http(s) URL");
const LogLevel = z.enum(["debug", "info", "warning", "error"]);

const Tls = z.object({
  caFile: z.string().describe("PEM CA bundle trusted for the upstream's TLS").optional(),
  insecureSkipTlsVerify: z.boolean().describe("do not verify the upstream's certificate (warns)").optional(),
}).strict();

/** How an upstream is reached: every HTTP upstream type has these. */
const Transport = {
  transport: z.enum(["node-http", "fetch"]).describe("node-http (default) or the runtime's fetch (honours proxies)")
    .optional(),
  tls: Tls.optional(),
};

const TransportSettings = z.object(Transport);
/** An upstream's transport settings. */
export type UpstreamTransport = z.infer<typeof TransportSettings>;

const CodyUpstream = z.object({
  type: z.literal("cody"),
  endpoint: Url.describe("the Sourcegraph instance"),
  accessToken: z.string().min(1).describe('a Sourcegraph token, e.g. "${SRC_ACCESS_TOKEN}"').optional(),
  clientName: z.string().min(1).optional(),
  clientVersion: z.string().min(1).optional(),
  ...Transport,
}).strict();

const SourcegraphLlmUpstream = z.object({
  type: z.literal("sourcegraph-llm"),
  endpoint: Url.describe("the Sourcegraph instance (its /.api/llm API is used)"),
  accessToken: z.string().min(1).optional(),
  clientName: z.string().min(1).optional(),
  systemRole: z.boolean().describe("send system messages as such (6.12 rejects them)").optional(),
  ...Transport,
}).strict();

const OpenAICompatibleUpstream = z.object({
  type: z.literal("openai-compatible"),
  baseUrl: Url.describe("the API base, usually ending in /v1"),
  apiKey: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  defaultModel: z.string().min(1).optional(),
  defaultMaxTokens: z.number().int().positive().optional(),
  includeUsage: z.boolean().optional(),
  systemRole: z.boolean().optional(),
  ...Transport,
}).strict();

const LegacySseUpstream = z.object({
  type: z.literal("legacy-sse"),
  url: Url.describe("the stream URL with ${query} (and ${session})"),
  name: z.string().min(1).optional(),
  ...Transport,
}).strict();

const SimulatorUpstream = z.object({
  type: z.literal("simulator"),
  paceMs: z.number().int().min(0).max(10_000).optional(),
}).strict();

/** One upstream of the file. */
export const UpstreamConfig = z.discriminatedUnion("type", [
  CodyUpstream,
  SourcegraphLlmUpstream,
  OpenAICompatibleUpstream,
  LegacySseUpstream,
  SimulatorUpstream,
]);

/** One upstream's settings, as the file gives them. */
export type UpstreamSettings = z.infer<typeof UpstreamConfig>;

/** A route in the `models` table. */
const ModelRouteConfig = z.object({
  upstream: z.string().min(1),
  model: z.string().min(1).optional(),
  prefer: z.array(z.string().min(1)).min(1).describe("an alias: the first of these the upstream lists").optional(),
  maxTokens: z.number().int().min(1).max(1_000_000).describe("the output budget when the client sets none").optional(),
  continuation: z.boolean().describe("false: never continue this model's cut-off answers").optional(),
  allowedParameters: z.array(z.enum(["temperature", "topP", "topK", "stop"])).describe(
    "the sampling parameters clients may set; others are a 400",
  ).optional(),
}).strict();

/**
 * The whole file. Every key is optional; `${NAME}` in any string is replaced by that
 * environment variable.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { ConfigFileSchema } from "./file_schema.ts";
 * const file = ConfigFileSchema.parse({ server: { port: 9000 }, upstreams: { cody: { type: "simulator" } } });
 * ok(file.server?.port === 9000);
 * ```
 */
export const ConfigFileSchema = z.object({
  $schema: z.string().optional(),
  server: z.object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65_535),
    cors: z.array(z.string().min(1)),
    tlsCert: z.string().min(1),
    tlsKey: z.string().min(1),
    apiKeys: z.array(z.string().min(1).regex(/^[^,]+$/, "must not contain a comma")).describe(
      "gateway keys clients must present",
    ),
    allowOpen: z.boolean(),
    maxBodyBytes: z.number().int().min(1024).max(1024 ** 3),
    keepAliveInterval: Seconds,
    shutdownGrace: Seconds,
    metrics: z.boolean(),
  }).partial().strict().optional(),
  logging: z.object({ level: LogLevel, format: z.enum(["text", "json"]), bodies: z.boolean() }).partial().strict()
    .optional(),
  limits: z.object({
    connectTimeout: Seconds,
    firstEventTimeout: Seconds,
    idleTimeout: Seconds,
    totalTimeout: Seconds,
  }).partial().strict().optional(),
  retry: z.object({
    maxRetries: z.number().int().min(0).max(10),
    maxWait: Seconds,
    fallbackModels: z.array(z.string().min(1)),
  }).partial().strict().optional(),
  continuation: z.object({
    maxContinuations: z.number().int().min(0).max(100),
    defaultMaxTokens: z.number().int().min(1).max(1_000_000),
  }).partial().strict().optional(),
  anthropicDefaultModel: z.string().min(1).optional(),
  responses: z.object({
    store: z.string().regex(/^(memory|rediss?:\/\/\S+)$/, 'must be "memory" or a redis:// or rediss:// URL').describe(
      "where Responses API answers are kept for previous_response_id: memory (default) or a Redis URL shared by replicas",
    ),
  }).partial().strict().optional(),
  upstreams: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, "upstream names are lower-case words"), UpstreamConfig)
    .optional(),
  models: z.object({
    default: z.string().min(1).describe("the upstream for requests naming no model"),
    aliases: z.record(z.string().min(1), ModelRouteConfig).optional(),
    prefixes: z.record(z.string().min(1), z.string().min(1)).optional(),
    codyAliases: z.boolean().describe(
      "add cody-sonnet, cody-opus, … for the default upstream (default true when it is a cody or simulator upstream)",
    ).optional(),
  }).strict().optional(),
}).strict();

/** The config file's contents, validated. */
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
