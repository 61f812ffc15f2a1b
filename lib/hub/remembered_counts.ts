/**
 * Token counts remembered for the texts they were counted for, per client.
 *
 * @module
 */

/**
 * Exact token counts of long texts counted lately, kept apart for each scope (a client:
 * a remembered count answers faster than a fresh one, so a shared one would let a client
 * time `count_tokens` to learn whether another sent a text), the least recently used
 * forgotten first once the texts kept pass `maxChars` characters. Texts shorter than
 * `minChars` are cheaper to count again than to keep.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { RememberedCounts } from "./remembered_counts.ts";
 * const counts = new RememberedCounts(4, 1000);
 * counts.remember("alice", "hello world", 2);
 * equal(counts.recall("alice", "hello world"), 2);
 * equal(counts.recall("bob", "hello world"), undefined);
 * ```
 */
export class RememberedCounts {
  readonly #minChars: number;
  readonly #maxChars: number;
  /** Per scope, its texts' counts, both in the order of their last use (oldest first). */
  readonly #scopes = new Map<string, Map<string, number>>();
  #chars = 0;

  /** Remembers texts of `minChars` to `maxChars / 8` characters, `maxChars` of them in all. */
  constructor(minChars: number, maxChars: number) {
    this.#minChars = minChars;
    this.#maxChars = maxChars;
  }

  /** The count remembered for `text` in `scope`, which becomes the most recently used. */
  recall(scope: string, text: string): number | undefined {
    if (text.length < this.#minChars) return undefined;
    const counts = this.#scopes.get(scope);
    const count = counts?.get(text);
    if (count === undefined) return undefined;
    this.#touch(scope, counts!);
    counts!.delete(text);
    counts!.set(text, count);
    return count;
  }

  /** Remembers `count` for `text` in `scope`, forgetting the least recently used beyond the limit. */
  remember(scope: string, text: string, count: number): void {
    if (text.length < this.#minChars || text.length > this.#maxChars / 8) return;
    const counts = this.#scopes.get(scope) ?? new Map<string, number>();
    if (counts.has(text)) return;
    this.#touch(scope, counts);
    counts.set(text, count);
    this.#chars += text.length;
    for (const [oldScope, oldCounts] of this.#scopes) {
      for (const old of oldCounts.keys()) {
        if (this.#chars <= this.#maxChars) return;
        oldCounts.delete(old);
        this.#chars -= old.length;
      }
      this.#scopes.delete(oldScope);
    }
  }

  /** Makes `scope` the most recently used. */
  #touch(scope: string, counts: Map<string, number>): void {
    this.#scopes.delete(scope);
    this.#scopes.set(scope, counts);
  }
}
