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

/** Options of {@link createNodeHttpFetch}. */
export interface NodeHttpFetchOptions {
  /** Give up on a connection (TCP and TLS) not established within this many milliseconds. @default 10000 */
  connectTimeoutMs?: number;
  /** PEM certificates trusted for HTTPS instead of the runtime's roots (a corporate CA bundle). */
  ca?: string;
  /** `false` skips TLS certificate verification (insecure; for test instances only). @default true */
  rejectUnauthorized?: boolean;
}

/** Statuses whose responses have no body (`new Response` refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Body chunks queued before the socket is paused (backpressure). */
const HIGH_WATER_MARK = 16;

/**
 * Sends a `Request` with `node:http(s)` and answers a streaming `Response`. Supports what
 * an upstream client needs: any method, headers, a buffered request body, `signal`
 * (aborting destroys the socket, so the upstream sees the client leave), keep-alive
 * connections, and gzip/deflate response bodies. Connection failures reject with a
 * `TypeError`, as `fetch` does.
 *
 * @example
 * ```ts
 * import { nodeHttpFetch } from "./node_http_fetch.ts";
 * const server = Deno.serve({ port: 0, onListen() {} }, () => new Response("pong"));
 * const response = await nodeHttpFetch(new Request(`http://127.0.0.1:${server.addr.port}/`));
 * console.assert(await response.text() === "pong");
 * await server.shutdown();
 * ```
 */
export const nodeHttpFetch: (request: Request) => Promise<Response> = createNodeHttpFetch();

/**
 * A {@link nodeHttpFetch} with its own connection pool, connect timeout and TLS trust.
 *
 * @example
 * ```ts
 * import { createNodeHttpFetch } from "./node_http_fetch.ts";
 * const fetchWithTimeout = createNodeHttpFetch({ connectTimeoutMs: 50 });
 * // 192.0.2.1 (TEST-NET-1) never answers: the connect timeout ends the attempt.
 * const error = await fetchWithTimeout(new Request("http://192.0.2.1/")).catch((e) => e);
 * console.assert(error instanceof TypeError);
 * ```
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): (request: Request) => Promise<Response> {
  const tls = {
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true, ...tls }),
  };
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  return (request) => send(request, agents, connectTimeoutMs);
}

async function send(
  request: Request,
  agents: Record<"http:" | "https:", http.Agent>,
  connectTimeoutMs: number,
): Promise<Response> {
  const url = new URL(request.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`nodeHttpFetch cannot fetch ${url.protocol} URLs`);
  }
  request.signal.throwIfAborted();
  const payload = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name] = value;
  return new Promise<Response>((resolve, reject) => {
    const outgoing = (url.protocol === "https:" ? https : http).request(url, {
      method: request.method,
      headers,
      agent: agents[url.protocol as keyof typeof agents],
    }, (incoming) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
          responseHeaders.append(name, item);
        }
      }
      try {
        const body = NULL_BODY_STATUSES.has(incoming.statusCode ?? 0)
          ? (incoming.resume(), null)
          : decompressed(bodyOf(incoming), responseHeaders);
        resolve(
          new Response(body, {
            status: incoming.statusCode,
            statusText: incoming.statusMessage,
            headers: responseHeaders,
          }),
        );
      } catch (error) {
        incoming.destroy();
        reject(error);
      }
    });
    outgoing.on("socket", (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => outgoing.destroy(new Error(`connection not established within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(timer));
      socket.once("close", () => clearTimeout(timer));
    });
    const abort = () => outgoing.destroy(request.signal.reason);
    request.signal.addEventListener("abort", abort, { once: true });
    outgoing.on("close", () => request.signal.removeEventListener("abort", abort));
    outgoing.on("error", (error) => {
      reject(request.signal.aborted ? request.signal.reason : new TypeError(error.message, { cause: error }));
    });
    outgoing.end(payload);
  });
}

/** The response body as a stream with one chunk per socket read. */
function bodyOf(incoming: http.IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let pending: Buffer[] = [];
      // Every `data` event of one socket read fires synchronously; a microtask then
      // enqueues them together.
      const flush = () => {
        if (!pending.length || settled) return;
        const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending);
        pending = [];
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) incoming.pause();
      };
      const settle = (error?: Error) => {
        if (settled) return;
        flush();
        settled = true;
        if (error) controller.error(error);
        else controller.close();
      };
      incoming.on("data", (chunk: Buffer) => {
        if (!pending.length) queueMicrotask(flush);
        pending.push(chunk);
      });
      incoming.on("end", () => settle());
      incoming.on("error", (error) => settle(new TypeError(`upstream connection failed: ${error.message}`)));
      incoming.on("close", () => {
        if (!incoming.complete) settle(new TypeError("the upstream connection closed before the response ended"));
      });
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      settled = true;
      incoming.destroy();
    },
  }, { highWaterMark: HIGH_WATER_MARK });
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
