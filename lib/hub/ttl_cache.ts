/**
 * A small async cache: one load in flight per key (concurrent callers share it), values
 * kept for `ttlMs`, failed loads not kept.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { TtlCache } from "./ttl_cache.ts";
 * const cache = new TtlCache<string, number>(60_000);
 * let loads = 0;
 * const load = () => Promise.resolve(++loads);
 * await Promise.all([cache.get("a", load), cache.get("a", load)]);
 * equal(loads, 1);
 * ```
 */
export class TtlCache<K, V> {
  readonly #ttlMs: number;
  readonly #entries = new Map<K, { value: Promise<V>; expires: number }>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** The cached value for `key`, loading it with `load` when missing or expired. */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry && entry.expires > now) return entry.value;
    const value = load();
    this.#entries.set(key, { value, expires: now + this.#ttlMs });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    return value;
  }

  /** Replaces the value for `key` (e.g. after learning the upstream's real limits). */
  set(key: K, value: V): void {
    this.#entries.set(key, { value: Promise.resolve(value), expires: Date.now() + this.#ttlMs });
  }
}
