import { modelSegment } from "../hub/model_names.ts";

/**
 * The candidates closest to `target` by edit distance (case-insensitive), best first, for
 * "did you mean" lists; ties keep the candidates' order. A candidate is also judged by its
 * model name alone (after the last `::` or `/`), so `claude-sonet-4` finds
 * `anthropic::2024-10-22::claude-sonnet-4-latest`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { closeMatches } from "./close_matches.ts";
 * equal(closeMatches("cody-sonet", ["cody-opus", "cody-sonnet", "gpt-4o"])[0], "cody-sonnet");
 * equal(closeMatches("gpt-4.1", ["openai::v1::gpt-4.1-mini", "cody-gpt4"])[0], "openai::v1::gpt-4.1-mini");
 * ```
 */
export function closeMatches(target: string, candidates: readonly string[], count = 3): string[] {
  if (target.length > MAX_TARGET_LENGTH) return [];
  const wanted = target.toLowerCase();
  return candidates
    .map((candidate, order) => ({ candidate, order, distance: closeness(wanted, candidate.toLowerCase()) }))
    .filter(({ distance }) => distance !== undefined)
    .sort((a, b) => a.distance! - b.distance! || a.order - b.order)
    .slice(0, count)
    .map(({ candidate }) => candidate);
}

/** Targets longer than this are no typo of any model id: they get no suggestions (and no work). */
const MAX_TARGET_LENGTH = 256;

/** How far a candidate may be to be suggested: 60% of the longer of the two lengths, and never more than {@link MAX_EDITS}. */
const CLOSE = 0.6;

/** More edits than this is no typo, however long the ids. */
const MAX_EDITS = 32;

/**
 * The distance to a candidate or to its model name, whichever is closer, when it is close
 * enough to suggest; undefined otherwise.
 */
function closeness(wanted: string, candidate: string): number | undefined {
  const name = modelSegment(candidate);
  const distances = [candidate, ...(name === candidate ? [] : [name])].map((text) =>
    editDistance(wanted, text, Math.min(MAX_EDITS, Math.floor(Math.max(wanted.length, text.length) * CLOSE)))
  ).filter((distance) => distance !== undefined);
  return distances.length ? Math.min(...distances) : undefined;
}

/**
 * Levenshtein distance up to `limit` (undefined beyond it), with a candidate that holds the
 * whole target counting as close as half their length difference. Cheap bounds first (the
 * length difference, the characters one has and the other lacks), then the table, left as
 * soon as a whole row exceeds the limit.
 */
function editDistance(target: string, candidate: string, limit: number): number | undefined {
  if (candidate.includes(target)) return (candidate.length - target.length) / 2;
  if (Math.abs(target.length - candidate.length) > limit || unshared(target, candidate) > limit) return undefined;
  let previous = Array.from({ length: candidate.length + 1 }, (_, index) => index);
  let current = new Array<number>(candidate.length + 1);
  for (let i = 1; i <= target.length; i++) {
    current[0] = i;
    let best = i;
    for (let j = 1; j <= candidate.length; j++) {
      const substitution = previous[j - 1] + (target[i - 1] === candidate[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      best = Math.min(best, current[j]);
    }
    if (best > limit) return undefined;
    [previous, current] = [current, previous];
  }
  return previous[candidate.length] <= limit ? previous[candidate.length] : undefined;
}

/** A lower bound of the edit distance: the characters (with repeats) one string has beyond the other, the larger side. */
function unshared(a: string, b: string): number {
  const counts = new Map<string, number>();
  for (const char of a) counts.set(char, (counts.get(char) ?? 0) + 1);
  for (const char of b) counts.set(char, (counts.get(char) ?? 0) - 1);
  let more = 0;
  let fewer = 0;
  for (const count of counts.values()) {
    if (count > 0) more += count;
    else fewer -= count;
  }
  return Math.max(more, fewer);
}
