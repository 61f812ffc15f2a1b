/**
 * The pass-through floor: the least any proxy does for a second hop. It forwards each
 * request to the upstream and streams the upstream body back unchanged, on the same serve
 * function as the relay, so relay ÷ floor isolates the cost of translating.
 *
 * `deno run -A bench/floor_proxy.ts http://127.0.0.1:UPSTREAM_PORT` (or `bun …`) prints
 * `floor proxy listening on http://127.0.0.1:PORT`.
 *
 * @module
 */
import process from "node:process";
import { serve } from "../lib/server/serve.ts";

const HOP_HEADERS = new Set(["host", "connection", "content-length", "keep-alive", "transfer-encoding"]);

/**
 * A fetch handler that forwards to `upstream` and answers with its status, headers and body.
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
    for (const [name, value] of request.headers) if (!HOP_HEADERS.has(name)) headers.set(name, value);
    const response = await fetch(`${origin}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: request.method === "GET" ? undefined : await request.arrayBuffer(),
      signal: request.signal,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

if (import.meta.main) {
  const server = await serve({ fetch: floorProxy(process.argv.at(-1) ?? ""), port: 0 });
  console.log(`floor proxy listening on ${server.url}`);
}
