/**
 * Where a continuation round meets the text already sent: drops what the model repeated.
 *
 * Rules (exact matching only, no fuzzy comparison):
 * 1. If the text sent so far is inside an open ``` fence and the continuation starts by
 *    opening a fence again, that opening line is dropped, so the answer stays one block.
 * 2. Leading whitespace of the continuation that repeats the whitespace the text already
 *    ended with is dropped (a prefill is sent with trailing whitespace trimmed, and models
 *    re-emit it).
 * 3. The longest prefix of the continuation that equals a suffix of the last
 *    {@link OVERLAP_WINDOW} characters already sent is dropped, if it is at least
 *    {@link MIN_OVERLAP} characters long or is the whole unfinished last line (a restarted
 *    line). Shorter coincidences ("a" after "a") are kept.
 *
 * Limits: a repeat that is not an exact copy (re-worded, re-indented), is longer than the
 * window, or starts after some new text is kept as it is.
 *
 * @module
 */

/** How far back (characters) a repeated tail is looked for. */
export const OVERLAP_WINDOW = 500;
/** Shortest repeat removed unless it is the whole unfinished last line. */
export const MIN_OVERLAP = 10;

const FENCE_LINE = /^\n*[ \t]*(`{3,}|~{3,})[^\n`]*\n/;

/**
 * Repairs one seam. Feed the continuation's text as it arrives with {@link Seam.push}; it
 * holds text back only while it could still be a repeat, then passes everything through.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Seam } from "./seam.ts";
 * const seam = new Seam("The quick brown fox jumps");
 * const out = seam.push("brown fox jumps over") + seam.end();
 * equal(out, " over");
 * ```
 */
export class Seam {
  readonly #tail: string;
  readonly #insideFence: boolean;
  #buffer = "";
  #decided = false;

  /** `sent` is everything the client has received so far in this answer. */
  constructor(sent: string) {
    this.#tail = sent.slice(-OVERLAP_WINDOW);
    this.#insideFence = isInsideFence(sent);
  }

  /** The part of `text` that can be sent now. */
  push(text: string): string {
    if (this.#decided) return text;
    this.#buffer += text;
    if (this.#couldGrow()) return "";
    return this.#decide();
  }

  /** Whatever was held back, repaired. Call when the round ends. */
  end(): string {
    return this.#decided ? "" : this.#decide();
  }

  /** The buffer without a re-opened fence line, or undefined while that line is incomplete. */
  #candidate(): string | undefined {
    if (!this.#insideFence) return this.#buffer;
    if (/^\s*[`~][^\n]*$/.test(this.#buffer)) return undefined;
    return this.#buffer.replace(FENCE_LINE, "");
  }

  /** True while the buffer may still turn out to be a repeat (or a fence line is incomplete). */
  #couldGrow(): boolean {
    const buffer = this.#candidate();
    if (buffer === undefined || !buffer.trim()) return true;
    for (let index = this.#tail.indexOf(buffer[0]); index >= 0; index = this.#tail.indexOf(buffer[0], index + 1)) {
      const suffix = this.#tail.slice(index);
      if (suffix.length > buffer.length && suffix.startsWith(buffer)) return true;
    }
    return false;
  }

  #decide(): string {
    this.#decided = true;
    let text = this.#candidate() ?? this.#buffer;
    this.#buffer = "";
    const trailingSpace = /\s*$/.exec(this.#tail)![0];
    let same = 0;
    while (same < trailingSpace.length && text[same] === trailingSpace[same]) same++;
    text = text.slice(same);
    const overlap = longestOverlap(this.#tail.slice(0, this.#tail.length - same), text);
    return text.slice(overlap);
  }
}

/** The length of the longest prefix of `text` that `sent` ends with, if it counts as a repeat. */
function longestOverlap(sent: string, text: string): number {
  const lastLine = sent.slice(sent.lastIndexOf("\n") + 1);
  for (let length = Math.min(sent.length, text.length); length > 0; length--) {
    if (!sent.endsWith(text.slice(0, length))) continue;
    if (length >= MIN_OVERLAP || (length === lastLine.length && lastLine.trim() !== "")) return length;
  }
  return 0;
}

/**
 * Whether `text` ends inside an unclosed ``` (or ~~~) fenced block.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { isInsideFence } from "./seam.ts";
 * ok(isInsideFence("x\n```ts\nconst a = 1;\n"));
 * ok(!isInsideFence("```ts\na\n```\n"));
 * ```
 */
export function isInsideFence(text: string): boolean {
  let open = false;
  for (const line of text.split("\n")) if (/^[ \t]*(`{3,}|~{3,})/.test(line)) open = !open;
  return open;
}
