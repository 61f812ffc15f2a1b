/** Checks per period: a stream is found quiet within a quarter period of the limit. */
const CHECKS_PER_PERIOD = 4;

/** The timers checked on one interval: every {@link QuietTimer} of the same period. */
interface Ticker {
  readonly timers: Set<QuietTimer>;
  readonly interval: ReturnType<typeof setInterval>;
  /** Checks in a row that found no timer: the interval ends after a period of them. */
  idleChecks: number;
}

/**
 * Notices when something has been quiet for `ms`, for idle limits and keep-alives, at the
 * cost of one assignment per {@link QuietTimer.touch}: no clock is read per event (a clock
 * read costs about a microsecond on Bun here, more than the rest of an event's path). It
 * checks every `ms / 4`, so `onQuiet` runs after between `ms` and `1.25 × ms` of quiet;
 * it keeps watching after that unless stopped. Timers of the same period share one
 * interval, so ten thousand open streams cost no more timers than one. An interval left
 * without timers runs on unreferenced for one more period before it ends: requests one at
 * a time (one user's agent) reuse it instead of starting and clearing one each, and it
 * keeps neither the process nor a test waiting.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { QuietTimer } from "./quiet_timer.ts";
 * let quiet = 0;
 * const timer = new QuietTimer(40, () => quiet++);
 * await new Promise((resolve) => setTimeout(resolve, 120));
 * timer.stop();
 * ok(quiet >= 1 && quiet <= 3);
 * ```
 */
export class QuietTimer {
  static readonly #tickers = new Map<number, Ticker>();
  /** Starts touched: the shared interval's first check may come at once, and the quiet starts now. */
  #touched = true;
  #quietChecks = 0;
  readonly #period: number;
  readonly #onQuiet: () => void;

  /** Starts watching; `onQuiet` is called each time `ms` passed without a touch. */
  constructor(ms: number, onQuiet: () => void) {
    this.#period = ms / CHECKS_PER_PERIOD;
    this.#onQuiet = onQuiet;
    let ticker = QuietTimer.#tickers.get(this.#period);
    if (!ticker) QuietTimer.#tickers.set(this.#period, ticker = QuietTimer.#ticker(this.#period));
    else if (!ticker.timers.size) ticker.interval.ref();
    ticker.timers.add(this);
  }

  /** Something happened: the quiet starts over. */
  touch(): void {
    this.#touched = true;
  }

  /** Stops watching. */
  stop(): void {
    const ticker = QuietTimer.#tickers.get(this.#period);
    if (ticker?.timers.delete(this) && !ticker.timers.size) ticker.interval.unref();
  }

  #check(): void {
    if (this.#touched) {
      this.#touched = false;
      this.#quietChecks = 0;
    } else if (++this.#quietChecks >= CHECKS_PER_PERIOD) {
      this.#quietChecks = 0;
      this.#onQuiet();
    }
  }

  /**
   * One interval checking every timer of `period`, ended after a period without any; a
   * timer whose `onQuiet` throws does not keep the others unchecked.
   */
  static #ticker(period: number): Ticker {
    const timers = new Set<QuietTimer>();
    const interval = setInterval(() => {
      if (timers.size) ticker.idleChecks = 0;
      else if (++ticker.idleChecks >= CHECKS_PER_PERIOD) {
        clearInterval(interval);
        QuietTimer.#tickers.delete(period);
      }
      for (const timer of timers) {
        try {
          timer.#check();
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }, period);
    const ticker: Ticker = { timers, interval, idleChecks: 0 };
    return ticker;
  }
}
