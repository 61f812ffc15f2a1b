/**
 * The pass-through floor: the fastest proxy a runtime offers for a second hop, and what
 * any relay pays before it translates a byte. `Deno.serve` (on Bun, `Bun.serve` with no
 * idle timeout) forwards each request with `fetch` and answers with the upstream's status,
 * content type and body stream unchanged (`new Response(upstream.body, …)`); a client that
 * goes away aborts the upstream request. The relay ÷ floor ratios in `bench/README.md`
 * compare with this, measured in the same run.
 *
 * `deno run -A bench/floor_proxy.ts http://127.0.0.1:UPSTREAM_PORT` (or `bun …`) prints
 * `floor proxy listening on http://127.0.0.1:PORT`.
 *
 * @module
 */
import process from "node:process";

const FORWARDED = ["authorization", "content-type", "accept"];

/**
 * The environment the floor must be started with. Bun's `fetch` keeps at most 256 requests
 * in flight (`BUN_CONFIG_MAX_HTTP_REQUESTS`, read when the process starts) and queues the
 * rest, so with more streams open than that the floor would hold streams back instead of
 * passing them through, and its memory per open stream would count streams that were not
 * open. The most Bun allows lifts the cap; Deno ignores it.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { FLOOR_ENV } from "./floor_proxy.ts";
 * equal(Number(FLOOR_ENV.BUN_CONFIG_MAX_HTTP_REQUESTS) >= 10_000, true);
 * ```
 */
export const FLOOR_ENV: Readonly<Record<string, string>> = { BUN_CONFIG_MAX_HTTP_REQUESTS: "65535" };

/**
 * A fetch handler that forwards to `upstream` and answers with its status, content type and body.
 *
 * @example
 * ```ts ignore
 * const handler = floorProxy("http://127.0.0.1:9000");
 * ```
 */
export function floorProxy(upstream: string): (request: Request) => Promise<Response> {
  const origin = new URL(upstream).origin;
  return async (request) => {
    const url = new URL(request.url);
    const headers = new Headers();
    for (const name of FORWARDED) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const response = await fetch(`${origin}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer(),
      signal: request.signal,
    });
    const type = response.headers.get("content-type");
    return new Response(response.body, { status: response.status, headers: type ? { "content-type": type } : {} });
  };
}

interface BunRuntime {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout: number;
    fetch: (request: Request) => Promise<Response>;
  }): { port: number };
}

/**
 * Serves `handler` on a free loopback port as the bench's targets run: `Bun.serve` with no
 * idle timeout on Bun, `Deno.serve` on Deno; prints `NAME listening on URL` once listening.
 *
 * @example
 * ```ts ignore
 * floorServe(floorProxy("http://127.0.0.1:9000"), "floor proxy");
 * ```
 */
export function floorServe(handler: (request: Request) => Promise<Response>, name: string): void {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun) {
    const server = bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 0, fetch: handler });
    console.log(`${name} listening on http://127.0.0.1:${server.port}`);
  } else {
    Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => console.log(`${name} listening on http://127.0.0.1:${port}`),
    }, handler);
  }
}

if (import.meta.main) floorServe(floorProxy(process.argv.at(-1) ?? ""), "floor proxy");
