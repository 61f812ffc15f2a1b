/**
 * `deno run -A --import-map <URL>/deno.json <URL>/cli.ts`: the repository served over
 * loopback HTTP as a code host serves it, run from that URL with an empty Deno cache (the
 * npm packages come from the registry, the code only from the URL), and streamed through.
 */
import { match, ok } from "node:assert/strict";
import { serve } from "../../lib/server/serve.ts";
import { startProcess } from "../process.ts";
import { assertServesConsole, assertStreamsPing, simulatorServer } from "./helpers.ts";

const root = new URL("../../", import.meta.url);
const TYPES: Record<string, string> = { ts: "application/typescript", json: "application/json" };

/** Serves the repository's files read-only, and records which were asked for. */
async function codeHost() {
  const served: string[] = [];
  const server = await serve({
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const file = new URL(`.${path}`, root);
      if (path.includes("..") || !file.href.startsWith(root.href)) return new Response("no", { status: 403 });
      try {
        const body = await Deno.readFile(file);
        served.push(path);
        return new Response(body, { headers: { "content-type": TYPES[path.split(".").at(-1)!] ?? "text/plain" } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  });
  return { served, url: server.url, [Symbol.asyncDispose]: () => server.shutdown() };
}

Deno.test("deno run from a URL: the relay starts from the served repository and streams a chat", async () => {
  await using host = await codeHost();
  await using upstream = await simulatorServer();
  const denoDir = await Deno.makeTempDir({ prefix: "cody-relay-deno-dir-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "cody-relay-cwd-" });
  try {
    const started = performance.now();
    await using relay = await startProcess(
      Deno.execPath(),
      ["run", "-A", "--import-map", `${host.url}/deno.json`, `${host.url}/cli.ts`, "--port", "0"],
      { DENO_DIR: denoDir, SRC_ENDPOINT: upstream.url },
      2,
      elsewhere,
    );
    match(relay.lines[0] ?? "", /^cody-relay listening on /, relay.stderr);
    console.log(`started from the URL in ${(performance.now() - started).toFixed(0)} ms with an empty cache`);
    ok(host.served.includes("/cli.ts") && host.served.includes("/lib/server/app.ts"), "the code came from the URL");
    await assertStreamsPing(relay.url);
    await assertServesConsole(relay.url);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
