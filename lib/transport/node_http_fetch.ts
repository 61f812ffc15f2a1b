/**
 * `fetch` over `node:http`/`node:https`, for upstream requests, on Deno, Bun and Node.
 *
 * Why: an SSE upstream writes one small HTTP chunk per event. Deno's `fetch` hands the
 * body over one chunk per asynchronous read, so a relay pays an event-loop turn and a
 * stream hop per event; `node:http` parses a whole socket read at once. This fetch
 * delivers each socket read's data as one body chunk, so a burst of 200 events reaches the
 * decoder as one read (measured with `bench/`: about five times the answers per second through the relay).
 *
 * @module
 */
import http from "node:http";
import https from "node:https";
import { Buffer } from "node:buffer";
import { settleOnce } from "../hub/settle_once.ts";
import { ConnectGate, type Leave } from "./connect_gate.ts";
import type { OutgoingFetch, OutgoingRequest } from "./outgoing_request.ts";

/** How long a connection may take to establish where no limit is given: 10 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * How many connections to one origin may be in the making at once where no number is
 * given: 128. Thousands of streams opened together would otherwise queue thousands of
 * handshakes at the upstream's listen backlog, and those over it time out.
 */
export const DEFAULT_MAX_CONNECTING = 128;

/** Options of {@link createNodeHttpFetch}. */
export interface NodeHttpFetchOptions {
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

/** A fetch over `node:http` that also sends an {@link OutgoingRequest} as it is. */
export interface NodeHttpFetch extends OutgoingFetch {
  /** Sends `request` without building a `Request`. */
  send(request: OutgoingRequest): Promise<Response>;
}

/** Statuses whose responses have no body (`new Response` refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Sends a `Request` with `node:http(s)` and answers a streaming `Response`. Supports what
 * an upstream client needs: any method, headers, a buffered request body, `signal`
 * (aborting destroys the socket, so the upstream sees the client leave), keep-alive
 * connections, and gzip/deflate response bodies. Connection failures reject with a
 * `TypeError`, as `fetch` does. Its `send` takes the same request as plain values
 * ({@link OutgoingRequest}), with no `Request` to build and read back.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { nodeHttpFetch } from "./node_http_fetch.ts";
 * const server = Deno.serve({ port: 0, onListen() {} }, () => new Response("pong"));
 * const response = await nodeHttpFetch(new Request(`http://127.0.0.1:${server.addr.port}/`));
 * equal(await response.text(), "pong");
 * await server.shutdown();
 * ```
 */
export const nodeHttpFetch: NodeHttpFetch = createNodeHttpFetch();

/**
 * A {@link nodeHttpFetch} with its own connection pool, connect timeout and TLS trust.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { createNodeHttpFetch } from "./node_http_fetch.ts";
 * const fetchWithTimeout = createNodeHttpFetch({ connectTimeoutMs: 50 });
 * // 192.0.2.1 (TEST-NET-1) never answers: the connect timeout ends the attempt.
 * const error = await fetchWithTimeout(new Request("http://192.0.2.1/")).catch((e) => e);
 * ok(error instanceof TypeError);
 * ```
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): NodeHttpFetch {
  const tls = {
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true, ...tls }),
  };
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxConnecting = options.maxConnecting ?? DEFAULT_MAX_CONNECTING;
  // One gate per origin this fetch reaches (an upstream's few), kept for the fetch's life.
  const gates = new Map<string, ConnectGate>();
  const gateOf = (origin: string) =>
    gates.get(origin) ?? gates.set(origin, new ConnectGate(maxConnecting)).get(origin)!;
  const sendOutgoing = (request: OutgoingRequest) => send(request, agents, gateOf, connectTimeoutMs);
  return Object.assign(async (request: Request) => sendOutgoing(await outgoingOf(request)), { send: sendOutgoing });
}

/** A `Request` as plain values. */
async function outgoingOf(request: Request): Promise<OutgoingRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => headers[name] = value);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  return { url: new URL(request.url), method: request.method, headers, body, signal: request.signal };
}

async function send(
  request: OutgoingRequest,
  agents: Record<"http:" | "https:", http.Agent>,
  gateOf: (origin: string) => ConnectGate,
  connectTimeoutMs: number,
): Promise<Response> {
  const { url } = request;
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`nodeHttpFetch cannot fetch ${url.protocol} URLs`);
  }
  request.signal?.throwIfAborted();
  // Every request passes the gate; one given a kept-alive connection leaves it at once.
  const leave = await gateOf(url.origin).enter(request.signal);
  let outgoing: http.ClientRequest;
  try {
    outgoing = (url.protocol === "https:" ? https : http).request(url, {
      method: request.method,
      headers: headerList(request),
      setHost: false,
      agent: agents[url.protocol as keyof typeof agents],
    });
  } catch (error) {
    leave();
    throw error;
  }
  const connected = url.protocol === "https:" ? "secureConnect" : "connect";
  const answered = exchange(outgoing, request.signal, { connected, connectTimeoutMs, leave });
  outgoing.end(request.body);
  return await answered;
}

