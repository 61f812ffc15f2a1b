/**
 * An HTTP/1.1 response read from a connection's bytes: the head, then the body by its
 * framing (`content-length`, `transfer-encoding: chunked`, or until the connection
 * closes), with no promise or stream per read. The client in `http1_fetch.ts` feeds it
 * each socket read.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** The most head bytes (status line and headers) a response may have: 64 KiB. */
export const MAX_HEAD_BYTES = 64 * 1024;

/** The longest chunk-size line (with any chunk extension) or trailer line: 4 KiB. */
const MAX_LINE_BYTES = 4 * 1024;

/** Statuses whose responses end with their head (RFC 9110: 204, 205 and 304; 101 hands the connection over). */
const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

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
  /** The body bytes of one {@link ResponseParser.push}: a view of the pushed bytes, or a copy where they were split. */
  body(bytes: Uint8Array): void;
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
  #partial: Buffer | undefined;
  /** Body bytes (or chunk bytes) still to come. */
  #remaining = 0;
  #keepAlive = true;
  /** Body slices of the current push. */
  #slices: Uint8Array[] = [];

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
    let bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let at = 0;
    while (at < bytes.length) {
      if (this.#partial) {
        // A head or line split across reads: read it again from its start.
        bytes = Buffer.concat([this.#partial, bytes.subarray(at)]);
        at = 0;
        this.#partial = undefined;
      }
      switch (this.#phase) {
        case "head": {
          const end = bytes.indexOf("\r\n\r\n", at, "latin1");
          if (end < 0) {
            this.#keep(bytes.subarray(at), MAX_HEAD_BYTES, "response head");
            return;
          }
          if (end - at > MAX_HEAD_BYTES) {
            throw new TypeError(`the upstream's response head is over ${MAX_HEAD_BYTES} bytes`);
          }
          this.#head(bytes.toString("latin1", at, end));
          at = end + 4;
          break;
        }
        case "length": {
          const take = Math.min(this.#remaining, bytes.length - at);
          this.#slices.push(bytes.subarray(at, at + take));
          at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#phase = "done";
          break;
        }
        case "until-close":
          this.#slices.push(bytes.subarray(at));
          at = bytes.length;
          break;
        case "chunk-size":
        case "chunk-end":
        case "trailer": {
          const line = this.#line(bytes, at);
          if (line === undefined) return this.#emit();
          at = line.next;
          this.#chunkLine(line.text);
          break;
        }
        case "chunk-data": {
          const take = Math.min(this.#remaining, bytes.length - at);
          this.#slices.push(bytes.subarray(at, at + take));
          at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#phase = "chunk-end";
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
    if (slices.length === 1) this.#events.body(slices[0]);
    else if (slices.length > 1) this.#events.body(Buffer.concat(slices));
    if (slices.length) this.#slices = [];
    if (this.#phase === "done") this.#events.end(this.#keepAlive);
  }

  /** Keeps an incomplete head or line for the next read, refusing one over `limit` bytes. */
  #keep(bytes: Buffer, limit: number, what: string): void {
    if (bytes.length > limit) throw new TypeError(`the upstream's ${what} is over ${limit} bytes`);
    this.#partial = Buffer.from(bytes);
  }

  /** The next CRLF-ended line from `at`, or undefined when it is not whole yet (kept for the next read). */
  #line(bytes: Buffer, at: number): { text: string; next: number } | undefined {
    const end = bytes.indexOf("\r\n", at, "latin1");
    if (end < 0) {
      this.#keep(bytes.subarray(at), MAX_LINE_BYTES, "chunk line");
      return undefined;
    }
    if (end - at > MAX_LINE_BYTES) throw new TypeError(`the upstream's chunk line is over ${MAX_LINE_BYTES} bytes`);
    return { text: bytes.toString("latin1", at, end), next: end + 2 };
  }

  /** A chunk-size line, the empty line after a chunk's data, or a trailer line. */
  #chunkLine(text: string): void {
    if (this.#phase === "chunk-end") {
      if (text !== "") throw new TypeError("the upstream's chunked body has a malformed chunk ending");
      this.#phase = "chunk-size";
    } else if (this.#phase === "trailer") {
      if (text === "") this.#phase = "done";
    } else {
      const size = text.split(";", 1)[0].trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(size)) {
        throw new TypeError("the upstream's chunked body has a malformed chunk size");
      }
      this.#remaining = parseInt(size, 16);
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
