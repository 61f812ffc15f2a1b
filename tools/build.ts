/**
 * `deno task build [--out DIR] [--targets host|all|none|T,…] [--deno-compile]`: the
 * distributable artifacts, each with its size, and `artifacts.json` naming what was built
 * and what was skipped, and why.
 *
 * - `cody-relay.js`: the command as one self-contained ES module (`deno bundle`), run by
 *   `deno run -A`, `bun` and `node` alike (its shebang is Node's, for npm's `bin`).
 * - `mod.js` + `mod.d.ts`: the library for npm, its dependencies left to `package.json`.
 * - `cody-relay-<target>`: standalone binaries from `bun build --compile` (the host's by
 *   default; `all` cross-compiles linux-arm64, darwin and windows too).
 * - `cody-relay-deno-<os>-<arch>` with `--deno-compile`, where `deno compile` can fetch its runtime.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { findBun } from "./bun.ts";

/** `bun build --compile` targets by their short names. */
const BUN_TARGETS: Record<string, string> = {
  "linux-x64": "bun-linux-x64",
  "linux-arm64": "bun-linux-arm64",
  "darwin-x64": "bun-darwin-x64",
  "darwin-arm64": "bun-darwin-arm64",
  "windows-x64": "bun-windows-x64",
};

/** One artifact: built (with its size) or skipped (with the reason). */
export interface Artifact {
  /** The file name in the output folder. */
  name: string;
  /** Its size in bytes, when built. */
  bytes?: number;
  /** Why it was not built. */
  skipped?: string;
}

const ROOT = new URL("../", import.meta.url);
const DENO = Deno.execPath();

/**
 * Builds the artifacts into `out` and returns what was built.
 *
 * @example
 * ```ts ignore
 * import { build } from "./build.ts";
 * const artifacts = await build({ out: "dist", targets: ["linux-x64"] });
 * console.table(artifacts);
 * ```
 */
export async function build(
  options: { out: string; targets: string[]; denoCompile?: boolean },
): Promise<Artifact[]> {
  const dir = resolve(options.out); // the steps run in the repository, wherever this was started
  await Deno.mkdir(dir, { recursive: true });
  const out = (name: string) => `${dir}/${name}`;
  const artifacts: Artifact[] = [];
  const add = async (name: string, done: Promise<string | undefined>) => {
    const skipped = await done;
    artifacts.push(skipped ? { name, skipped } : { name, bytes: (await Deno.stat(out(name))).size });
  };

  await add("cody-relay.js", bundleCli(out("cody-relay.js")));
  const dependencies = Object.keys(JSON.parse(await Deno.readTextFile(new URL("package.json", ROOT))).dependencies);
  const external = dependencies.flatMap((name) => ["--external", name, "--external", `${name}/*`]);
  const library = run(DENO, ["bundle", "--quiet", ...external, "--declaration", "-o", out("mod.js"), "mod.ts"]);
  await add("mod.js", library);
  await add("mod.d.ts", library);

  const bun = options.targets.length ? await findBun() : undefined;
  for (const target of options.targets) {
    const name = `cody-relay-${target}${target.startsWith("windows") ? ".exe" : ""}`;
    if (!bun) {
      artifacts.push({ name, skipped: "`npx -y bun` cannot run here" });
      continue;
    }
    await add(
      name,
      run(bun.path, ["build", "--compile", `--target=${BUN_TARGETS[target]}`, "cli.ts", "--outfile", out(name)]),
    );
  }
  if (options.denoCompile) {
    const name = `cody-relay-deno-${Deno.build.os}-${Deno.build.arch}`;
    await add(name, run(DENO, ["compile", "--quiet", "-A", "--output", out(name), "cli.ts"]));
  }
  await Deno.writeTextFile(out("artifacts.json"), JSON.stringify(artifacts, null, 2) + "\n");
  return artifacts;
}

/** The CLI bundle, with Node's shebang so npm's `bin` link runs it (Deno and Bun are named on the command line). */
async function bundleCli(path: string): Promise<string | undefined> {
  const failed = await run(DENO, ["bundle", "--quiet", "-o", path, "cli.ts"]);
  if (failed) return failed;
  const code = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, `#!/usr/bin/env node\n${code.replace(/^#!.*\n/, "")}`);
  await Deno.chmod(path, 0o755);
}

/** Runs a build step in the repository; undefined on success, else the reason (its stderr's last lines). */
async function run(command: string, args: string[]): Promise<string | undefined> {
  const { success, stderr } = await new Deno.Command(command, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (success) return undefined;
  const text = new TextDecoder().decode(stderr).split("Stack backtrace:")[0];
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  return `${command.split("/").at(-1)} ${args[0]} failed: ${lines.slice(-4).join(" / ").slice(0, 500)}`;
}

/**
 * This machine's binary target, e.g. `linux-x64`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { hostTarget } from "./build.ts";
 * ok(/^(linux|darwin|windows)-(x64|arm64)$/.test(hostTarget()));
 * ```
 */
export function hostTarget(): string {
  return `${Deno.build.os}-${Deno.build.arch === "aarch64" ? "arm64" : "x64"}`;
}

/** The command line `deno task build` takes. */
const USAGE = "usage: deno task build [--targets host|all|none|T,…] [--deno-compile] [--out DIR]";

/** Parses the command line; a flag it does not take is a one-line error with the usage, not a stack trace. */
function parseCommandLine(args: string[]) {
  try {
    return parseArgs({
      args,
      options: { out: { type: "string" }, targets: { type: "string" }, "deno-compile": { type: "boolean" } },
    }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
    Deno.exit(2);
  }
}

if (import.meta.main) {
  const values = parseCommandLine(Deno.args);
  const wanted = values.targets ?? "host";
  const targets = wanted === "all"
    ? Object.keys(BUN_TARGETS)
    : wanted === "host"
    ? [hostTarget()]
    : wanted === "none"
    ? []
    : wanted.split(",");
  const unknown = targets.filter((target) => !BUN_TARGETS[target]);
  if (unknown.length) {
    console.error(
      `unknown targets: ${unknown.join(", ")} (known: ${Object.keys(BUN_TARGETS).join(", ")}, all, host, none)`,
    );
    Deno.exit(2);
  }
  const out = values.out ?? "dist";
  const started = performance.now();
  const artifacts = await build({ out, targets, denoCompile: values["deno-compile"] });
  for (const artifact of artifacts) {
    const what = artifact.skipped ? `skipped: ${artifact.skipped}` : `${(artifact.bytes! / 1e6).toFixed(2)} MB`;
    console.log(`${out}/${artifact.name.padEnd(32)} ${what}`);
  }
  console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const required = artifacts.filter((artifact) => !artifact.name.startsWith("cody-relay-deno-"));
  if (required.some((artifact) => artifact.skipped)) Deno.exit(1);
}
