import type { RelayConfig } from "./relay_config.ts";
import { createNodeHttpFetch } from "../transport/node_http_fetch.ts";

/** A fetch function, as upstreams take one. */
export type Fetch = (request: Request) => Promise<Response>;

interface BunFetchInit extends RequestInit {
  tls?: { ca?: string; rejectUnauthorized?: boolean };
}

/**
 * The fetch an upstream uses, from the configuration: `node:http(s)` by default
 * (connect timeout, CA bundle and skipped verification on Deno, Bun and Node), or the
 * runtime's `fetch` (which honours HTTP proxies) with the CA bundle through
 * `Deno.createHttpClient` or Bun's `tls` option. Deno's fetch cannot skip verification
 * from code, and Node's takes no TLS options, so those combinations are refused with the alternatives.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { upstreamFetch } from "./upstream_fetch.ts";
 * import { parseConfig } from "./config.ts";
 * const fetch = upstreamFetch(parseConfig([], {}), undefined);
 * equal(typeof fetch, "function");
 * ```
 */
export function upstreamFetch(config: RelayConfig, ca: string | undefined): Fetch {
  if ((config.upstreamTransport ?? config.defaultUpstreamTransport) === "node-http") {
    return createNodeHttpFetch({
      connectTimeoutMs: config.timeouts.connectMs,
      ...(ca ? { ca } : {}),
      ...(config.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
    });
  }
  const tls = { ...(ca ? { ca } : {}), ...(config.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}) };
  if ((globalThis as { Bun?: unknown }).Bun) {
    return (request) => fetch(request, { tls } as BunFetchInit);
  }
  if (!ca && !config.insecureSkipTlsVerify) return (request) => fetch(request);
  if (typeof Deno === "undefined") {
    throw new Error("on Node, --upstream-transport fetch takes no TLS options; use node-http (the default) with them");
  }
  if (config.insecureSkipTlsVerify) {
    throw new Error(
      "--insecure-skip-tls-verify needs --upstream-transport node-http on Deno (or run Deno with --unsafely-ignore-certificate-errors)",
    );
  }
  const client = Deno.createHttpClient({ caCerts: [ca!] });
  return (request) => fetch(request, { client });
}
