/**
 * One small serve function over the runtime's own server: `Deno.serve` on Deno, `Bun.serve`
 * on Bun (with the 10-second idle cut disabled, so quiet streams survive), and
 * `@hono/node-server` on Node (loaded only there).
 *
 * @module
 */

/** The address served on where none is given: loopback only. */
export const DEFAULT_HOST = "127.0.0.1";

/** The port served on where none is given. */
export const DEFAULT_PORT = 8787;

/** Options of {@link serve}. */
export interface ServeOptions {
  /** The request handler, e.g. `app.fetch`. */
  fetch: (request: Request) => Response | Promise<Response>;
  /** The address to listen on. @default DEFAULT_HOST */
  hostname?: string;
  /** `0` picks a free port. @default DEFAULT_PORT */
  port?: number;
  /** PEM certificate chain: with `key`, serve HTTPS (HTTP/2 where the runtime offers it). */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
}

/** A listening server. */
export interface RunningServer {
  /** `http://HOST:PORT` (or `https://`), with the port actually bound. */
  readonly url: string;
  /** The address listened on. */
  readonly hostname: string;
  /** The port actually bound. */
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish, then resolves. */
  shutdown(): Promise<void>;
}

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunRuntime {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout: number;
    tls?: { cert: string; key: string };
    fetch: (request: Request) => Response | Promise<Response>;
  }): BunServer;
}

/**
 * Starts serving and resolves once listening.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { serve } from "./serve.ts";
 * const server = await serve({ fetch: () => new Response("ok"), port: 0 });
 * equal((await (await fetch(server.url)).text()), "ok");
 * await server.shutdown();
 * ```
 */
export function serve(options: ServeOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const tls = options.cert && options.key ? { cert: options.cert, key: options.key } : undefined;
  if (!tls !== !(options.cert || options.key)) return Promise.reject(new TypeError("serve needs both cert and key"));
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun) {
    const server = bun.serve({ hostname, port, idleTimeout: 0, ...(tls ? { tls } : {}), fetch: options.fetch });
    return Promise.resolve(running(hostname, server.port, !!tls, () => server.stop()));
  }
  if (typeof Deno !== "undefined") {
    return new Promise((resolve) => {
      const server = Deno.serve({
        hostname,
        port,
        ...tls,
        onListen: ({ port: bound }) => resolve(running(hostname, bound, !!tls, () => server.shutdown())),
      }, (request) => options.fetch(request));
    });
  }
  if ((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node) {
    return serveOnNode(options.fetch, hostname, port, tls);
  }
  return Promise.reject(new Error("cody-relay serves on Deno, Bun or Node"));
}

/** Node: `@hono/node-server` over `node:http` (or `node:https`); shutdown waits for answers in flight. */
async function serveOnNode(
  fetch: ServeOptions["fetch"],
  hostname: string,
  port: number,
  tls?: { cert: string; key: string },
): Promise<RunningServer> {
  const { createAdaptorServer } = await import("@hono/node-server");
  const server =
    (tls
      ? createAdaptorServer({ fetch, createServer: (await import("node:https")).createServer, serverOptions: tls })
      : createAdaptorServer({ fetch })) as import("node:http").Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  // close() waits for every connection; keep-alive ones that fall idle once their answer ends are closed as they do.
  return running(hostname, bound, !!tls, () =>
    new Promise((resolve) => {
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      server.close(() => {
        clearInterval(idle);
        resolve();
      });
      server.closeIdleConnections();
    }));
}

function running(hostname: string, port: number, secure: boolean, shutdown: () => Promise<void>): RunningServer {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { url: `${secure ? "https" : "http"}://${host}:${port}`, hostname, port, shutdown };
}
