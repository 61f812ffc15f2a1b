import { getLogger } from "@logtape/logtape";
import { createApp, type RelayApp } from "../server/app.ts";
import type { RelayMetrics } from "../server/metrics.ts";
import { openResponseStore } from "../server/responses_store/open_store.ts";
import type { ResponseStore } from "../server/responses_store/store.ts";
import { buildUpstream } from "./build_upstream.ts";
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
}

/**
 * The relay app a configuration describes (its upstreams, limits, keys, logs), logging its
 * warnings. Built anew on every config reload, with the same shutdown signal and metrics,
 * and the response store `openStore` gives for the setting (pass one that keeps the stores
 * it opened, so that stored responses outlive a reload).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { configuredApp } from "./relay_app.ts";
 * import { parseConfig } from "./config.ts";
 * const { app } = await configuredApp(parseConfig([], {}), new AbortController().signal);
 * equal((await app.fetch(new Request("http://relay/health"))).status, 200);
 * ```
 */
export async function configuredApp(
  config: RelayConfig,
  shutdownSignal: AbortSignal,
  metrics?: RelayMetrics,
  openStore: (setting: string) => Promise<ResponseStore> = openResponseStore,
): Promise<ConfiguredApp> {
  const { upstream, description } = await buildUpstream(config);
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
  const app = createApp({
    upstream,
    maxContinuations: config.continuation.maxContinuations,
    anthropicDefaultModel: config.anthropicDefaultModel,
    corsOrigins: server.cors,
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
    metrics: metrics ?? server.metrics,
    logBodies: config.logging.bodies,
    responsesStore: await openStore(config.responses.store),
    warnings,
    shutdownSignal,
  });
  return { app, description };
}
