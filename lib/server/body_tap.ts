import { concatBytes } from "./concat_bytes.ts";

/**
 * Keeps the start of a body for the log while its reader reads it (a route reading the
 * request, or the client reading the answer), so logging a body costs no second read and
 * no second copy, and the route's body limit still holds.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { BodyTap } from "./body_tap.ts";
 * const tap = new BodyTap(new Request("http://relay/", { method: "POST", body: "0123456789" }).body, 4);
 * equal(await new Response(tap.body).text(), "0123456789");
 * equal(tap.describe((text) => text), "0123… (10 bytes; first 4 characters logged)");
 * ```
 */
export class BodyTap {
  /** The body to hand on: the same bytes, passing through the tap (null for none). */
  readonly body: ReadableStream<Uint8Array> | null;
  readonly #capture: number;
  readonly #margin: number;
  readonly #kept: Uint8Array[] = [];
  #keptBytes = 0;
  #readBytes = 0;
  #end: "reading" | "read" | "cancelled" = "reading";

  /**
   * Taps `body`, keeping its first `capture` bytes plus `margin` more, so a secret that
   * straddles the cut is whole when it is redacted.
   */
  constructor(body: ReadableStream<Uint8Array> | null, capture: number, margin = 1024) {
    this.#capture = capture;
    this.#margin = margin;
    this.body = body?.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          this.#keep(chunk);
          controller.enqueue(chunk);
        },
        flush: () => void (this.#end = "read"),
        cancel: () => void (this.#end = "cancelled"),
      }),
    ) ?? null;
  }

  /** Whether any of the body was read. */
  get touched(): boolean {
    return this.#readBytes > 0;
  }

  /**
   * What was read, for the log: the kept text with `redact` applied, cut at the capture
   * size, and a note of the size when it was cut or the reader stopped reading.
   */
  describe(redact: (text: string) => string): string {
    const text = redact(new TextDecoder().decode(concatBytes(this.#kept)));
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
