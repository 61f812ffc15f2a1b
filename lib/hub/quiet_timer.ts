/** Checks per period: a stream is found quiet within a quarter period of the limit. */
const CHECKS_PER_PERIOD = 4;

/**
 * Notices when something has been quiet for `ms`, for idle limits and keep-alives, at the
 * cost of one assignment per {@link QuietTimer.touch}: no clock is read per event (a clock
 * read costs about a microsecond on Bun here, more than the rest of an event's path). It
 * checks every `ms / 4`, so `onQuiet` runs after between `ms` and `1.25 × ms` of quiet;
 * it keeps watching after that unless stopped.
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
  #touched = false;
  #quietChecks = 0;
  readonly #interval: ReturnType<typeof setInterval>;

  /** Starts watching; `onQuiet` is called each time `ms` passed without a touch. */
  constructor(ms: number, onQuiet: () => void) {
    this.#interval = setInterval(() => {
      if (this.#touched) {
        this.#touched = false;
        this.#quietChecks = 0;
      } else if (++this.#quietChecks >= CHECKS_PER_PERIOD) {
        this.#quietChecks = 0;
        onQuiet();
      }
    }, ms / CHECKS_PER_PERIOD);
  }

  /** Something happened: the quiet starts over. */
  touch(): void {
    this.#touched = true;
  }

  /** Stops watching. */
  stop(): void {
    clearInterval(this.#interval);
  }
}
