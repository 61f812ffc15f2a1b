/**
 * The relay's upstream from its configuration: the named upstreams of the config file
 * behind a router, or the single Sourcegraph endpoint of the flags, or the demo simulator.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { AdapterUpstream } from "../adapters/adapter_upstream.ts";
import { legacySseAdapter } from "../adapters/legacy_sse.ts";
import { SIMULATOR_PACE_MS, type UpstreamSettings, type UpstreamTransport } from "../config/settings_schema.ts";
import { sourcegraphLlmUpstream } from "../cody/llm_upstream.ts";
import { sourcegraphBase } from "../cody/adapter.ts";
import { CodyUpstream } from "../cody/upstream.ts";
import type { Upstream } from "../hub/upstream.ts";
import { OpenAICompatibleUpstream } from "../openai_compatible/upstream.ts";
import { codyAliases, type ModelRoute, RoutingUpstream } from "../routing/routing_upstream.ts";
import { createSimulator } from "../simulator/simulator.ts";
import type { RelayConfig } from "./relay_config.ts";
import { milliseconds } from "./milliseconds.ts";
import { upstreamFetch } from "./upstream_fetch.ts";
import type { OutgoingFetch } from "../transport/outgoing_request.ts";
import { upstreamSettings } from "./upstream_settings.ts";

/** Upstream types that are Cody instances (the simulator is a fake one), so Cody's aliases apply. */
const CODY_TYPES = new Set<string | undefined>(["cody", "simulator"]);

/** What the relay answers from, and a line saying so for the start-up log. */
export interface BuiltUpstream {
  /** The upstream to serve. */
  upstream: Upstream;
  /** e.g. `relaying to Sourcegraph at https://…`. */
  description: string;
  /** The upstreams behind it by name, with their types (the console's Status page checks each). */
  named: Record<string, { type: string; upstream: Upstream }>;
}

/**
 * Builds the upstream the configuration describes.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { buildUpstream } from "./build_upstream.ts";
 * import { parseConfig } from "./config.ts";
 * const { description, named } = await buildUpstream(parseConfig([], {}));
 * ok(description.includes("built-in simulator (any API key works)"));
 * const keyed = await buildUpstream(parseConfig(["--api-key", "relay-key-1"], {}));
 * ok(keyed.description.includes("built-in simulator (clients need one of the gateway keys)"));
 * ok(named.cody.type === "simulator");
 * ```
 */
export async function buildUpstream(config: RelayConfig): Promise<BuiltUpstream> {
  // Without upstreams in the file, the one named cody (the --endpoint instance, or the demo) is routed too,
  // so Cody's aliases and the 404 with close matches hold.
  const routed = await routedUpstreams(config, upstreamSettings(config));
  if (config.upstreams) return routed;
  const keys = config.server.apiKeys?.length ? "clients need one of the gateway keys" : "any API key works";
  return {
    ...routed,
    description: config.instance.endpoint
      ? `relaying to Sourcegraph at ${sourcegraphBase(config.instance.endpoint).origin}`
      : config.simulator
      ? `--simulator: answering from the built-in simulator (${keys})`
      : `no Sourcegraph endpoint configured: answering from the built-in simulator (${keys}); set SRC_ENDPOINT or --endpoint to use a real instance`,
  };
}

/** The built-in simulator behind the Cody upstream, as the instance's flags and variables describe it. */
function demoUpstream(config: RelayConfig, paceMs: number): CodyUpstream {
  const { clientName, clientVersion, accessToken } = config.instance;
  return new CodyUpstream({
    endpoint: "http://simulator.invalid",
    accessToken: accessToken ?? "sgp_local_demo",
    ...(clientName ? { clientName } : {}),
    ...(clientVersion ? { clientVersion } : {}),
    defaultMaxTokens: config.continuation.defaultMaxTokens,
    fetch: createSimulator({ paceMs, recordRequests: false }).fetch,
  });
}

async function routedUpstreams(
  config: RelayConfig,
  upstreams: Record<string, UpstreamSettings>,
): Promise<BuiltUpstream> {
  const names = Object.keys(upstreams);
  const built: Record<string, Upstream> = {};
  for (const [name, settings] of Object.entries(upstreams)) built[name] = await buildOne(config, settings);
  const routing = config.models;
  const fallback = names.length === 1 ? names[0] : undefined;
  const defaultName = routing?.default ?? fallback;
  if (!defaultName) throw new Error(`models.default must name one of the upstreams (${names.join(", ")})`);
  const aliases: Record<string, ModelRoute> = {
    ...(CODY_TYPES.has(upstreams[defaultName]?.type) && routing?.codyAliases !== false ? codyAliases(defaultName) : {}),
    ...routing?.aliases,
  };
  // `NAME/` prefixes tell several upstreams apart; one upstream needs none (its list would show every id twice).
  const named = names.length > 1 ? Object.fromEntries(names.map((name) => [`${name}/`, name])) : {};
  const prefixes = { ...named, ...routing?.prefixes };
  const upstream = new RoutingUpstream(built, { models: aliases, prefixes, default: defaultName });
  return {
    upstream,
    named: Object.fromEntries(names.map((name) => [name, { type: upstreams[name].type, upstream: built[name] }])),
    description: `relaying to ${
      names.map((name) => `${name} (${upstreams[name].type})`).join(", ")
    }; default ${defaultName}`,
  };
}

/** One upstream from its settings, the flags and variables already applied (`upstreamSettings`). */
async function buildOne(config: RelayConfig, settings: UpstreamSettings): Promise<Upstream> {
  switch (settings.type) {
    case "cody": {
      const { type: _, transport: __, tls: ___, ...options } = settings;
      return new CodyUpstream({
        ...options,
        defaultMaxTokens: config.continuation.defaultMaxTokens,
        fetch: await transportFor(config, settings),
      });
    }
    case "sourcegraph-llm": {
      const { type: _, transport: __, tls: ___, ...options } = settings;
      return sourcegraphLlmUpstream({
        ...options,
        defaultMaxTokens: config.continuation.defaultMaxTokens,
        fetch: await transportFor(config, settings),
      });
    }
    case "openai-compatible": {
      const { type: _, transport: __, tls: ___, ...options } = settings;
      return new OpenAICompatibleUpstream({ ...options, fetch: await transportFor(config, settings) });
    }
    case "legacy-sse":
      return new AdapterUpstream(
        legacySseAdapter({ url: settings.url, ...(settings.name ? { name: settings.name } : {}) }),
        { fetch: await transportFor(config, settings) },
      );
    case "simulator":
      return demoUpstream(config, settings.paceMs ?? SIMULATOR_PACE_MS);
  }
}

/** An upstream's fetch: its own transport and TLS settings, the relay's connect timeout. */
async function transportFor(config: RelayConfig, settings: UpstreamTransport): Promise<OutgoingFetch> {
  const ca = settings.tls?.caFile ? await readFile(settings.tls.caFile, "utf8") : undefined;
  return upstreamFetch({
    transport: settings.transport ?? config.defaultUpstreamTransport,
    connectTimeoutMs: milliseconds(config.limits.connectTimeout),
    ...(ca ? { ca } : {}),
    insecureSkipTlsVerify: settings.tls?.insecureSkipTlsVerify ?? false,
  });
}
