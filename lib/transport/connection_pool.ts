/**
 * Kept-alive HTTP/1.1 connections to upstream origins, over `node:net` and `node:tls` (on
 * Deno, Bun and Node): opened through a {@link ConnectGate} with a connect timeout, lent
 * to one request at a time, kept idle for a few seconds afterwards.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import type { Buffer } from "node:buffer";
import { clearInterval, setInterval } from "node:timers";
import { ConnectGate } from "./connect_gate.ts";

/** How long a connection is kept idle for the next request: 4 s (servers often close theirs after 5). */
export const IDLE_TIMEOUT_MS = 4_000;

/** Idle connections kept per origin at most. */
const MAX_IDLE = 256;

/** The request a {@link Connection} is lent to, told what the socket does. */
export interface ConnectionUser {
  /** Bytes read from the socket. */
  data(bytes: Buffer): void;
  /** The socket failed. */
  failed(error: Error): void;
  /** The socket closed (after `failed`, if it failed). */
  closed(): void;
}

/**
 * One connection: its socket, routing the socket's events to the request it is lent to.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import net from "node:net";
 * import { Connection, ConnectionPool } from "./connection_pool.ts";
 * const pool = new ConnectionPool({ connectTimeoutMs: 1_000, maxConnecting: 1 });
 * const connection = new Connection(new net.Socket(), "http://upstream.invalid", pool);
 * equal(connection.user, undefined);
 * connection.socket.destroy();
 * ```
 */
export class Connection {
  /** The socket. */
  readonly socket: net.Socket;
  /** The origin it is connected to. */
  readonly origin: string;
  /** The request it is lent to, if any. */
  user: ConnectionUser | undefined;
  /** Whether it carried a request before the current one. */
  reused = false;
  /** When it was last given back (for the idle timeout). */
  idleSince = 0;
  /** Whether the socket closed. */
  closed = false;

  /** Routes `socket`'s events; an idle connection that reads or closes leaves `pool`. */
  constructor(socket: net.Socket, origin: string, pool: ConnectionPool) {
    this.socket = socket;
    this.origin = origin;
    socket.on("data", (bytes: Buffer) => {
      if (this.user) this.user.data(bytes);
      else socket.destroy(); // an idle connection has nothing to read
    });
    socket.on("error", (error: Error) => this.user?.failed(error));
    socket.on("close", () => {
      this.closed = true;
      if (this.user) this.user.closed();
      else pool.forget(this);
    });
  }
}

/** Options of a {@link ConnectionPool}. */
export interface ConnectionPoolOptions {
  /** Give up on a connection (TCP and TLS) not established within this many milliseconds. */
  connectTimeoutMs: number;
  /** Connections to one origin in the making at once. */
  maxConnecting: number;
  /** TLS options for `https:` origins. */
  tls?: { ca?: string; rejectUnauthorized?: boolean };
}

/**
 * Connections by origin: {@link ConnectionPool.take} lends an idle one, {@link ConnectionPool.open}
 * a new one, {@link ConnectionPool.release} takes one back. Idle connections do not keep
 * the process alive.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { ConnectionPool } from "./connection_pool.ts";
 * const server = Deno.serve({ port: 0, onListen() {} }, () => new Response("pong"));
 * const pool = new ConnectionPool({ connectTimeoutMs: 1_000, maxConnecting: 8 });
 * const url = new URL(`http://127.0.0.1:${server.addr.port}/`);
 * const connection = await pool.open(url);
 * equal(connection.origin, url.origin);
 * pool.release(connection);
 * equal(pool.take(url), connection);
 * connection.socket.destroy();
 * await server.shutdown();
 * ```
 */
export class ConnectionPool {
  readonly #options: ConnectionPoolOptions;
  readonly #idle = new Map<string, Connection[]>();
  readonly #gates = new Map<string, ConnectGate>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  /** A pool with these limits and TLS trust. */
  constructor(options: ConnectionPoolOptions) {
    this.#options = options;
  }

