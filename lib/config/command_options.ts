/**
 * The command line's own options, which are not settings: which config file to read, what
 * to do, and the simulator switch. Declared once for the argument parser and `--help`.
 *
 * @module
 */

/** The file read when none is named, if it exists in the working directory. */
export const DEFAULT_CONFIG_FILE = "cody-relay.json";

/** An option of the command line that no config file key sets. */
export interface CommandOption {
  /** A switch, or an option taking a value. */
  type: "boolean" | "string";
  /** One line: what it does. */
  description: string;
  /** The value's name in `--help`, e.g. `PATH`. */
  value?: string;
  /** A one-letter alias. */
  short?: string;
  /** The environment variable that sets it too. */
  env?: string;
  /** The default, in words. */
  defaultText?: string;
}

/**
 * The command line's own options, by flag name (without dashes).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { COMMAND_OPTIONS } from "./command_options.ts";
 * equal(COMMAND_OPTIONS.config.env, "CODY_RELAY_CONFIG");
 * ```
 */
export const COMMAND_OPTIONS = {
  config: {
    type: "string",
    value: "PATH",
    env: "CODY_RELAY_CONFIG",
    description: "the config file: JSON with comments, a key for every setting, the upstreams and the model routing",
    defaultText: `./${DEFAULT_CONFIG_FILE} if it exists`,
  },
  simulator: { type: "boolean", description: "answer from the built-in simulator even if an endpoint is set" },
  explain: {
    type: "boolean",
    description: "with check-config: print every setting's value (secrets redacted) and where it came from",
  },
  help: { type: "boolean", short: "h", description: "show this help" },
  version: { type: "boolean", description: "print the version" },
} as const satisfies Record<string, CommandOption>;
