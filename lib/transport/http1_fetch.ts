/**
 * `fetch` for upstream requests over the relay's own HTTP/1.1 client, on `node:net` and
 * `node:tls` (Deno, Bun and Node).
 *
 * Why: an SSE upstream writes one small HTTP chunk per event. Deno's `fetch` hands the
 * body over one chunk per asynchronous read, so a relay pays an event-loop turn and a
 * stream hop per event. This client parses each socket read at once and hands its body
 * bytes to the reader as one chunk, with no promise per read, and keeps per request only
 * a parser and a few fields: `node:http`'s client cost about four times its CPU per
 * request on Deno and kept about 11 KB per open stream (`bench/README.md`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { clearTimeout, setTimeout } from "node:timers";
import { type SettleOnce, settleOnce } from "../hub/settle_once.ts";
import { type Connection, ConnectionPool, type ConnectionUser } from "./connection_pool.ts";
import type { OutgoingFetch, OutgoingRequest } from "./outgoing_request.ts";
import { isAscii, NO_BODY_STATUSES, type ResponseHead, ResponseParser } from "./response_parser.ts";

/** How long a connection may take to establish where no limit is given: 10 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * How many connections to one origin may be in the making at once where no number is
 * given: 128. Thousands of streams opened together would otherwise queue thousands of
 * handshakes at the upstream's listen backlog, and those over it time out.
 */
export const DEFAULT_MAX_CONNECTING = 128;

/** Options of {@link createHttp1Fetch}. */
export interface Http1FetchOptions {
  /** Give up on a connection (TCP and TLS) not established within this many milliseconds. @default DEFAULT_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
  /**
   * Connections to one origin in the making at once; a request that would open one more
   * waits its turn (the wait is not part of the connect timeout; its signal ends it).
   * @default DEFAULT_MAX_CONNECTING
   */
  maxConnecting?: number;
  /** PEM certificates trusted for HTTPS instead of the runtime's roots (a corporate CA bundle). */
  ca?: string;
  /** `false` skips TLS certificate verification (insecure; for test instances only). @default true */
  rejectUnauthorized?: boolean;
}

/** A fetch over HTTP/1.1 that also sends an {@link OutgoingRequest} as it is. */
export interface Http1Fetch extends OutgoingFetch {
  /** Sends `request` without building a `Request`. */
  send(request: OutgoingRequest): Promise<Response>;
}

/**
 * Sends a `Request` over HTTP/1.1 and answers a streaming `Response`. Supports what an
 * upstream client needs: any method, headers, a buffered request body, `signal` (aborting
 * closes the connection, so the upstream sees the client leave), kept-alive connections
 * (a request that finds its kept connection closed by the server is sent again once on a
 * new one), TLS with a CA bundle or without verification, and gzip/deflate response
 * bodies. Connection failures reject with a `TypeError`, as `fetch` does. Its `send`
 * takes the same request as plain values ({@link OutgoingRequest}).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { http1Fetch } from "./http1_fetch.ts";
 * const server = Deno.serve({ port: 0, onListen() {} }, () => new Response("pong"));
 * const response = await http1Fetch(new Request(`http://127.0.0.1:${server.addr.port}/`));
 * equal(await response.text(), "pong");
 * await server.shutdown();
 * ```
 */
export const http1Fetch: Http1Fetch = createHttp1Fetch();

/**
 * An {@link http1Fetch} with its own connection pool, connect timeout and TLS trust.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { createHttp1Fetch } from "./http1_fetch.ts";
 * const fetchWithTimeout = createHttp1Fetch({ connectTimeoutMs: 50 });
 * // 192.0.2.1 (TEST-NET-1) never answers: the connect timeout ends the attempt.
 * const error = await fetchWithTimeout(new Request("http://192.0.2.1/")).catch((e) => e);
 * ok(error instanceof TypeError);
 * ```
 */
export function createHttp1Fetch(options: Http1FetchOptions = {}): Http1Fetch {
  const pool = new ConnectionPool({
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    maxConnecting: options.maxConnecting ?? DEFAULT_MAX_CONNECTING,
    tls: {
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    },
  });
  const sendOutgoing = (request: OutgoingRequest) => send(request, pool);
  return Object.assign(async (request: Request) => sendOutgoing(await outgoingOf(request)), { send: sendOutgoing });
}

