/**
 * Every flag of the command line as `node:util`'s `parseArgs` takes it.
 *
 * @module
 */
import { COMMAND_OPTIONS } from "./command_options.ts";
import { SETTINGS } from "./setting_list.ts";
import { valueKind } from "./value_kind.ts";

/** One flag as `parseArgs` takes it. */
export interface ArgumentOption {
  /** A switch, or a flag taking a value. */
  type: "string" | "boolean";
  /** Whether it may be repeated (lists). */
  multiple?: boolean;
  /** A one-letter alias. */
  short?: string;
}

/**
 * Every flag as `parseArgs` takes it: the settings' (lists repeatable) and the command
 * line's own.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { argumentOptions } from "./argument_options.ts";
 * deepEqual(argumentOptions().port, { type: "string", multiple: false });
 * deepEqual(argumentOptions().metrics, { type: "boolean" });
 * ```
 */
export function argumentOptions(): Record<string, ArgumentOption> {
  const options: Record<string, ArgumentOption> = {};
  for (const { meta, schema } of SETTINGS) {
    if (!meta.flag) continue;
    const kind = valueKind(schema);
    options[meta.flag] = kind === "boolean" ? { type: "boolean" } : { type: "string", multiple: kind === "list" };
  }
  for (const [flag, option] of Object.entries(COMMAND_OPTIONS)) {
    options[flag] = { type: option.type, ...("short" in option ? { short: option.short } : {}) };
  }
  return options;
}
