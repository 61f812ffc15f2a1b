/** Shared test setup: a simulator and a relay on free loopback ports, both real HTTP. */
import { CodyUpstream, type CodyUpstreamOptions } from "../lib/cody/upstream.ts";
import { type AppOptions, createApp } from "../lib/server/app.ts";
import { type RunningServer, serve } from "../lib/server/serve.ts";
import { createSimulator, type Simulator, type SimulatorOptions } from "../lib/simulator/simulator.ts";

/** A valid token for simulators started with {@link startStack}. */
export const TOKEN = "sgp_4293e960875617f5_bec3a5c24109f229d15549b4296861b40fb28400";

export interface Stack extends AsyncDisposable {
  simulator: Simulator;
  /** The relay's base URL, e.g. `http://127.0.0.1:PORT`. */
  relayUrl: string;
  simulatorUrl: string;
}

/** Starts the simulator (accepting only {@link TOKEN}) and a relay in front of it. */
export async function startStack(
  options: {
    simulator?: SimulatorOptions;
    upstream?: Partial<CodyUpstreamOptions>;
    app?: Omit<AppOptions, "upstream">;
  } = {},
): Promise<Stack> {
  const simulator = createSimulator({ accessTokens: [TOKEN], ...options.simulator });
  const upstreamServer = await serve({ fetch: simulator.fetch, port: 0 });
  const upstream = new CodyUpstream({ endpoint: upstreamServer.url, ...options.upstream });
  const relayServer = await serve({ fetch: createApp({ upstream, ...options.app }).fetch, port: 0 });
  return {
    simulator,
    relayUrl: relayServer.url,
    simulatorUrl: upstreamServer.url,
    async [Symbol.asyncDispose]() {
      await Promise.all([relayServer.shutdown(), upstreamServer.shutdown()]);
    },
  };
}

/** Bytes of a recorded fixture in tests/fixtures/cody. */
export function fixture(name: string): Promise<Uint8Array> {
  return Deno.readFile(new URL(`./fixtures/cody/${name}`, import.meta.url));
}

/** Runs a stream of events to completion and returns them. */
export function drain<T>(stream: ReadableStream<T>): Promise<T[]> {
  return Array.fromAsync(stream);
}

export type { RunningServer };