/** A `Request` as plain values. */
async function outgoingOf(request: Request): Promise<OutgoingRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => headers[name] = value);
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  return { url: new URL(request.url), method: request.method, headers, body, signal: request.signal };
}

/** Sends `request` on a kept connection, or on a new one if there is none or the kept one turns out closed. */
async function send(request: OutgoingRequest, pool: ConnectionPool): Promise<Response> {
  const { url, signal } = request;
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`http1Fetch cannot fetch ${url.protocol} URLs`);
  }
  signal?.throwIfAborted();
  const bytes = requestBytes(request);
  const kept = pool.take(url);
  if (kept) {
    try {
      return await new Exchange(kept, pool, request.method, signal).send(bytes);
    } catch (error) {
      if (!(error instanceof ClosedWhileKept)) throw error;
    }
  }
  const connection = await pool.open(url, signal);
  return await new Exchange(connection, pool, request.method, signal).send(bytes);
}

/** A kept connection failed before any answer: the server had closed it, so the request is sent again. */
class ClosedWhileKept extends Error {}

/** Header names: RFC 9110 tokens. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What a header value may not hold (no CR or LF, so no header can be smuggled in). */
const NOT_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Methods sent without a `Content-Length` when they have no body. */
const BODYLESS_BY_DEFAULT = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/**
 * The request's head and body as one string to write (UTF-8), or as bytes where the head
 * has Latin-1 characters or the body is bytes; refuses a method or header that would
 * break the head.
 */
function requestBytes({ url, method, headers, body }: OutgoingRequest): string | Buffer {
  if (!TOKEN.test(method)) throw new TypeError("the upstream request's method is not a valid HTTP method");
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  for (const name in headers) {
    if (name === "content-length" || name === "transfer-encoding") continue; // the body is whole: its length is known
    const value = headers[name];
    if (!TOKEN.test(name) || NOT_FIELD_VALUE.test(value)) {
      throw new TypeError(`the upstream request's header ${JSON.stringify(name.slice(0, 64))} is not valid HTTP`);
    }
    head += `${name}: ${value}\r\n`;
  }
  if (!("host" in headers)) head += `Host: ${url.host}\r\n`;
  const length = body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  if (length || !BODYLESS_BY_DEFAULT.has(method.toUpperCase())) head += `Content-Length: ${length}\r\n`;
  if (!("connection" in headers)) head += "Connection: keep-alive\r\n";
  head += "\r\n";
  // A string is written without a buffer of ours (the runtime encodes it); only an ASCII head reads the same in UTF-8.
  if (typeof body !== "object" && isAscii(head)) return body === undefined ? head : head + body;
  const bytes = Buffer.allocUnsafe(head.length + length);
  bytes.write(head, 0, "latin1");
  if (typeof body === "string") bytes.write(body, head.length, "utf8");
  else if (body) bytes.set(body, head.length);
  return bytes;
}

/** A response body read by callbacks, one per socket read: no stream, no promise per chunk. */
export interface PushBody {
  /** Starts the flow: `chunk` per socket read (valid only during the call), then `end` once (with why, if it failed). */
  start(chunk: (bytes: Uint8Array) => void, end: (error?: Error) => void): void;
  /** Stops reading from the socket. */
  pause(): void;
  /** Reads again. */
  resume(): void;
  /** Closes the connection. */
  cancel(): void;
  /**
   * Needs no more of the body (the answer in it is complete): the rest is read and dropped
   * so that the connection can carry another request, or closed if it does not end soon.
   */
  drain(): void;
}

/** How long the rest of a drained response may take to end before its connection is closed: 1 s. */
const DRAIN_MS = 1_000;

/** How much of a drained response may still come before its connection is closed: 64 KiB. */
const DRAIN_BYTES = 64 * 1024;

/**
 * One request on one connection, from writing it to the end of its response body: the
 * connection's user while it lasts, and the response's {@link PushBody}. It holds no
 * `Request` and, once the response is out, not the promise.
 */
