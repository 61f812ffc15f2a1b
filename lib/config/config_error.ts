/**
 * The error of settings that cannot be used: every problem found, each naming where it is
 * (a file's key, a flag, a variable), what was expected and what was found, never a secret.
 *
 * @module
 */

/**
 * Settings that cannot be used, with every problem found.
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { ConfigError } from "./config_error.ts";
 * equal(new ConfigError("a.json", ["server.port: too big"]).message, "a.json: server.port: too big");
 * equal(new ConfigError(undefined, ['--port must be an integer, got "x"']).message, '--port must be an integer, got "x"');
 * deepEqual(new ConfigError(undefined, ["one", "two"]).message, "2 problems:\n  one\n  two");
 * ```
 */
export class ConfigError extends Error {
  /** One line per problem: where, what is wrong, and what was found. */
  readonly problems: string[];

  /** Creates the error for `source` (a file path, or undefined when each problem names its own) and its problems. */
  constructor(source: string | undefined, problems: string[]) {
    const listed = problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join("\n  ")}`;
    super(source === undefined ? listed : `${source}: ${listed}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}
