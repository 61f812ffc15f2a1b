/** Shared by the artifact tests: a fresh build in a temp folder, and a simulator on loopback. */
import { type Artifact, build } from "../../tools/build.ts";
import { serve } from "../../lib/server/serve.ts";
import { createSimulator, type Simulator } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";

/** A build's folder and what it holds. */
export interface Built {
  /** The output folder. */
  dir: string;
  /** The artifacts, built or skipped. */
  artifacts: Artifact[];
}

/** Builds the bundles (and the binaries of `targets`) into a new temp folder, removed when the test module ends. */
export async function buildFresh(targets: string[] = [], denoCompile = false): Promise<Built> {
  const dir = await Deno.makeTempDir({ prefix: "cody-relay-dist-" });
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  return { dir, artifacts: await build({ out: dir, targets, denoCompile }) };
}

/** A simulator that accepts only {@link TOKEN}, served over loopback HTTP. */
export async function simulatorServer(): Promise<{ simulator: Simulator; url: string } & AsyncDisposable> {
  const simulator = createSimulator({ accessTokens: [TOKEN] });
  const server = await serve({ fetch: simulator.fetch, port: 0 });
  return { simulator, url: server.url, [Symbol.asyncDispose]: () => server.shutdown() };
}
