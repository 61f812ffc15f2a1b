/**
 * What the console's Status page shows: the relay's version, runtime and uptime, each
 * upstream's readiness (what `/health/ready` asks, one upstream at a time), the warnings
 * `/health` gives, and the effective configuration with where each value came from.
 *
 * @module
 */
import { toRelayError } from "../../hub/errors.ts";
import { TtlCache } from "../../hub/ttl_cache.ts";
import type { Upstream } from "../../hub/upstream.ts";
import { VERSION } from "../../version.ts";

/** An upstream by its name in the configuration. */
export interface NamedUpstream {
  /** Its type, e.g. `cody`, `openai-compatible`, `simulator`. */
  type: string;
  /** The upstream, whose `ready()` says whether it can be reached. */
  upstream: Upstream;
}

/** One setting of the effective configuration. */
export interface ConsoleSetting {
  /** Its key, e.g. `limits.idleTimeout`. */
  key: string;
  /** Its value, secrets already redacted. */
  value: unknown;
  /** Where it came from, e.g. `--idle-timeout`, `CODY_IDLE_TIMEOUT`, `cody-relay.json`, `default` (when known). */
  source?: string;
}

/** One upstream's readiness. */
export interface UpstreamStatus {
  /** Its name. */
  name: string;
  /** Its type. */
  type: string;
  /** Whether it answered its readiness check. */
  ready: boolean;
  /** Why not, when not. */
  error: string | null;
  /** How long the check took, in milliseconds. */
  checkMs: number;
}

/** The Status page's data. */
export interface RelayStatus {
  /** The relay's version. */
  version: string;
  /** The runtime and its version, e.g. `Deno/2.9.6`. */
  runtime: string;
  /** Milliseconds since the process started. */
  uptimeMs: number;
  /** `/health`'s warnings, e.g. TLS verification off, listening openly. */
  warnings: string[];
  /** Each upstream's readiness. */
  upstreams: UpstreamStatus[];
  /** The effective configuration. */
  settings: ConsoleSetting[];
  /** Whether request and answer bodies are kept (`--log-bodies`). */
  logBodies: boolean;
}

/** How long a readiness check may take before it counts as failed. */
const READY_TIMEOUT_MS = 5_000;

/** How long a readiness result is reused (several consoles polling ask the upstream once). */
const READY_CACHE_MS = 4_000;

/** Everything {@link relayStatus} reports besides the readiness checks. */
export interface RelayStatusOptions {
  /** The upstreams to check. */
  upstreams: Readonly<Record<string, NamedUpstream>>;
  /** `/health`'s warnings. */
  warnings: readonly string[];
  /** The effective configuration. */
  settings: readonly ConsoleSetting[];
  /** Whether bodies are kept. */
  logBodies: boolean;
  /** Applied to every error message. */
  redact: (text: string) => string;
}

/**
 * The status of a relay, checking each upstream's readiness (at most every few seconds,
 * and for at most five seconds each).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { statusReporter } from "./relay_status.ts";
 * const down = { open: () => Promise.reject(), models: () => Promise.resolve([]), ready: () => Promise.reject(new Error("refused")) };
 * const report = statusReporter({ upstreams: { main: { type: "cody", upstream: down } }, warnings: [], settings: [], logBodies: false, redact: (text) => text });
 * const status = await report();
 * equal(status.upstreams[0].ready, false);
 * equal(status.upstreams[0].error, "internal error: refused");
 * ```
 */
export function statusReporter(options: RelayStatusOptions): () => Promise<RelayStatus> {
  const checks = new TtlCache<string, UpstreamStatus>(READY_CACHE_MS);
  return async () => ({
    version: VERSION,
    runtime: runtimeName(),
    uptimeMs: Math.round(performance.now()),
    warnings: [...options.warnings],
    upstreams: await Promise.all(
      Object.entries(options.upstreams).map(([name, named]) =>
        checks.get(name, () => readiness(name, named, options.redact))
      ),
    ),
    settings: [...options.settings],
    logBodies: options.logBodies,
  });
}

async function readiness(name: string, { type, upstream }: NamedUpstream, redact: (text: string) => string) {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  });
  const error = await Promise.race([upstream.ready?.(), timeout]).then(
    () => null,
    (problem) => redact(toRelayError(problem).message),
  ).finally(() => clearTimeout(timer));
  return { name, type, ready: error === null, error, checkMs: Math.round(performance.now() - started) };
}

/** The runtime's name and version as its `navigator.userAgent` gives them (Node 20 has none). */
function runtimeName(): string {
  const userAgent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  return userAgent ?? (node ? `Node.js/${node}` : "unknown");
}