class Exchange implements ConnectionUser, PushBody {
  #connection: Connection | undefined;
  readonly #pool: ConnectionPool;
  readonly #parser: ResponseParser;
  readonly #signal: AbortSignal | undefined;
  /** Settles the response promise, until the head is read. */
  #answer: Pick<SettleOnce<Response>, "resolve" | "reject"> | undefined;
  #received = false;
  #chunk: ((bytes: Uint8Array) => void) | undefined;
  #end: ((error?: Error) => void) | undefined;
  /** Body bytes read before the reader started (views of the socket's reads, which are not reused, or copies). */
  #early: Uint8Array[] | undefined;
  /** How the body ended, when it ended before the reader started. */
  #ending: { error?: Error } | undefined;
  /** Whether the reader wants nothing more (it was given the end, cancelled, or drains). */
  #over = false;
  /** Whether the reader paused the body (which then stays paused until it resumes it). */
  #paused = false;
  /** Whether a reader started or the rest is drained: until then the socket reads no further than the head. */
  #started = false;
  /** While the rest of the response is drained: what may still come, and when the connection is closed anyway. */
  #draining: { bytes: number; timer: ReturnType<typeof setTimeout> } | undefined;
  readonly #abort: (() => void) | undefined;

  constructor(connection: Connection, pool: ConnectionPool, method: string, signal: AbortSignal | undefined) {
    this.#connection = connection;
    this.#pool = pool;
    this.#signal = signal;
    this.#parser = new ResponseParser(method, {
      head: (head) => this.#head(head),
      body: (bytes, reused) => this.#body(bytes, reused),
      end: (reusable) => this.#ended(reusable),
    });
    connection.user = this;
    if (signal) {
      this.#abort = () => this.#fail(signal.reason);
      signal.addEventListener("abort", this.#abort, { once: true });
    }
  }

  /** Writes the request; resolves with the response once its head is read. */
  send(bytes: string | Buffer): Promise<Response> {
    const { promise, resolve, reject } = settleOnce<Response>();
    this.#answer = { resolve, reject };
    this.#connection!.socket.write(bytes);
    return promise;
  }

  data(bytes: Buffer): void {
    this.#received = true;
    try {
      this.#parser.push(bytes);
    } catch (error) {
      return this.#fail(error instanceof TypeError ? error : new TypeError(String(error), { cause: error }));
    }
    // A head whose body goes on: read no further until the reader starts.
    if (this.#connection && !this.#started && this.#parser.headRead) this.#connection.socket.pause();
  }

  failed(error: Error): void {
    this.#fail(this.#closedWhileKept() ? new ClosedWhileKept() : new TypeError(error.message, { cause: error }));
  }

  closed(): void {
    if (this.#closedWhileKept()) return this.#fail(new ClosedWhileKept());
    try {
      this.#parser.close();
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  start(chunk: (bytes: Uint8Array) => void, end: (error?: Error) => void): void {
    if (this.#over && !this.#ending) return;
    this.#started = true;
    this.#chunk = chunk;
    this.#end = end;
    const early = this.#early;
    this.#early = undefined;
    for (const bytes of early ?? []) chunk(bytes);
    if (this.#ending) return this.#finish(this.#ending.error);
    if (!this.#paused) this.#connection?.socket.resume();
  }

  pause(): void {
    this.#paused = true;
    this.#connection?.socket.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#connection?.socket.resume();
  }

  cancel(): void {
    this.#drop();
    this.#detach()?.socket.destroy();
  }

  drain(): void {
    this.#drop();
    if (!this.#connection) return; // the response ended: its connection went back already
    const timer = setTimeout(() => this.cancel(), DRAIN_MS).unref();
    this.#draining = { bytes: 0, timer };
    this.#started = true;
    this.#paused = false;
    this.#connection.socket.resume();
  }

  /** The reader wants nothing more: no chunk, no end, nothing held for it. */
  #drop(): void {
    this.#over = true;
    this.#chunk = this.#end = undefined;
    this.#early = undefined;
    this.#ending = undefined;
  }

  /** Whether the connection was kept from an earlier request and closed before answering anything. */
  #closedWhileKept(): boolean {
    return !!this.#connection?.reused && !this.#received && !this.#signal?.aborted;
  }

  #head(head: ResponseHead): void {
    this.#answer!.resolve(responseOf(head, this));
    this.#answer = undefined;
  }

  #body(bytes: Uint8Array, reused: boolean): void {
    if (this.#chunk) this.#chunk(bytes);
    else if (this.#draining) {
      if ((this.#draining.bytes += bytes.length) > DRAIN_BYTES) this.cancel();
    } else if (!this.#over) (this.#early ??= []).push(reused ? bytes.slice() : bytes);
  }

  /** The response ended: the connection goes back to the pool if it may carry another request. */
  #ended(reusable: boolean): void {
    const connection = this.#detach();
    if (connection && reusable && !connection.closed) {
      // The reader may have paused it in this very read; kept, it must read (the next answer, or the server closing it).
      if (this.#paused) connection.socket.resume();
      this.#pool.release(connection);
    } else connection?.socket.destroy();
    this.#finish();
  }

  /** The exchange failed: the connection is closed; the answer or the body says why. */
  #fail(error: Error): void {
    this.#detach()?.socket.destroy();
    if (this.#answer) {
      this.#answer.reject(this.#signal?.aborted ? this.#signal.reason : error);
      this.#answer = undefined;
      this.#over = true;
      return;
    }
    this.#finish(error);
  }

  /** Ends the body once: now if the reader started, else when it starts. */
  #finish(error?: Error): void {
    if (this.#over && !this.#ending) return;
    if (!this.#end) {
      this.#over = true;
      this.#ending = error ? { error } : {};
      return;
    }
    const end = this.#end;
    this.#over = true;
    this.#chunk = this.#end = this.#ending = undefined;
    end(error);
  }

  /** Lets go of the connection (and the signal); returns it if this exchange still had it. */
  #detach(): Connection | undefined {
    const connection = this.#connection;
    if (!connection) return undefined;
    this.#connection = undefined;
    if (this.#draining) clearTimeout(this.#draining.timer);
    this.#draining = undefined;
    connection.user = undefined;
    if (this.#abort) this.#signal!.removeEventListener("abort", this.#abort);
    return connection;
  }
}

/** The `Response` of `head`: its body a stream or, once, the exchange's push body. */
function responseOf(head: ResponseHead, body: PushBody): Response {
  const headers = new Headers(head.headers);
  if (NO_BODY_STATUSES.has(head.status)) return new Response(null, { status: head.status, headers });
  const encoded = !["", "identity"].includes(headers.get("content-encoding")?.trim() ?? "");
  const stream = streamOf(body, () => pushable.delete(response));
  const response: Response = new Response(encoded ? decompressed(stream, headers) : stream, {
    status: head.status,
    statusText: head.statusText,
    headers,
  });
  if (!encoded) pushable.set(response, body);
  return response;
}

/** Responses of {@link http1Fetch} whose bodies a push reader may take straight from the connection. */
const pushable = new WeakMap<Response, PushBody>();

/**
 * The body of an {@link http1Fetch} response as a {@link PushBody}, if nothing has read it
 * yet (a body read this way is no longer readable as a stream); undefined for any other
 * response.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { pushBodyOf } from "./http1_fetch.ts";
 * ok(pushBodyOf(new Response("x")) === undefined);
 * ```
 */
export function pushBodyOf(response: Response): PushBody | undefined {
  const body = pushable.get(response);
  pushable.delete(response);
  return body;
}

/**
 * A {@link PushBody} as a stream with one chunk per socket read. The flow starts at the
 * first read, which also takes the body from push readers (`taken`).
 */
function streamOf(body: PushBody, taken: () => void): ReadableStream<Uint8Array> {
  let started = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (started) return body.resume();
      started = true;
      taken();
      body.start((bytes) => {
        controller.enqueue(bytes.slice()); // a chunk is valid only during the call
        if ((controller.desiredSize ?? 1) <= 0) body.pause();
      }, (error) => error ? controller.error(error) : controller.close());
    },
    cancel: () => body.cancel(),
  }, { highWaterMark: 0 });
}

function decompressed(body: ReadableStream<Uint8Array>, headers: Headers): ReadableStream<Uint8Array> {
  const encoding = headers.get("content-encoding")?.trim().toLowerCase();
  if (!encoding || encoding === "identity") return body;
  if (encoding !== "gzip" && encoding !== "deflate") {
    throw new TypeError(`the upstream sent an unsupported content-encoding: ${encoding}`);
  }
  headers.delete("content-encoding");
  headers.delete("content-length");
  return body.pipeThrough(new DecompressionStream(encoding) as TransformStream<Uint8Array, Uint8Array>);
}
