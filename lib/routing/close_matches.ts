/**
 * The candidates closest to `target` by edit distance (case-insensitive), best first, for
 * "did you mean" lists; ties keep the candidates' order.
 *
 * @example
 * ```ts
 * import { closeMatches } from "./close_matches.ts";
 * console.assert(closeMatches("cody-sonet", ["cody-opus", "cody-sonnet", "gpt-4o"])[0] === "cody-sonnet");
 * ```
 */
export function closeMatches(target: string, candidates: readonly string[], count = 3): string[] {
  const wanted = target.toLowerCase();
  return candidates
    .map((candidate, order) => ({ candidate, order, distance: editDistance(wanted, candidate.toLowerCase()) }))
    .filter(({ candidate, distance }) => distance <= Math.max(wanted.length, candidate.length) * 0.6)
    .sort((a, b) => a.distance - b.distance || a.order - b.order)
    .slice(0, count)
    .map(({ candidate }) => candidate);
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
