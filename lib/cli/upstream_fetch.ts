import { createHttp1Fetch } from "../transport/http1_fetch.ts";
import type { OutgoingFetch } from "../transport/outgoing_request.ts";

interface BunFetchInit extends RequestInit {
  tls?: { ca?: string; rejectUnauthorized?: boolean };
}

/** How an upstream is reached. */
export interface UpstreamFetchOptions {
  /** `node-http` (connect timeout, CA bundle and skipped verification everywhere) or the runtime's `fetch`. */
  transport: "node-http" | "fetch";
  /** The connect timeout of the `node-http` transport, in milliseconds. */
  connectTimeoutMs: number;
  /** PEM certificates trusted instead of the runtime's roots. */
  ca?: string;
  /** Skip TLS certificate verification (insecure). */
  insecureSkipTlsVerify?: boolean;
}

/**
 * The fetch an upstream uses: the relay's HTTP/1.1 client (connect timeout, CA bundle and skipped
 * verification on Deno, Bun and Node), or the runtime's `fetch` (which honours HTTP
 * proxies) with the CA bundle through `Deno.createHttpClient` or Bun's `tls` option.
 * Deno's fetch cannot skip verification from code, and Node's takes no TLS options, so
 * those combinations are refused with the alternatives.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { upstreamFetch } from "./upstream_fetch.ts";
 * const fetch = upstreamFetch({ transport: "node-http", connectTimeoutMs: 10_000 });
 * equal(typeof fetch, "function");
 * ```
 */
export function upstreamFetch(options: UpstreamFetchOptions): OutgoingFetch {
  const { ca, insecureSkipTlsVerify } = options;
  if (options.transport === "node-http") {
    return createHttp1Fetch({
      connectTimeoutMs: options.connectTimeoutMs,
      ...(ca ? { ca } : {}),
      ...(insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
    });
  }
  const tls = { ...(ca ? { ca } : {}), ...(insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}) };
  if ((globalThis as { Bun?: unknown }).Bun) {
    return (request) => fetch(request, { tls } as BunFetchInit);
  }
  if (!ca && !insecureSkipTlsVerify) return (request) => fetch(request);
  if (typeof Deno === "undefined") {
    throw new Error("on Node, --upstream-transport fetch takes no TLS options; use node-http (the default) with them");
  }
  if (insecureSkipTlsVerify) {
    throw new Error(
      "--insecure-skip-tls-verify needs --upstream-transport node-http on Deno (or run Deno with --unsafely-ignore-certificate-errors)",
    );
  }
  const client = Deno.createHttpClient({ caCerts: [ca!] });
  return (request) => fetch(request, { client });
}
