/**
 * One small serve function over the runtime's own server: `Deno.serve` on Deno, `Bun.serve`
 * on Bun (with the 10-second idle cut disabled, so quiet streams survive).
 *
 * @module
 */

/** Options of {@link serve}. */
export interface ServeOptions {
  /** The request handler, e.g. `app.fetch`. */
  fetch: (request: Request) => Response | Promise<Response>;
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** `0` picks a free port. @default 8787 */
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
 * import { serve } from "./serve.ts";
 * const server = await serve({ fetch: () => new Response("ok"), port: 0 });
 * console.assert((await (await fetch(server.url)).text()) === "ok");
 * await server.shutdown();
 * ```
 */
export function serve(options: ServeOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 8787;
  const tls = options.cert && options.key ? { cert: options.cert, key: options.key } : undefined;
  if (!tls !== !(options.cert || options.key)) return Promise.reject(new TypeError("serve needs both cert and key"));
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (bun) {
    const server = bun.serve({ hostname, port, idleTimeout: 0, ...(tls ? { tls } : {}), fetch: options.fetch });
    return Promise.resolve(running(hostname, server.port, !!tls, () => server.stop()));
  }
  if (typeof Deno === "undefined") {
    return Promise.reject(
      new Error("cody-relay serves on Deno or Bun; run it with `deno run -A cli.ts` or `bun cli.ts`"),
    );
  }
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname,
      port,
      ...tls,
      onListen: ({ port: bound }) => resolve(running(hostname, bound, !!tls, () => server.shutdown())),
    }, (request) => options.fetch(request));
  });
}

function running(hostname: string, port: number, secure: boolean, shutdown: () => Promise<void>): RunningServer {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { url: `${secure ? "https" : "http"}://${host}:${port}`, hostname, port, shutdown };
}
