import { createHash, timingSafeEqual } from "node:crypto";

/**
 * The relay's own API keys ("gateway keys"): when set, every client must present one. Keys
 * are kept only as SHA-256 digests and compared in constant time, so neither timing nor a
 * heap dump gives one away.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { GatewayKeys } from "./gateway_keys.ts";
 * const keys = new GatewayKeys(["relay-key-1"]);
 * ok(keys.accepts("relay-key-1") && !keys.accepts("relay-key-2") && !keys.accepts(undefined));
 * ```
 */
export class GatewayKeys {
  readonly #digests: Uint8Array[];

  /** Takes the accepted keys; empty ones are refused. */
  constructor(keys: readonly string[]) {
    if (keys.some((key) => !key.trim())) throw new TypeError("gateway keys must not be empty");
    this.#digests = keys.map(digest);
  }

  /** Whether `key` is one of the accepted keys (every digest is compared, match or not). */
  accepts(key: string | undefined): boolean {
    if (!key) return false;
    const presented = digest(key);
    let accepted = false;
    for (const known of this.#digests) accepted = timingSafeEqual(known, presented) || accepted;
    return accepted;
  }
}

function digest(key: string): Uint8Array {
  return createHash("sha256").update(key).digest();
}
