/**
 * Imports go one way: core types and stage cores ← transport ← upstreams (the adapter
 * framework, the OpenAI-compatible upstream, then Sourcegraph's, which builds on it, and
 * the router) and fronts ← pipeline ← server ← configuration ← command line, with the
 * simulator on core types and stages only, and no file importing itself back through others. Read from the source
 * (static, re-export and dynamic imports of relative paths), so a new file is checked
 * as soon as it exists.
 */
import { deepEqual, ok } from "node:assert/strict";

const root = new URL("../", import.meta.url);

/**
 * The layers, lowest first: a file may import from its own folder and from lower layers;
 * folders in one layer do not import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["lib/version.ts", "lib/hub/"],
  ["lib/continuation/", "lib/fronts/"],
  ["lib/transport/"],
  ["lib/adapters/"],
  ["lib/openai_compatible/"],
  ["lib/cody/", "lib/routing/", "lib/simulator/"],
  ["lib/pipeline/"],
  ["lib/server/"],
  ["lib/config/"],
  ["lib/cli/"],
  ["mod.ts", "cli.ts", "console.ts"],
];

/** Folders that may import only from these (the simulator: core types and stages). */
const ONLY_FROM: Readonly<Record<string, readonly string[]>> = {
  "lib/simulator/": ["lib/hub/", "lib/continuation/", "lib/version.ts"],
};

/** The layer entry (folder or file) a path belongs to. */
function placeOf(path: string): { place: string; layer: number } {
  for (const [layer, places] of LAYERS.entries()) {
    const place = places.find((candidate) => path === candidate || path.startsWith(candidate));
    if (place) return { place, layer };
  }
  throw new Error(`${path} is in no layer: add it to LAYERS`);
}

/** Every source file of the library and its entry points, relative to the root. */
async function sources(): Promise<string[]> {
  const files = ["mod.ts", "cli.ts", "console.ts"];
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(new URL(folder, root))) {
      const path = `${folder}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (/\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  await walk("lib/");
  return files.sort();
}

/** The relative module imports of one file, resolved to paths from the root (JSDoc examples excluded). */
async function importsOf(path: string): Promise<string[]> {
  const code = (await Deno.readTextFile(new URL(path, root))).replace(/\/\*\*[\s\S]*?\*\//g, "");
  const specifiers = [
    // Files imported as text (the console's assets) are data, not modules.
    ...code.matchAll(
      /^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"(?!\s*with\s*\{\s*type:\s*"(?:text|bytes)")/gm,
    ),
    ...code.matchAll(/\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g),
  ].map((match) => match[1]);
  return specifiers.map((specifier) => new URL(specifier, new URL(path, root)).href.slice(root.href.length));
}

const files = await sources();
const graph = new Map(await Promise.all(files.map(async (file) => [file, await importsOf(file)] as const)));

Deno.test("every import points down the layers (or within a folder), and the simulator uses only core types and stages", () => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = placeOf(file);
    for (const imported of imports) {
      const to = placeOf(imported);
      const allowed = ONLY_FROM[from.place];
      if (to.place === from.place) continue;
      if (allowed && !allowed.some((place) => imported.startsWith(place))) wrong.push(`${file} → ${imported}`);
      else if (to.layer >= from.layer) wrong.push(`${file} → ${imported}`);
    }
  }
  deepEqual(wrong, [], `imports that go up or sideways:\n${wrong.join("\n")}`);
});

Deno.test("no file imports itself back through others", () => {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (file: string, path: string[]) => {
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), file, next].join(" → "));
      else if (!state.has(next)) visit(next, [...path, file]);
    }
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file, []);
  deepEqual(cycles, [], `import cycles:\n${cycles.join("\n")}`);
});

Deno.test("the graph was read: every library file is known and imports resolve to files", () => {
  ok(files.length > 100, `${files.length} files`);
  const missing = [...graph.values()].flat().filter((imported) => !graph.has(imported));
  deepEqual(missing, []);
});
