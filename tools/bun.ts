/**
 * Bun for the build, the tests and the benchmarks: the pinned npm package run through
 * `npx` once, then its binary spawned directly (so signals reach it).
 *
 * @module
 */

/** The Bun version the project builds and tests with. */
export const BUN_VERSION = "1.4.4";

/** A Bun binary: its path and version. */
export interface BunBinary {
  /** The executable. */
  path: string;
  /** e.g. `1.4.4`. */
  version: string;
}

let found: Promise<BunBinary | undefined> | undefined;

/**
 * The pinned Bun, or undefined when `npx -y bun@…` cannot run here (no npm registry).
 *
 * @example
 * ```ts ignore
 * import { findBun } from "./bun.ts";
 * const bun = await findBun();
 * console.log(bun ? `Bun ${bun.version} at ${bun.path}` : "no Bun here");
 * ```
 */
export function findBun(): Promise<BunBinary | undefined> {
  found ??= new Deno.Command("npx", {
    args: ["-y", `bun@${BUN_VERSION}`, "-e", "console.log(process.execPath + ' ' + Bun.version)"],
    stderr: "null",
  }).output().then(({ success, stdout }) => {
    const [path, version] = new TextDecoder().decode(stdout).trim().split("\n").at(-1)!.split(" ");
    return success && path ? { path, version } : undefined;
  }, () => undefined);
  return found;
}
