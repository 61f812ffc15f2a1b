/** Shared by the artifact tests: a fresh build in a temp folder, and a simulator on loopback. */
import { equal, match, ok } from "node:assert/strict";
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

/**
 * The web console as an artifact serves it: a page, a script, and the client setups of
 * docs/clients.md filled in with the relay's address (with `key` when the relay has gateway keys).
 */
export async function assertServesConsole(relayUrl: string, key?: string): Promise<void> {
  const page = await fetch(`${relayUrl}/ui`);
  equal(page.status, 200);
  match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  match(await page.text(), /<script type="module" src="\/ui\/assets\/status_page\.js">/);
  const script = await fetch(`${relayUrl}/ui/assets/console_api.js`);
  equal(script.status, 200);
  match(await script.text(), /export function startPage/);
  const query = `model=m&base=${encodeURIComponent(relayUrl)}`;
  const clients = await fetch(`${relayUrl}/ui/api/clients?${query}`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  equal(clients.status, 200);
  const setups = await clients.json() as { client: string; text: string }[];
  const codex = setups.find((setup) => setup.client === "Codex CLI");
  ok(codex?.text.includes(`base_url = "${relayUrl}/v1"`), JSON.stringify(codex));
}