  /** An idle connection to `url`'s origin, if one is kept. */
  take(url: URL): Connection | undefined {
    const idle = this.#idle.get(url.origin);
    const connection = idle?.pop();
    if (!connection) return undefined;
    connection.reused = true;
    connection.socket.ref();
    return connection;
  }

  /**
   * A new connection to `url`'s origin, once established. Waits its turn when
   * `maxConnecting` are in the making (the wait is not part of the timeout; `signal`
   * ends it). Fails with a `TypeError`, as `fetch` does.
   */
  async open(url: URL, signal?: AbortSignal): Promise<Connection> {
    const leave = await this.#gateOf(url.origin).enter(signal);
    let socket: net.Socket;
    try {
      socket = this.#connect(url);
    } catch (error) {
      leave();
      throw new TypeError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const connection = new Connection(socket, url.origin, this);
    const connected = url.protocol === "https:" ? "secureConnect" : "connect";
    return await new Promise<Connection>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        socket.off(connected, established);
        socket.off("error", settle);
        socket.off("close", closed);
        signal?.removeEventListener("abort", abort);
        leave();
        if (!error) return resolve(connection);
        socket.destroy();
        reject(signal?.aborted ? signal.reason : new TypeError(error.message, { cause: error }));
      };
      // Bun passes the verification error of an unverified certificate to `secureConnect`: not a failure here.
      const established = () => settle();
      const closed = () => settle(new Error("the connection closed while it was being established"));
      const abort = () => settle(signal!.reason);
      const timer = setTimeout(
        () => settle(new Error(`connection not established within ${this.#options.connectTimeoutMs} ms`)),
        this.#options.connectTimeoutMs,
      );
      socket.once(connected, established);
      socket.once("error", settle);
      socket.once("close", closed);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  /** Takes back a connection whose request ended with the connection reusable. */
  release(connection: Connection): void {
    connection.user = undefined;
    if (connection.closed) return;
    const idle = this.#idle.get(connection.origin) ?? this.#idle.set(connection.origin, []).get(connection.origin)!;
    if (idle.length >= MAX_IDLE) return void connection.socket.destroy();
    connection.idleSince = performance.now();
    connection.socket.unref();
    idle.push(connection);
    this.#sweeper ??= this.#startSweeper();
  }

  /** Drops an idle connection that closed. */
  forget(connection: Connection): void {
    const idle = this.#idle.get(connection.origin);
    const index = idle?.indexOf(connection) ?? -1;
    if (index >= 0) idle!.splice(index, 1);
  }

  /** One timer for all idle connections: closes those idle for {@link IDLE_TIMEOUT_MS}, stops when none are left. */
  #startSweeper(): ReturnType<typeof setInterval> {
    const sweeper = setInterval(() => {
      const now = performance.now();
      let kept = 0;
      for (const idle of this.#idle.values()) {
        // The oldest are first: the stack takes and gives back at its end.
        while (idle.length && now - idle[0].idleSince >= IDLE_TIMEOUT_MS) idle.shift()!.socket.destroy();
        kept += idle.length;
      }
      if (!kept) {
        clearInterval(sweeper);
        this.#sweeper = undefined;
      }
    }, IDLE_TIMEOUT_MS / 4);
    sweeper.unref();
    return sweeper;
  }

  #gateOf(origin: string): ConnectGate {
    return this.#gates.get(origin) ??
      this.#gates.set(origin, new ConnectGate(this.#options.maxConnecting)).get(origin)!;
  }

  #connect(url: URL): net.Socket {
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    if (url.protocol !== "https:") {
      const socket = net.connect({ host, port: Number(url.port) || 80 });
      socket.setNoDelay(true);
      return socket;
    }
    const { ca, rejectUnauthorized } = this.#options.tls ?? {};
    const socket = tls.connect({
      host,
      port: Number(url.port) || 443,
      ...(net.isIP(host) ? {} : { servername: host }),
      ALPNProtocols: ["http/1.1"],
      ...(ca ? { ca } : {}),
      ...(rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    });
    socket.setNoDelay(true);
    return socket;
  }
}
