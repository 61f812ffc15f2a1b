import type { ResponseStore, StoredResponse } from "./store.ts";

/** Limits of a {@link MemoryResponseStore}. */
export interface MemoryStoreOptions {
  /** The most responses kept; the oldest go first. @default 1000 */
  maxCount?: number;
  /** The most bytes of JSON kept; the oldest go first. @default 64 MiB */
  maxBytes?: number;
  /** How long a response is kept. @default 24 hours */
  ttlMs?: number;
  /** The clock. @default Date.now */
  now?: () => number;
}

interface Entry {
  json: string;
  expires: number;
}

/**
 * Stored responses in this process's memory, the default: bounded by count and bytes (the
 * oldest go first) and expiring. Records are kept as JSON, so nothing a caller holds can
 * change them, and their size is known.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { MemoryResponseStore } from "./memory_store.ts";
 * import type { StoredResponse } from "./store.ts";
 * const store = new MemoryResponseStore({ maxCount: 1 });
 * const record = (id: string) => ({ response: { id }, input: [] }) as unknown as StoredResponse;
 * await store.put("scope", record("resp_1"));
 * await store.put("scope", record("resp_2"));
 * equal(await store.get("scope", "resp_1"), undefined);
 * equal((await store.get("scope", "resp_2"))?.response.id, "resp_2");
 * ```
 */
export class MemoryResponseStore implements ResponseStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxCount: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #bytes = 0;

  /** Creates an empty store. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#maxCount = options.maxCount ?? 1000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** How many responses are kept (expired ones included until they are next looked at). */
  get size(): number {
    return this.#entries.size;
  }

  /** How many bytes of JSON are kept. */
  get bytes(): number {
    return this.#bytes;
  }

  put(scope: string, record: StoredResponse): Promise<boolean> {
    const key = `${scope}:${record.response.id}`;
    const json = JSON.stringify(record);
    if (json.length > this.#maxBytes) return Promise.resolve(false);
    this.#remove(key);
    this.#entries.set(key, { json, expires: this.#now() + this.#ttlMs });
    this.#bytes += json.length;
    this.#evict();
    return Promise.resolve(true);
  }

  get(scope: string, id: string): Promise<StoredResponse | undefined> {
    const key = `${scope}:${id}`;
    const entry = this.#entries.get(key);
    if (entry && entry.expires <= this.#now()) this.#remove(key);
    else if (entry) return Promise.resolve(JSON.parse(entry.json));
    return Promise.resolve(undefined);
  }

  delete(scope: string, id: string): Promise<boolean> {
    return Promise.resolve(this.#remove(`${scope}:${id}`));
  }

  close(): Promise<void> {
    this.#entries.clear();
    this.#bytes = 0;
    return Promise.resolve();
  }

  #remove(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    this.#bytes -= entry.json.length;
    return true;
  }

  /** Drops expired entries, then the oldest until the limits hold. */
  #evict(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      const over = this.#entries.size > this.#maxCount || this.#bytes > this.#maxBytes;
      if (entry.expires <= now || over) this.#remove(key);
      else if (!over) break;
    }
  }
}
