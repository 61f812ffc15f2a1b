/**
 * An HTTP/1.1 response read from a connection's bytes: the head, then the body by its
 * framing (`content-length`, `transfer-encoding: chunked`, or until the connection
 * closes), with no promise or stream per read. The client in `http1_fetch.ts` feeds it
 * each socket read.
 *
 * @module
 */
/** The most head bytes (status line and headers) a response may have: 16 KiB, as `node:http` allows. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** The longest chunk-size line (with any chunk extension) or trailer line: 4 KiB. */
const MAX_LINE_BYTES = 4 * 1024;

/** Statuses whose responses end with their head (RFC 9110: 204, 205 and 304; 101 hands the connection over). */
export const NO_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/** A response's status line and headers. */
export interface ResponseHead {
  /** The status code. */
  status: number;
  /** The reason phrase. */
  statusText: string;
  /** The headers in order, names in lower case, values trimmed. */
  headers: [string, string][];
}

/** What a {@link ResponseParser} reports, in order: the head, the body's bytes, the end. */
export interface ResponseEvents {
  /** The final head (informational 1xx heads are skipped). */
  head(head: ResponseHead): void;
  /**
   * The body bytes of one {@link ResponseParser.push}: a view of the pushed bytes, or,
   * where they were split (`reused`), the parser's buffer, overwritten at the next push.
   */
  body(bytes: Uint8Array, reused: boolean): void;
  /** The body ended; `reusable` says whether the connection may carry another request. */
  end(reusable: boolean): void;
}

/** Where the parser is in the response. */
type Phase = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-end" | "trailer" | "until-close" | "done";

/**
 * Reads one response from the bytes a connection receives. A malformed or oversized
 * response throws a `TypeError` from {@link ResponseParser.push}; the connection is then
 * not reusable.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { ResponseParser } from "./response_parser.ts";
 * const seen: unknown[] = [];
 * const parser = new ResponseParser("GET", {
 *   head: (head) => seen.push(head.status, head.headers),
 *   body: (bytes) => seen.push(new TextDecoder().decode(bytes)),
 *   end: (reusable) => seen.push(reusable),
 * });
 * const bytes = new TextEncoder().encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
 * parser.push(bytes.subarray(0, 20));
 * parser.push(bytes.subarray(20));
 * parser.push(new TextEncoder().encode("lo\r\n0\r\n\r\n"));
 * deepEqual(seen, [200, [["transfer-encoding", "chunked"]], "hel", "lo", true]);
 * ```
 */
export class ResponseParser {
  readonly #events: ResponseEvents;
  readonly #bodyless: boolean;
  #phase: Phase = "head";
  /** Head or line bytes received so far, when they came in more than one read. */
  #partial: Uint8Array | undefined;
  /** Body bytes (or chunk bytes) still to come. */
  #remaining = 0;
  #keepAlive = true;
  /** Where the slices of one push are joined. */
  #scratch = new Uint8Array(0);
  /** Body slices of the current push: one array, emptied after each (a new one per push cost 33 bytes of 292). */
  readonly #slices: Uint8Array[] = [];

  /** A parser of the response to a `method` request (a `HEAD` response has no body). */
  constructor(method: string, events: ResponseEvents) {
    this.#bodyless = method.toUpperCase() === "HEAD";
    this.#events = events;
  }

  /** Whether the head has been read. */
  get headRead(): boolean {
    return this.#phase !== "head";
  }

  /** Whether the response has ended. */
  get done(): boolean {
    return this.#phase === "done";
  }