/** Methods `node:http` sends no `Content-Length` for when their body is empty. */
const BODYLESS_BY_DEFAULT = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/**
 * The head's headers as the flat `[name, value, …]` list `http.request` writes as it is,
 * with the `Host` and `Content-Length` it would add to a header object: given an object,
 * `node:http` builds a header map the request keeps for the whole answer.
 */
function headerList({ url, method, headers, body }: OutgoingRequest): string[] {
  const list: string[] = [];
  for (const name in headers) list.push(name, headers[name]);
  if (!("host" in headers)) list.push("Host", url.host);
  if (
    !("content-length" in headers || "transfer-encoding" in headers || BODYLESS_BY_DEFAULT.has(method.toUpperCase()))
  ) {
    const length = body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    list.push("Content-Length", String(length));
  }
  return list;
}

/** How {@link exchange} watches the connection: the event that says it is established, its limit, the gate to leave. */
interface Connecting {
  connected: "connect" | "secureConnect";
  connectTimeoutMs: number;
  leave: Leave;
}

/**
 * The response to `outgoing`, sent by the caller. Its listeners live as long as the
 * connection's request does (a stream's whole answer), so they hold only what they need:
 * not the `Request`, its body or headers, and not the promise once it settled.
 */
function exchange(
  outgoing: http.ClientRequest,
  signal: AbortSignal | undefined,
  { connected, connectTimeoutMs, leave }: Connecting,
): Promise<Response> {
  const { promise, resolve, reject } = settleOnce<Response>();
  outgoing.on("response", (incoming) => {
    try {
      resolve(responseOf(incoming));
    } catch (error) {
      incoming.destroy();
      reject(error);
    }
  });
  outgoing.on("socket", (socket) => {
    if (!socket.connecting) return leave();
    const timer = setTimeout(
      () => outgoing.destroy(new Error(`connection not established within ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
    // Removed once run: the socket outlives the request (keep-alive), and would keep the
    // timer, and through it this request, for as long as the connection stays open.
    const settled = () => {
      clearTimeout(timer);
      socket.off(connected, settled);
      socket.off("close", settled);
      leave();
    };
    socket.once(connected, settled);
    socket.once("close", settled);
  });
  const abort = signal && (() => outgoing.destroy(signal.reason));
  if (abort) signal.addEventListener("abort", abort, { once: true });
  outgoing.on("close", () => {
    leave();
    if (abort) signal.removeEventListener("abort", abort);
  });
  outgoing.on("error", (error) => {
    reject(signal?.aborted ? signal.reason : new TypeError(error.message, { cause: error }));
  });
  return promise;
}

/** The `Response` of `incoming`: its status and headers, and its body as a stream or, once, a push body. */
function responseOf(incoming: http.IncomingMessage): Response {
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      responseHeaders.append(name, item);
    }
  }
  if (NULL_BODY_STATUSES.has(incoming.statusCode ?? 0)) {
    incoming.resume();
    return new Response(null, { status: incoming.statusCode, headers: responseHeaders });
  }
  const encoded = !["", "identity"].includes(responseHeaders.get("content-encoding")?.trim() ?? "");
  const body = pushBody(incoming);
  const stream = streamOf(body, () => pushable.delete(response));
  const response: Response = new Response(encoded ? decompressed(stream, responseHeaders) : stream, {
    status: incoming.statusCode,
    statusText: incoming.statusMessage,
    headers: responseHeaders,
  });
  if (!encoded) pushable.set(response, body);
  return response;
}

/** Responses of {@link nodeHttpFetch} whose bodies a push reader may take straight from `node:http`. */
const pushable = new WeakMap<Response, PushBody>();

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
}

/**
 * The body of a {@link nodeHttpFetch} response as a {@link PushBody}, if nothing has read it
 * yet (a body read this way is no longer readable as a stream); undefined for any other
 * response.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { pushBodyOf } from "./node_http_fetch.ts";
 * ok(pushBodyOf(new Response("x")) === undefined);
 * ```
 */
export function pushBodyOf(response: Response): PushBody | undefined {
  const body = pushable.get(response);
  pushable.delete(response);
  return body;
}

/** The body of `incoming` as a {@link PushBody}: the data events of one socket read (which fire together) joined. */
function pushBody(incoming: http.IncomingMessage): PushBody {
  let settled = false;
  return {
    start(chunk, end) {
      let pending: Buffer[] = [];
      const flush = () => {
        if (!pending.length || settled) return;
        const joined = pending.length === 1 ? pending[0] : Buffer.concat(pending);
        pending = [];
        chunk(new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength));
      };
      const settle = (error?: Error) => {
        if (settled) return;
        flush();
        settled = true;
        end(error);
      };
      incoming.on("data", (data: Buffer) => {
        if (!pending.length) queueMicrotask(flush);
        pending.push(data);
      });
      incoming.on("end", () => settle());
      incoming.on("error", (error) => settle(new TypeError(`upstream connection failed: ${error.message}`)));
      incoming.on("close", () => {
        if (!incoming.complete) settle(new TypeError("the upstream connection closed before the response ended"));
      });
    },
    pause: () => void incoming.pause(),
    resume: () => void incoming.resume(),
    cancel() {
      settled = true;
      incoming.destroy();
    },
  };
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
        controller.enqueue(bytes);
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
