/**
 * A minimal HTTP/1.1 keep-alive client over `Deno.connect`, for the load generator: it
 * costs far less CPU per response than `fetch` (which matters when the generator shares
 * two cores with the servers it measures) and timestamps every network read of the body.
 *
 * @module
 */

/** One response as the load generator sees it; times are `performance.now()` values. */
export interface Exchange {
  /** The HTTP status. */
  status: number;
  /** When the first body byte arrived. */
  firstByteAt: number;
  /** When the last body byte arrived. */
  endAt: number;
  /** Every read that carried body bytes (only when `timeReads` was asked for). */
  readTimes: number[];
  /** How many network reads carried body bytes. */
  reads: number;
  /** Body bytes received. */
  bytes: number;
  /** The last bytes of the body, to check how the stream ended. */
  tail: string;
}

const CRLF2 = [13, 10, 13, 10];
const decoder = new TextDecoder();
const TAIL_BYTES = 64;

/**
 * Encodes a request once, to be written as many times as needed.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { encodeRequest } from "./http_client.ts";
 * const bytes = encodeRequest(new URL("http://127.0.0.1:1/v1/x"), "{}", { authorization: "Bearer k" });
 * ok(new TextDecoder().decode(bytes).startsWith("POST /v1/x HTTP/1.1\r\n"));
 * ```
 */
export function encodeRequest(url: URL, body: string, headers: Record<string, string>): Uint8Array {
  const payload = new TextEncoder().encode(body);
  const lines = [
    `POST ${url.pathname}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
    "content-type: application/json",
    `content-length: ${payload.length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  const head = new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`);
  const bytes = new Uint8Array(head.length + payload.length);
  bytes.set(head);
  bytes.set(payload, head.length);
  return bytes;
}

/**
 * One keep-alive connection; `exchange` sends a request and reads the whole response
 * (chunked or with a content-length).
 *
 * @example
 * ```ts ignore
 * const connection = await Connection.open(new URL("http://127.0.0.1:8787"));
 * const response = await connection.exchange(requestBytes, false);
 * connection.close();
 * ```
 */
export class Connection {
  #buffer = new Uint8Array(64 * 1024);
  #pending: Uint8Array | undefined;

  private constructor(private readonly conn: Deno.TcpConn) {}

  /** Connects to the URL's host and port. */
  static async open(url: URL): Promise<Connection> {
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    conn.setNoDelay(true);
    return new Connection(conn);
  }

  /** Writes the request and reads its response; throws when the connection breaks. */
  async exchange(request: Uint8Array, timeReads: boolean): Promise<Exchange> {
    await writeAll(this.conn, request);
    const head = await this.#readHead();
    const parser = new BodyParser(head.chunked, head.contentLength);
    const result: Exchange = {
      status: head.status,
      firstByteAt: 0,
      endAt: 0,
      readTimes: [],
      reads: 0,
      bytes: 0,
      tail: "",
    };
    let chunk = this.#pending ?? new Uint8Array(0);
    this.#pending = undefined;
    while (true) {
      if (chunk.length) {
        const now = performance.now();
        const bytes = parser.feed(chunk);
        if (bytes) {
          if (!result.firstByteAt) result.firstByteAt = now;
          result.endAt = now;
          result.bytes += bytes;
          result.reads++;
          if (timeReads) result.readTimes.push(now);
        }
        if (parser.done) {
          if (parser.rest < chunk.length) this.#pending = chunk.slice(parser.rest);
          break;
        }
      }
      const read = await this.conn.read(this.#buffer);
      if (read === null) throw new Error("connection closed mid-response");
      chunk = this.#buffer.subarray(0, read);
    }
    result.tail = decoder.decode(parser.tail);
    return result;
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }

  async #readHead(): Promise<{ status: number; chunked: boolean; contentLength: number }> {
    let bytes = this.#pending ?? new Uint8Array(0);
    this.#pending = undefined;
    while (true) {
      const end = indexOf(bytes, CRLF2);
      if (end >= 0) {
        const text = decoder.decode(bytes.subarray(0, end)).toLowerCase();
        this.#pending = bytes.slice(end + 4);
        const status = Number(text.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/.exec(text);
        return {
          status,
          chunked: /\r\ntransfer-encoding:\s*chunked/.test(text),
          contentLength: Number(length?.[1] ?? 0),
        };
      }
      const read = await this.conn.read(this.#buffer);
      if (read === null) throw new Error("connection closed before the response head");
      const joined = new Uint8Array(bytes.length + read);
      joined.set(bytes);
      joined.set(this.#buffer.subarray(0, read), bytes.length);
      bytes = joined;
    }
  }
}

/** Walks chunked framing (or a content-length) without copying data, keeping the body's last bytes. */
class BodyParser {
  done = false;
  /** Offset in the last fed chunk just past the body. */
  rest = 0;
  tail: Uint8Array = new Uint8Array(0);
  #state: "size" | "data" | "data-end" | "trailer" = "size";
  #sizeLine = "";
  #remaining: number;
  #lineLength = 0;

  constructor(private readonly chunked: boolean, contentLength: number) {
    this.#remaining = contentLength;
    if (!chunked && contentLength === 0) this.done = true;
  }

  /** Consumes framing and data; returns how many body bytes the chunk carried. */
  feed(chunk: Uint8Array): number {
    let bytes = 0;
    let index = 0;
    while (index < chunk.length && !this.done) {
      if (this.#state === "data" || !this.chunked) {
        const take = Math.min(this.#remaining, chunk.length - index);
        this.tail = keepTail(this.tail, chunk.subarray(index, index + take));
        bytes += take;
        index += take;
        this.#remaining -= take;
        if (this.#remaining === 0) {
          if (!this.chunked) this.done = true;
          else this.#state = "data-end";
        }
        continue;
      }
      const byte = chunk[index++];
      if (this.#state === "size") {
        if (byte !== 10) this.#sizeLine += String.fromCharCode(byte);
        else {
          const size = parseInt(this.#sizeLine, 16);
          this.#sizeLine = "";
          if (Number.isNaN(size)) throw new Error("malformed chunk size");
          if (size === 0) [this.#state, this.#lineLength] = ["trailer", 0];
          else [this.#state, this.#remaining] = ["data", size];
        }
      } else if (this.#state === "data-end") {
        if (byte === 10) this.#state = "size";
      } else if (byte === 10) {
        if (this.#lineLength === 0) this.done = true;
        this.#lineLength = 0;
      } else if (byte !== 13) this.#lineLength++;
    }
    this.rest = index;
    return bytes;
  }
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

function indexOf(bytes: Uint8Array, pattern: number[]): number {
  outer: for (let index = 0; index <= bytes.length - pattern.length; index++) {
    for (let offset = 0; offset < pattern.length; offset++) {
      if (bytes[index + offset] !== pattern[offset]) continue outer;
    }
    return index;
  }
  return -1;
}

function keepTail(tail: Uint8Array, last: Uint8Array): Uint8Array {
  if (!last.length) return tail;
  if (last.length >= TAIL_BYTES) return last.slice(last.length - TAIL_BYTES);
  const joined = new Uint8Array(Math.min(TAIL_BYTES, tail.length + last.length));
  const keep = joined.length - last.length;
  joined.set(tail.subarray(tail.length - keep));
  joined.set(last, keep);
  return joined;
}
