/**
 * Runs the relay for a fixed time and exits, so that `--cpu-prof` writes a profile:
 * `deno run -A --cpu-prof bench/profile_relay.ts UPSTREAM_URL PORT SECONDS`, then load
 * it with `bench/load/generator.ts` and open the `.cpuprofile` in Chrome DevTools.
 *
 * @module
 */
import process from "node:process";
import { CodyUpstream } from "../lib/cody/upstream.ts";
import { createApp } from "../lib/server/app.ts";
import { serve } from "../lib/server/serve.ts";

const [endpoint, port, seconds] = process.argv.slice(-3);
const upstream = new CodyUpstream({ endpoint, accessToken: "sgp_bench" });
const server = await serve({ fetch: createApp({ upstream }).fetch, port: Number(port) });
console.log(`cody-relay listening on ${server.url}`);
setTimeout(() => process.exit(0), Number(seconds) * 1000);