  /** Reads the next bytes of the connection. */
  push(data: Uint8Array): void {
    let bytes = data;
    let at = 0;
    while (at < bytes.length) {
      if (this.#partial) {
        // A head or line split across reads: read it again from its start.
        bytes = joined([this.#partial, view(bytes, at, bytes.length)]);
        at = 0;
        this.#partial = undefined;
      }
      switch (this.#phase) {
        case "head": {
          const end = headEnd(bytes, at);
          if (end < 0) {
            this.#keep(view(bytes, at, bytes.length), MAX_HEAD_BYTES, "response head");
            return;
          }
          if (end - at > MAX_HEAD_BYTES) {
            throw new TypeError(`the upstream's response head is over ${MAX_HEAD_BYTES} bytes`);
          }
          this.#head(latin1(bytes, at, end));
          at = end + 4;
          break;
        }
        case "length":
        case "chunk-data": {
          const take = Math.min(this.#remaining, bytes.length - at);
          this.#slices.push(view(bytes, at, at + take));
          at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#phase = this.#phase === "length" ? "done" : "chunk-end";
          break;
        }
        case "until-close":
          this.#slices.push(view(bytes, at, bytes.length));
          at = bytes.length;
          break;
        case "chunk-size":
        case "chunk-end":
        case "trailer": {
          const end = lineEnd(bytes, at);
          if (end < 0) {
            this.#keep(view(bytes, at, bytes.length), MAX_LINE_BYTES, "chunk line");
            return this.#emit();
          }
          if (end - at > MAX_LINE_BYTES) {
            throw new TypeError(`the upstream's chunk line is over ${MAX_LINE_BYTES} bytes`);
          }
          this.#chunkLine(bytes, at, end);
          at = end + 2;
          break;
        }
        case "done":
          // Bytes after the response: the connection cannot be trusted with another request.
          this.#keepAlive = false;
          at = bytes.length;
          break;
      }
    }
    this.#emit();
  }

  /**
   * The connection closed: ends a body that lasts until the close, and throws a
   * `TypeError` if the response was not complete.
   */
  close(): void {
    if (this.#phase === "done") return;
    if (this.#phase !== "until-close") {
      throw new TypeError(
        this.#phase === "head"
          ? "the upstream closed the connection before it answered"
          : "the upstream connection closed before the response ended",
      );
    }
    this.#phase = "done";
    this.#events.end(false);
  }

  /** Delivers the body slices of this push as one chunk, then the end if it came. */
  #emit(): void {
    const slices = this.#slices;
    if (slices.length === 1) this.#events.body(slices[0], false);
    else if (slices.length > 1) this.#events.body(this.#joined(slices), true);
    slices.length = 0;
    if (this.#phase === "done") this.#events.end(this.#keepAlive);
  }

  /**
   * The slices as one, in a buffer reused from push to push: allocating a typed array
   * costs V8 microseconds, and an SSE upstream's read holds several chunks.
   */
  #joined(slices: Uint8Array[]): Uint8Array {
    let length = 0;
    for (const slice of slices) length += slice.length;
    if (this.#scratch.length < length) this.#scratch = new Uint8Array(Math.max(length, this.#scratch.length * 2));
    let at = 0;
    for (const slice of slices) {
      this.#scratch.set(slice, at);
      at += slice.length;
    }
    return this.#scratch.subarray(0, length);
  }

  /** Keeps an incomplete head or line for the next read, refusing one over `limit` bytes. */
  #keep(bytes: Uint8Array, limit: number, what: string): void {
    if (bytes.length > limit) throw new TypeError(`the upstream's ${what} is over ${limit} bytes`);
    this.#partial = bytes.slice();
  }

  /** The line `bytes[from, to)`: a chunk size, the empty line after a chunk's data, or a trailer line. */
  #chunkLine(bytes: Uint8Array, from: number, to: number): void {
    if (this.#phase === "chunk-end") {
      if (to !== from) throw new TypeError("the upstream's chunked body has a malformed chunk ending");
      this.#phase = "chunk-size";
    } else if (this.#phase === "trailer") {
      if (to === from) this.#phase = "done";
    } else {
      this.#remaining = chunkSize(bytes, from, to);
      this.#phase = this.#remaining === 0 ? "trailer" : "chunk-data";
    }
  }

  /** Reads a head; an informational (1xx) one is skipped, the final one decides the body's framing. */
  #head(text: string): void {
    const lines = text.split("\r\n");
    const status = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/.exec(lines[0]);
    if (!status) throw new TypeError("the upstream did not answer with an HTTP/1.1 status line");
    const code = Number(status[2]);
    if (code < 200 && code !== 101) return; // 100 Continue, 103 Early Hints: the final head follows
    const headers: [string, string][] = [];
    let length: string | undefined;
    let chunked = false;
    let close = status[1] === "0";
    for (let index = 1; index < lines.length; index++) {
      const line = lines[index];
      const colon = line.indexOf(":");
      if (colon <= 0) throw new TypeError("the upstream sent a malformed header line");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.push([name, value]);
      if (name === "content-length") {
        if (length !== undefined && length !== value) {
          throw new TypeError("the upstream sent conflicting content-lengths");
        }
        length = value;
      } else if (name === "transfer-encoding") chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      else if (name === "connection") {
        const tokens = value.toLowerCase();
        if (tokens.includes("close")) close = true;
        else if (status[1] === "0" && tokens.includes("keep-alive")) close = false;
      }
    }
    this.#keepAlive = !close;
    this.#events.head({ status: code, statusText: status[3] ?? "", headers });
    if (this.#bodyless || NO_BODY_STATUSES.has(code)) this.#phase = "done";
    else if (chunked) this.#phase = "chunk-size";
    else if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) throw new TypeError("the upstream sent a malformed content-length");
      this.#remaining = Number(length);
      this.#phase = this.#remaining === 0 ? "done" : "length";
    } else {
      this.#keepAlive = false;
      this.#phase = "until-close";
    }
  }
}

