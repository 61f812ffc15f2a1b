/** Percentiles of a sample, in the sample's unit. */
export interface Summary {
  /** Sample size. */
  n: number;
  /** Smallest value. */
  min: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** Largest value. */
  max: number;
}

/**
 * Nearest-rank percentiles (NaN for an empty sample).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { summarize } from "./stats.ts";
 * const summary = summarize([3, 1, 2, 4]);
 * ok(summary.p50 === 2 && summary.max === 4);
 * ```
 */
export function summarize(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const rank = (quantile: number) => sorted.length ? sorted[Math.max(0, Math.ceil(quantile * sorted.length) - 1)] : NaN;
  return {
    n: sorted.length,
    min: sorted.length ? sorted[0] : NaN,
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}
