/**
 * How the Sourcegraph instance's flags and variables (`--endpoint`, `SRC_ACCESS_TOKEN`,
 * `--client-name`, `--client-version`, `--upstream-transport`, `--ca-file`,
 * `--insecure-skip-tls-verify`) meet the config file's upstream keys.
 *
 * @module
 */
import { INSTANCE_UPSTREAM, type UpstreamSettings } from "../config/settings_schema.ts";
import type { RelayConfig } from "./relay_config.ts";

/** An upstream that is a Sourcegraph instance. */
type SourcegraphSettings = Extract<UpstreamSettings, { type: "cody" | "sourcegraph-llm" }>;

/**
 * Every upstream's settings with the flags and variables applied. The upstream named
 * `cody` is the instance they describe: for it, each one set beats the file's key. The
 * other upstreams keep their own keys and take a flag only where the file leaves the key
 * unset: the transport for every HTTP upstream, the client name and the TLS trust for
 * Sourcegraph upstreams (`cody`, `sourcegraph-llm`), the client version for `cody` ones.
 * `SRC_ACCESS_TOKEN` goes only to the instance it belongs to: the upstream named `cody`,
 * and others at its origin (without a `cody` Sourcegraph upstream, the origin of the
 * Sourcegraph upstreams if they share one). `--endpoint` naming another instance than
 * the file's `cody` upstream keeps that upstream's settings but its `accessToken` and
 * `insecureSkipTlsVerify`, which were given for the other instance. Without upstreams in
 * the file, `cody` is the `--endpoint` instance, or the simulator.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { upstreamSettings } from "./upstream_settings.ts";
 * import { parseConfig } from "./config.ts";
 * const upstreams = {
 *   cody: { type: "cody" as const, endpoint: "https://sg.example", clientName: "file" },
 *   other: { type: "cody" as const, endpoint: "https://other.example", clientName: "file" },
 * };
 * const settings = upstreamSettings(parseConfig(["--client-name", "flag"], { SRC_ACCESS_TOKEN: "t" }, { upstreams }));
 * ok(settings.cody.type === "cody" && settings.cody.clientName === "flag" && settings.cody.accessToken === "t");
 * ok(settings.other.type === "cody" && settings.other.clientName === "file" && !settings.other.accessToken);
 * ```
 */
export function upstreamSettings(config: RelayConfig): Record<string, UpstreamSettings> {
  const { endpoint } = config.instance;
  const upstreams = endpoint
    ? { ...config.upstreams, [INSTANCE_UPSTREAM]: atEndpoint(config.upstreams?.[INSTANCE_UPSTREAM], endpoint) }
    : config.upstreams ?? { [INSTANCE_UPSTREAM]: { type: "simulator" as const } };
  const origin = instanceOrigin(upstreams);
  return Object.fromEntries(
    Object.entries(upstreams).map(([name, settings]) => {
      const atInstance = origin !== undefined && "endpoint" in settings && originOf(settings.endpoint) === origin;
      return [name, withFlags(config, settings, name === INSTANCE_UPSTREAM, name === INSTANCE_UPSTREAM || atInstance)];
    }),
  );
}

/**
 * The flags and variables laid over one upstream's file keys (`flagsWin`) or beneath them;
 * `SRC_ACCESS_TOKEN` only if `takesToken`.
 */
function withFlags(
  config: RelayConfig,
  settings: UpstreamSettings,
  flagsWin: boolean,
  takesToken: boolean,
): UpstreamSettings {
  const pick = <T>(flag: T | undefined, file: T | undefined) => flagsWin ? flag ?? file : file ?? flag;
  const { instance } = config;
  if (settings.type === "simulator") return settings;
  const transport = pick(instance.transport, settings.transport);
  if (!isSourcegraph(settings)) return { ...settings, transport };
  const sourcegraph = {
    ...settings,
    transport,
    accessToken: pick(takesToken ? instance.accessToken : undefined, settings.accessToken),
    clientName: pick(instance.clientName, settings.clientName),
    tls: {
      caFile: pick(instance.tls?.caFile, settings.tls?.caFile),
      insecureSkipTlsVerify: pick(instance.tls?.insecureSkipTlsVerify, settings.tls?.insecureSkipTlsVerify),
    },
  };
  return sourcegraph.type === "cody"
    ? { ...sourcegraph, clientVersion: pick(instance.clientVersion, sourcegraph.clientVersion) }
    : sourcegraph;
}

/**
 * The file's `cody` upstream at `--endpoint`: a Sourcegraph one keeps its type and
 * settings, except, for another instance, the token and skipped verification given for its own.
 */
function atEndpoint(file: UpstreamSettings | undefined, endpoint: string): SourcegraphSettings {
  if (!file || !isSourcegraph(file)) return { type: "cody", endpoint };
  if (originOf(file.endpoint) === originOf(endpoint)) return { ...file, endpoint };
  const { accessToken: _, tls, ...settings } = file;
  return { ...settings, endpoint, tls: { ...tls, insecureSkipTlsVerify: undefined } };
}

/** The origin `SRC_ACCESS_TOKEN` belongs to, if it is known. */
function instanceOrigin(upstreams: Record<string, UpstreamSettings>): string | undefined {
  const instance = upstreams[INSTANCE_UPSTREAM];
  if (instance && isSourcegraph(instance)) return originOf(instance.endpoint);
  const origins = new Set(
    Object.values(upstreams).filter(isSourcegraph).map((settings) => originOf(settings.endpoint)),
  );
  return origins.size === 1 ? [...origins][0] : undefined;
}

function isSourcegraph(settings: UpstreamSettings): settings is SourcegraphSettings {
  return settings.type === "cody" || settings.type === "sourcegraph-llm";
}

function originOf(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).origin : undefined;
}
