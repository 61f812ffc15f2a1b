/**
 * The last hour of traffic, minute by minute, for the console's charts: requests by
 * outcome, time to first byte (p50 and p95, from a log-scale histogram), output tokens and
 * errors by kind. Sixty fixed slots, reused as the minutes pass: memory does not grow with
 * traffic.
 *
 * @module
 */
import type { RequestTrace } from "../trace.ts";

/** Minutes kept. */
const MINUTES = 60;

/** Time-to-first-byte buckets: each bound 25 % above the last, from 1 ms to about 21 minutes. */
const GROWTH = 1.25;
const BUCKETS = 64;

/** Distinct error kinds counted per minute; the rest count as `other`. */
const MAX_ERROR_KINDS = 12;

/** One minute of traffic. */
interface Minute {
  /** The minute's start, in milliseconds since the epoch. */
  start: number;
  outcomes: Map<string, number>;
  /** Counts per time-to-first-byte bucket (allocated with the first figure). */
  firstByte?: Uint32Array;
  tokensOut: number;
  errors: Map<string, number>;
}

/** The charts' data: one value per minute, oldest first. */
export interface TrafficSeries {
  /** Each minute's start, in milliseconds since the epoch. */
  minutes: number[];
  /** Requests ended per minute, by outcome (`completed`, `error`, `client_abort`, `timeout`, `shutdown`). */
  requests: Record<string, number[]>;
  /** Time to first byte in milliseconds: the median and the 95th percentile (null for a minute without figures). */
  firstByteMs: { p50: (number | null)[]; p95: (number | null)[] };
  /** Tokens written per minute (real or estimated). */
  tokensOut: number[];
  /** Failed requests per minute, by kind (the error's code, else `http_STATUS`). */
  errors: Record<string, number[]>;
}

/**
 * Requests counted into the minute they ended in, kept for an hour.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { TrafficHistory } from "./traffic_history.ts";
 * import { RequestTrace } from "../trace.ts";
 * const history = new TrafficHistory();
 * const trace = new RequestTrace();
 * trace.firstByteMs = 120;
 * trace.usage = { promptTokens: 10, completionTokens: 42 };
 * trace.end("completed");
 * history.add({ status: 200, trace }, 90_000);
 * const series = history.series(90_000);
 * equal(series.minutes.length, 60);
 * equal(series.requests.completed.at(-1), 1);
 * equal(series.tokensOut.at(-1), 42);
 * equal(series.firstByteMs.p50.at(-1)! >= 120 && series.firstByteMs.p50.at(-1)! < 150, true);
 * ```
 */
export class TrafficHistory {
  readonly #slots: (Minute | undefined)[] = new Array(MINUTES);

  /** Counts an ended request (its status and trace) into the minute of `now`. */
  add(request: { status: number; trace: RequestTrace }, now: number = Date.now()): void {
    const minute = this.#minute(now);
    const { trace, status } = request;
    const outcome = trace.outcome ?? "completed";
    minute.outcomes.set(outcome, (minute.outcomes.get(outcome) ?? 0) + 1);
    if (trace.firstByteMs !== undefined) {
      (minute.firstByte ??= new Uint32Array(BUCKETS))[bucketOf(trace.firstByteMs)]++;
    }
    minute.tokensOut += trace.usage?.completionTokens ?? 0;
    if (status >= 400 || outcome === "error" || outcome === "timeout") {
      const named = trace.error?.code ?? `http_${trace.error?.status ?? status}`;
      const kind = minute.errors.has(named) || minute.errors.size < MAX_ERROR_KINDS ? named : "other";
      minute.errors.set(kind, (minute.errors.get(kind) ?? 0) + 1);
    }
  }

  /** The hour up to `now`, one entry per minute (empty minutes as zeros and nulls). */
  series(now: number = Date.now()): TrafficSeries {
    const current = Math.floor(now / 60_000) * 60_000;
    const minutes = Array.from({ length: MINUTES }, (_, index) => current - (MINUTES - 1 - index) * 60_000);
    const slots = minutes.map((start) => {
      const slot = this.#slots[slotOf(start)];
      return slot?.start === start ? slot : undefined;
    });
    const byKey = (pick: (slot: Minute) => Map<string, number>) => {
      const keys = new Set(slots.flatMap((slot) => slot ? [...pick(slot).keys()] : []));
      return Object.fromEntries(
        [...keys].map((key) => [key, slots.map((slot) => slot ? pick(slot).get(key) ?? 0 : 0)]),
      );
    };
    return {
      minutes,
      requests: { completed: minutes.map(() => 0), ...byKey((slot) => slot.outcomes) },
      firstByteMs: {
        p50: slots.map((slot) => percentile(slot?.firstByte, 0.5)),
        p95: slots.map((slot) => percentile(slot?.firstByte, 0.95)),
      },
      tokensOut: slots.map((slot) => slot?.tokensOut ?? 0),
      errors: byKey((slot) => slot.errors),
    };
  }

  #minute(now: number): Minute {
    const start = Math.floor(now / 60_000) * 60_000;
    const index = slotOf(start);
    const slot = this.#slots[index];
    if (slot?.start === start) return slot;
    return this.#slots[index] = { start, outcomes: new Map(), tokensOut: 0, errors: new Map() };
  }
}

function slotOf(minuteStart: number): number {
  return (minuteStart / 60_000) % MINUTES;
}

/** The bucket of a time: the first whose bound (`GROWTH ** index` ms) is not below it. */
function bucketOf(ms: number): number {
  if (ms <= 1) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms) / Math.log(GROWTH)));
}

/** The bound of the bucket holding the `q` quantile (at most 25 % above the true figure), or null without figures. */
function percentile(counts: Uint32Array | undefined, q: number): number | null {
  if (!counts) return null;
  const total = counts.reduce((sum, count) => sum + count, 0);
  let seen = 0;
  for (const [index, count] of counts.entries()) {
    seen += count;
    if (seen >= q * total) return Math.round(GROWTH ** index);
  }
  return null;
}
