/**
 * Keeps the start of a request body for the log while the route reads it, so logging a
 * body costs no second read and no second copy, and the route's body limit still holds.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { BodyTap } from "./body_tap.ts";
 * const tap = new BodyTap(new Request("http://relay/", { method: "POST", body: "0123456789" }), 4);
 * equal((await tap.request.text()), "0123456789");
 * equal(tap.describe((text) => text), "0123… (10 bytes; first 4 characters logged)");
 * ```
 */
export class BodyTap {
  /** The request to hand the route: the same request, its body passing through the tap. */
  readonly request: Request;
  readonly #capture: number;
  readonly #margin: number;
  readonly #kept: Uint8Array[] = [];
  #keptBytes = 0;
  #readBytes = 0;
  #end: "reading" | "read" | "cancelled" = "reading";

  /**
   * Taps `request`'s body, keeping its first `capture` bytes plus `margin` more, so a
   * secret that straddles the cut is whole when it is redacted.
   */
  constructor(request: Request, capture: number, margin = 1024) {
    this.#capture = capture;
    this.#margin = margin;
    const body = request.body?.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          this.#keep(chunk);
          controller.enqueue(chunk);
        },
        flush: () => void (this.#end = "read"),
        cancel: () => void (this.#end = "cancelled"),
      }),
    );
    this.request = body ? new Request(request, { body, duplex: "half" } as RequestInit) : request;
  }

  /** Whether the route read any of the body. */
  get touched(): boolean {
    return this.#readBytes > 0;
  }

  /**
   * What the route read, for the log: the kept text with `redact` applied, cut at the
   * capture size, and a note of the size when it was cut or the route stopped reading.
   */
  describe(redact: (text: string) => string): string {
    const text = redact(new TextDecoder().decode(concat(this.#kept)));
    const whole = this.#end === "read" && this.#readBytes <= this.#capture;
    if (whole) return text;
    const size = this.#end === "read" ? `${this.#readBytes} bytes` : `${this.#readBytes} bytes read, then refused`;
    return `${text.slice(0, this.#capture)}… (${size}; first ${this.#capture} characters logged)`;
  }

  #keep(chunk: Uint8Array): void {
    this.#readBytes += chunk.byteLength;
    const room = this.#capture + this.#margin - this.#keptBytes;
    if (room <= 0) return;
    const kept = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    this.#kept.push(kept.slice());
    this.#keptBytes += kept.byteLength;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
