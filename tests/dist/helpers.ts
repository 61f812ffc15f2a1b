/** Shared by the artifact tests: a fresh build in a temp folder, and a simulator on loopback. */
import { equal, match } from "node:assert/strict";
import OpenAI from "openai";
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

/** Streams "ping" through a relay with the openai client: the simulator's whole answer and a `stop` finish. */
export async function assertStreamsPing(relayUrl: string): Promise<void> {
  const openai = new OpenAI({ baseURL: `${relayUrl}/v1`, apiKey: TOKEN, maxRetries: 0 });
  const chunks = await Array.fromAsync(
    await openai.chat.completions.create({
      model: "cody-sonnet",
      messages: [{ role: "user", content: "ping" }],
      stream: true,
    }),
  );
  match(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""), /You said: ping$/);
  equal(chunks.findLast((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason, "stop");
}
