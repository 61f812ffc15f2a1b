/**
 * Command line, environment and config file → configuration: the settings schema read
 * from its three sources (`resolveSettings`), the command asked for, and the checks that
 * keep a token from being exposed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { argumentOptions } from "../config/argument_options.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { type ConfigFile, INSTANCE_UPSTREAM } from "../config/settings_schema.ts";
import { isLoopbackName } from "../server/allowed_hosts.ts";
import type { RelayConfig } from "./relay_config.ts";
import { upstreamSettings } from "./upstream_settings.ts";

/** The commands, the first being the one run when none is named. */
const COMMANDS = ["relay", "simulate", "check-config"] as const;

/**
 * Parses argv (without the runtime and script), the environment and the config file's
 * contents (named `fileName` in origins and errors): for every setting, a flag beats an
 * environment variable, which beats the file, which beats the default. Throws an Error
 * with a user-facing message on bad input (a `ConfigError` listing every problem).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseConfig } from "./config.ts";
 * const config = parseConfig(["--port", "0"], { SOURCEGRAPH_DOMAIN: "sourcegraph.example.com" }, { limits: { idleTimeout: 5 } });
 * equal(config.server.port, 0);
 * equal(config.instance.endpoint, "https://sourcegraph.example.com");
 * equal(config.limits.idleTimeout, 5);
 * equal(config.origins.get("limits.idleTimeout")?.source, "file");
 * ```
 */
export function parseConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  file?: ConfigFile,
  fileName?: string,
): RelayConfig {
  // `--no-ui` turns a switch off (the settings that default to on).
  const { values, positionals } = parseArguments(argv);
  const [command = "relay", ...extra] = positionals;
  if (!(COMMANDS as readonly string[]).includes(command)) throw new Error(`unknown command "${command}" (try --help)`);
  if (values.explain && command !== "check-config") {
    throw new Error("--explain goes with check-config: cody-relay check-config --explain [FILE]");
  }
  if (extra.length > (command === "check-config" ? 1 : 0)) {
    throw new Error(`unexpected argument "${extra.at(-1)}" (try --help)`);
  }
  const { settings, instance: given, origins: found } = resolveSettings({ flags: values, env, file, fileName });
  // --simulator: the instance the flags and variables name is not used.
  const { endpoint: _, ...withoutEndpoint } = given;
  const instance = values.simulator ? withoutEndpoint : given;
  const origins = new Map(found);
  if (values.simulator) origins.delete(`upstreams.${INSTANCE_UPSTREAM}.endpoint`);
  const config: RelayConfig = {
    ...settings,
    command: values.help ? "help" : values.version ? "version" : command as RelayConfig["command"],
    explain: values.explain === true,
    instance,
    defaultUpstreamTransport: defaultUpstreamTransport(env),
    origins,
    ...(fileName ? { configFile: fileName } : {}),
    ...(values.simulator ? { simulator: true } : {}),
  };
  // check-config says ok only for what the relay would start with.
  if (config.command === "relay" || config.command === "check-config") checkExposure(config);
  return config;
}

/** `parseArgs`, but an unknown flag is named plainly (its own message suggests quoting it as a positional after `--`). */
function parseArguments(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, allowNegative: true, options: argumentOptions() });
  } catch (error) {
    const unknown = (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" &&
      /Unknown option '([^']*)'/.exec((error as Error).message)?.[1];
    throw unknown ? new Error(`unknown option "${unknown}" (try --help)`) : error;
  }
}

/**
 * Refuses configurations that would hand the Sourcegraph token (or the instance) to
 * anyone who can reach the port: listening beyond loopback needs gateway keys or an
 * explicit `--allow-open`; gateway keys in front of a real instance need a token for each
 * Sourcegraph upstream, `SRC_ACCESS_TOKEN` where it goes or its own (clients then no
 * longer send Sourcegraph tokens).
 */
function checkExposure(config: RelayConfig): void {
  const apiKeys = config.server.apiKeys ?? [];
  const tokenless = Object.entries(upstreamSettings(config)).find(([, upstream]) =>
    (upstream.type === "cody" || upstream.type === "sourcegraph-llm") && !upstream.accessToken
  );
  if (apiKeys.length && tokenless) {
    throw new Error(
      `gateway keys (--api-key / RELAY_API_KEYS) replace the clients' Sourcegraph tokens, so the relay needs its own for upstream "${
        tokenless[0]
      }": set SRC_ACCESS_TOKEN (sent to the upstream named cody and to others at its origin) or its accessToken in the config file`,
    );
  }
  const { host, allowOpen } = config.server;
  if (!isLoopbackName(host) && !apiKeys.length && !allowOpen) {
    throw new Error(
      `refusing to listen on ${host} without gateway keys: anyone who can reach it could use ${
        config.instance.accessToken ? "your SRC_ACCESS_TOKEN" : "the relay"
      }. Set RELAY_API_KEYS (or --api-key), or pass --allow-open (RELAY_ALLOW_OPEN=true) to accept that.`,
    );
  }
}

/** The runtime's fetch honours HTTP proxies; the relay's own HTTP/1.1 client (`node-http`) does not. */
function defaultUpstreamTransport(env: Record<string, string | undefined>): RelayConfig["defaultUpstreamTransport"] {
  const proxied = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"].some((name) => env[name] || env[name.toLowerCase()]);
  return proxied ? "fetch" : "node-http";
}
