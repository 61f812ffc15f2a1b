/**
 * The relay's configuration as the command line, the environment and the config file
 * give it: what `parseConfig` returns and the rest of the CLI reads.
 *
 * @module
 */
import type { ConfigFile } from "../config/file_schema.ts";

/** The relay's configuration. */
export interface RelayConfig {
  command: "relay" | "simulate" | "check-config" | "help" | "version";
  host: string;
  port: number;
  /** The Sourcegraph instance; undefined means the built-in simulator. */
  endpoint?: string;
  /**
   * `SRC_ACCESS_TOKEN`, the instance's token. It and the other instance settings (client,
   * transport, TLS trust) hold only what a flag or variable set, so that they can beat the
   * config file's keys of the upstream named `cody` (see `upstreamSettings`).
   */
  accessToken?: string;
  /** `--client-name` / `CODY_CLIENT_NAME` (the upstream's default: `cody-relay`). */
  clientName?: string;
  /** `--client-version` / `CODY_CLIENT_VERSION` (the upstream's default: the relay's version). */
  clientVersion?: string;
  defaultMaxTokens: number;
  /** Continuation rounds after the first; 0 disables automatic continuation. */
  maxContinuations: number;
  logLevel: "debug" | "info" | "warning" | "error";
  /** PEM files to serve HTTPS with. */
  tls?: { certFile: string; keyFile: string };
  /** `--upstream-transport` / `CODY_UPSTREAM_TRANSPORT`: `node-http` (fast) or `fetch` (honours HTTP proxies). */
  upstreamTransport?: "node-http" | "fetch";
  /** The transport where nothing names one: `fetch` when a proxy variable is set, else `node-http`. */
  defaultUpstreamTransport: "node-http" | "fetch";
  /** The upstream model for `claude-*` ids the instance does not know. */
  anthropicDefaultModel?: string;
  /** `--responses-store` / `RELAY_RESPONSES_STORE`: `memory` or a `redis://` URL for stored Responses API answers. */
  responsesStore?: string;
  /** Browser origins allowed by CORS (`*` for any); absent = CORS off. */
  corsOrigins?: string[];
  /** Time limits in milliseconds. */
  timeouts: { connectMs: number; firstEventMs: number; idleMs: number; totalMs: number };
  /** SSE keep-alive interval in milliseconds. */
  keepAliveMs: number;
  /** Retries of a failed first round, and the most time spent waiting for them (ms). */
  retry: { maxRetries: number; maxWaitMs: number };
  /** Models tried in order when the requested one fails with 429/5xx before answering. */
  fallbackModels: string[];
  /** Request body limit in bytes. */
  maxBodyBytes: number;
  /** How long in-flight answers may run on after SIGINT/SIGTERM (ms). */
  shutdownGraceMs: number;
  /** The relay's own API keys (gateway keys); empty = none required. */
  apiKeys: string[];
  /** Listening beyond loopback without gateway keys was chosen explicitly. */
  allowOpen: boolean;
  /** `--ca-file` / `CODY_CA_FILE`: a PEM CA bundle trusted for the upstream's TLS. */
  caFile?: string;
  /** `--insecure-skip-tls-verify` / `CODY_SSL_BYPASS`: skip TLS verification of the upstream (insecure). */
  insecureSkipTlsVerify?: boolean;
  /** Log line format. */
  logFormat: "text" | "json";
  /** Log request bodies (secrets redacted). */
  logBodies: boolean;
  /** Serve `GET /metrics`. */
  metrics: boolean;
  /** Named upstreams from the config file (absent: the single Sourcegraph endpoint, or the simulator). */
  upstreams?: NonNullable<ConfigFile["upstreams"]>;
  /** The config file's model routing table. */
  routing?: ConfigFile["models"];
}
