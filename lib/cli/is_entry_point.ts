import { realpathSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";

/**
 * Whether the module of `meta` is the program being run: `import.meta.main` where the
 * runtime has it (Deno, Bun, Node ≥ 24.2), else (Node 20 and 22) whether `process.argv[1]`
 * is that module's file, symlinks resolved (as npm's `node_modules/.bin` links are).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { isEntryPoint } from "./is_entry_point.ts";
 * equal(isEntryPoint(import.meta), false, "a test imports this module");
 * ```
 */
export function isEntryPoint(meta: ImportMeta): boolean {
  if (typeof meta.main === "boolean") return meta.main;
  const entry = process.argv[1];
  if (!entry || !meta.url.startsWith("file:")) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(meta.url));
  } catch {
    return false;
  }
}
