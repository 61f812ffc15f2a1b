import { getLogger } from "@logtape/logtape";
import { isLoopbackName } from "../server/allowed_hosts.ts";
import { createApp, type RelayApp } from "../server/app.ts";
import { webConsole } from "../server/console/console_routes.ts";
import { RequestLog } from "../server/console/request_log.ts";
import type { RelayMetrics } from "../server/metrics.ts";
import { openResponseStore } from "../server/responses_store/open_store.ts";
import type { ResponseStore } from "../server/responses_store/store.ts";
import { buildUpstream } from "./build_upstream.ts";
import { configSecrets } from "./config_secrets.ts";
import { explainedSettings } from "./explain.ts";
import { milliseconds } from "./milliseconds.ts";
import type { RelayConfig } from "./relay_config.ts";
import { upstreamSettings } from "./upstream_settings.ts";

const log = getLogger(["cody-relay", "cli"]);

/** A relay app built from a configuration, and the line that says what it relays to. */
export interface ConfiguredApp {
  /** The fetch handler. */
  app: RelayApp;
  /** e.g. `relaying to Sourcegraph at https://…`. */
  description: string;
  /**
   * Ends what the app holds open beyond a request's answer (the console's live feeds):
   * call it once a config reload has replaced the app, so that nothing opened with a
   * removed gateway key keeps being served. In-flight answers are not touched.
   */
  retire(): void;
}

/** What outlives a config reload: pass the same to every {@link configuredApp} of a process. */
export interface KeptState {
  /** The metrics `/metrics` serves while `server.metrics` is on (else that makes new ones). */
  metrics?: RelayMetrics;
  /** The response store for a setting (pass one that keeps the stores it opened). @default openResponseStore */
  openStore?: (setting: string) => Promise<ResponseStore>;
  /** The web console's request log. @default a new one */
  requestLog?: RequestLog;
  /** Every credential any configuration held, which the console never shows. @default this configuration's */
  secrets?: readonly string[];
}

/**
 * The relay app a configuration describes (its upstreams, limits, keys, logs, and the web
 * console at `/ui` unless `server.ui` is off), logging its warnings. Built anew on every
 * config reload, with the same shutdown signal and the {@link KeptState} (so that stored
 * responses and the console's request log outlive a reload).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { configuredApp } from "./relay_app.ts";
 * import { parseConfig } from "./config.ts";
 * const { app } = await configuredApp(parseConfig([], {}), new AbortController().signal);
 * equal((await app.fetch(new Request("http://relay/health"))).status, 200);
 * equal((await app.fetch(new Request("http://relay/ui"))).status, 200);
 * const { app: withoutUi } = await configuredApp(parseConfig(["--no-ui"], {}), new AbortController().signal);
 * equal((await withoutUi.fetch(new Request("http://relay/ui"))).status, 404);
 * ```
 */
export async function configuredApp(
  config: RelayConfig,
  shutdownSignal: AbortSignal,
  kept: KeptState = {},
): Promise<ConfiguredApp> {
  const { metrics, openStore = openResponseStore } = kept;
  const { upstream, description, named } = await buildUpstream(config);
  // The settings as built, flags and variables applied: a flag that turned verification back on silences the file's.
  const warnings = Object.entries(upstreamSettings(config)).flatMap(([name, settings]) =>
    "tls" in settings && settings.tls?.insecureSkipTlsVerify
      ? [
        `TLS certificate verification of the upstream "${name}" is off (--insecure-skip-tls-verify, CODY_SSL_BYPASS ` +
        `or upstreams.${name}.tls.insecureSkipTlsVerify)`,
      ]
      : []
  );
  for (const warning of warnings) log.warn("{warning}", { warning });
  if (config.logging.bodies) log.warn("logging request bodies (--log-bodies); tokens and keys in them are redacted");
  const { server, limits, retry } = config;
  const retired = new AbortController();
  const app = createApp({
    upstream,
    maxContinuations: config.continuation.maxContinuations,
    anthropicDefaultModel: config.anthropicDefaultModel,
    corsOrigins: server.cors,
    allowedHosts: server.allowedHosts ?? (isLoopbackName(server.host) ? ["localhost"] : ["*"]),
    timeouts: {
      firstEventMs: milliseconds(limits.firstEventTimeout),
      idleMs: milliseconds(limits.idleTimeout),
      totalMs: milliseconds(limits.totalTimeout),
    },
    retry: { maxRetries: retry.maxRetries, maxWaitMs: milliseconds(retry.maxWait) },
    fallbackModels: retry.fallbackModels ?? [],
    keepAliveMs: milliseconds(server.keepAliveInterval),
    maxBodyBytes: server.maxBodyBytes,
    apiKeys: server.apiKeys ?? [],
    metrics: server.metrics && (metrics ?? true),
    logBodies: config.logging.bodies,
    responsesStore: await openStore(config.responses.store),
    warnings,
    shutdownSignal,
    ...(server.ui
      ? {
        console: webConsole({
          requestLog: kept.requestLog ?? new RequestLog(),
          upstreams: named,
          settings: explainedSettings(config).map(({ key, value, origin }) => ({ key, value, source: origin })),
          secrets: kept.secrets ?? configSecrets(config),
          signal: retired.signal,
        }),
      }
      : {}),
  });
  return { app, description, retire: () => retired.abort() };
}
