/**
 * The relay's configuration as the command line, the environment and the config file give
 * it: what `parseConfig` returns and the rest of the CLI reads.
 *
 * @module
 */
import type { InstanceSettings, Origin } from "../config/resolve_settings.ts";
import type { Settings } from "../config/settings_schema.ts";

/**
 * The relay's configuration: every setting of the schema (defaults filled in, time limits
 * in seconds), and what the command line asked for.
 */
export interface RelayConfig extends Settings {
  /** What to do. */
  command: "relay" | "simulate" | "check-config" | "help" | "version";
  /** With `check-config`: print every setting's value and where it came from. */
  explain: boolean;
  /**
   * The Sourcegraph instance's keys a flag or variable set (`--endpoint`, `SRC_ACCESS_TOKEN`,
   * `--client-name`, …), to lay over the file's upstreams (see `upstreamSettings`).
   */
  instance: InstanceSettings;
  /** The transport where nothing names one: `fetch` when a proxy variable is set, else `node-http`. */
  defaultUpstreamTransport: "node-http" | "fetch";
  /** Where each setting's value came from, by key. */
  origins: ReadonlyMap<string, Origin>;
  /** The config file read, if any. */
  configFile?: string;
  /** `--simulator`: the built-in simulator answers, whatever endpoint the flags and variables name. */
  simulator?: boolean;
}
