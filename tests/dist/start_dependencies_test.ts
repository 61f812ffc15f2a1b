/**
 * `deno task start` fetches only what the relay imports. Deno installs every npm package of
 * the configuration's imports, `package.json` and lockfile before it runs anything, so
 * those hold the relay's own dependencies only; the clients and tools the tests use live in
 * `deno.test.json` with their own lockfile.
 */
import { deepEqual, ok } from "node:assert/strict";

const root = new URL("../../", import.meta.url);

async function json(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(new URL(path, root)));
}

/** The npm package name of a specifier or lockfile key: `npm:/@hono/node-server@2.1.8/x` → `@hono/node-server`. */
function packageName(text: string): string {
  const bare = text.replace(/^npm:\/?/, "");
  return bare.slice(0, bare.indexOf("@", 1) > 0 ? bare.indexOf("@", 1) : undefined);
}

/** The npm packages the module graph of `entry` imports, by name (with the root configuration, as `deno task start` runs). */
async function importedPackages(entry: string): Promise<Set<string>> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", "deno.json", entry],
    cwd: root,
  }).output();
  if (!success) throw new Error(`deno info ${entry} failed: ${new TextDecoder().decode(stderr)}`);
  const modules = JSON.parse(new TextDecoder().decode(stdout)).modules as { npmPackage?: string }[];
  return new Set(modules.flatMap((module) => module.npmPackage ? [packageName(module.npmPackage)] : []));
}

Deno.test("the start path's configuration, package.json and lockfile name only packages the relay imports", async () => {
  const entries = await Promise.all(["cli.ts", "mod.ts", "console.ts"].map(importedPackages));
  const imported = new Set(entries.flatMap((packages) => [...packages]));
  const config = await json("deno.json");
  const manifest = await json("package.json");
  const lock = await json("deno.lock") as { npm: Record<string, { dependencies?: string[] }> };
  const named = [
    ...Object.values(config.imports as Record<string, string>).map(packageName),
    ...Object.keys({ ...manifest.dependencies as object, ...manifest.devDependencies as object }),
  ];
  for (const name of named) ok(imported.has(name), `${name} is installed for deno task start but never imported`);
  // The lockfile holds what the imported packages need, and nothing else.
  const needed = new Set<string>();
  const visit = (key: string) => {
    if (needed.has(key)) return;
    needed.add(key);
    for (const dependency of lock.npm[key]?.dependencies ?? []) {
      visit(Object.keys(lock.npm).find((candidate) => packageName(candidate) === dependency) ?? dependency);
    }
  };
  Object.keys(lock.npm).filter((key) => imported.has(packageName(key))).forEach(visit);
  for (const key of Object.keys(lock.npm)) ok(needed.has(key), `deno.lock holds ${key}, which the relay never needs`);
});

Deno.test("the tests' configuration has every import of the relay's, the same, and the unstable flags", async () => {
  const config = await json("deno.json") as { imports: Record<string, string>; unstable: string[] };
  const tests = await json("deno.test.json") as { imports: Record<string, string>; unstable: string[] };
  for (const [name, target] of Object.entries(config.imports)) deepEqual(tests.imports[name], target, name);
  deepEqual(tests.unstable, config.unstable);
});
