/**
 * The candidates closest to `target` by edit distance (case-insensitive), best first, for
 * "did you mean" lists; ties keep the candidates' order. A candidate is also judged by its
 * model name alone (after the last `::` or `/`), so `claude-sonet-4` finds
 * `anthropic::2024-10-22::claude-sonnet-4-latest`.
 *
 * @example
 * ```ts
 * import { closeMatches } from "./close_matches.ts";
 * console.assert(closeMatches("cody-sonet", ["cody-opus", "cody-sonnet", "gpt-4o"])[0] === "cody-sonnet");
 * console.assert(closeMatches("gpt-4.1", ["openai::v1::gpt-4.1-mini", "cody-gpt4"])[0] === "openai::v1::gpt-4.1-mini");
 * ```
 */
export function closeMatches(target: string, candidates: readonly string[], count = 3): string[] {
  const wanted = target.toLowerCase();
  return candidates
    .map((candidate, order) => ({ candidate, order, ...closeness(wanted, candidate.toLowerCase()) }))
    .filter(({ distance, length }) => distance <= Math.max(wanted.length, length) * 0.6)
    .sort((a, b) => a.distance - b.distance || a.order - b.order)
    .slice(0, count)
    .map(({ candidate }) => candidate);
}

/** The distance to a candidate or to its model name, whichever is closer, with the length it was measured on. */
function closeness(wanted: string, candidate: string): { distance: number; length: number } {
  const name = candidate.slice(Math.max(candidate.lastIndexOf("::") + 2, candidate.lastIndexOf("/") + 1));
  const whole = { distance: editDistance(wanted, candidate), length: candidate.length };
  if (name === candidate) return whole;
  const named = { distance: editDistance(wanted, name), length: name.length };
  return named.distance < whole.distance ? named : whole;
}

/** Levenshtein distance, with a substring counting as close as its length difference. */
function editDistance(a: string, b: string): number {
  if (a.includes(b) || b.includes(a)) return Math.abs(a.length - b.length) / 2;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