const CR = 13;
const LF = 10;

/** Where the CRLF ending the line at `from` starts, or -1. */
function lineEnd(bytes: Uint8Array, from: number): number {
  for (let index = from; index < bytes.length - 1; index++) {
    if (bytes[index] === CR && bytes[index + 1] === LF) return index;
  }
  return -1;
}

/** Where the CRLFCRLF ending the head at `from` starts, or -1. */
function headEnd(bytes: Uint8Array, from: number): number {
  for (let index = lineEnd(bytes, from); index >= 0; index = lineEnd(bytes, index + 2)) {
    if (bytes[index + 2] === CR && bytes[index + 3] === LF) return index;
  }
  return -1;
}

/** The hex size of a chunk-size line (extensions after `;` ignored); throws on anything else. */
function chunkSize(bytes: Uint8Array, from: number, to: number): number {
  let size = 0;
  let index = from;
  for (; index < to && index - from < 12; index++) {
    const byte = bytes[index] | 0x20; // lower case
    const digit = byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte >= 0x61 && byte <= 0x66 ? byte - 0x57 : -1;
    if (digit < 0) break;
    size = size * 16 + digit;
  }
  // Digits, then the end, or whitespace or an extension.
  const next = bytes[index];
  if (index === from || (index < to && next !== 0x3b && next !== 0x20 && next !== 0x09)) {
    throw new TypeError("the upstream's chunked body has a malformed chunk size");
  }
  return size;
}

const ascii = new TextDecoder();

/** `bytes[from, to)` as Latin-1 text (each byte one character, as HTTP heads are read). */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  // Heads are ASCII but for the odd header value: decode natively, and byte by byte only then.
  const text = ascii.decode(view(bytes, from, to));
  if (isAscii(text)) return text;
  let latin = "";
  for (let at = from; at < to; at += 4096) {
    latin += String.fromCharCode(...view(bytes, at, Math.min(to, at + 4096)));
  }
  return latin;
}

/**
 * Whether `text` is all ASCII: where UTF-8 and Latin-1 write and read it alike, as an
 * HTTP head mostly is.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { isAscii } from "./response_parser.ts";
 * equal(isAscii("content-type: text/plain"), true);
 * equal(isAscii("x-name: café"), false);
 * ```
 */
export function isAscii(text: string): boolean {
  return !NOT_ASCII.test(text);
}

const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * `bytes[from, to)` as a plain `Uint8Array` view, whatever `bytes` is: the connection reads
 * node `Buffer`s, whose `subarray` builds a `Buffer`, slowly on Deno. One view per body
 * slice is the only typed array a read costs (V8 takes microseconds to make one).
 */
function view(bytes: Uint8Array, from: number, to: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + from, to - from);
}

/** The byte arrays as one. */
function joined(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}
