/**
 * One-shot time limits that share one runtime timer per duration.
 *
 * @module
 */

/** The longest wait a runtime timer takes (2³¹ − 1 ms); a longer one fires at once. A later deadline waits in steps of it. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** The deadlines of one duration, in the order they were set (so also the order they expire in). */
class DeadlineList {
  head?: Deadline;
  tail?: Deadline;
  timer?: ReturnType<typeof setTimeout>;

  constructor(readonly ms: number) {}
}

/**
 * Calls `onExpire` once `ms` milliseconds have passed, unless cancelled first: a time
 * limit of a request. Deadlines of the same duration expire in the order they were set,
 * so they wait in one list behind one runtime timer, armed for the first of them: setting
 * or cancelling one is a few assignments. Three runtime timers per request (Deno's
 * node-compatible `Timeout`s) were about 5% of the relay's busy time per one-body stream in
 * a CPU profile (`bench/README.md`). A list left empty keeps its timer, unreferenced, until
 * it goes off: requests one at a time (one user's agent) reuse it instead of making and
 * clearing one each, and an empty list keeps neither the process nor a test waiting.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Deadline } from "./deadline.ts";
 * let expired = 0;
 * new Deadline(10, () => expired++);
 * new Deadline(10, () => expired++).cancel();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * equal(expired, 1);
 * ```
 */
export class Deadline {
  static readonly #lists = new Map<number, DeadlineList>();
  #list?: DeadlineList;
  #previous?: Deadline;
  #next?: Deadline;
  readonly #due: number;
  readonly #onExpire: () => void;

  /** Starts the clock: `onExpire` runs after `ms` milliseconds. */
  constructor(ms: number, onExpire: () => void) {
    this.#due = performance.now() + ms;
    this.#onExpire = onExpire;
    let list = Deadline.#lists.get(ms);
    if (!list) Deadline.#lists.set(ms, list = new DeadlineList(ms));
    this.#list = list;
    if (list.tail) {
      list.tail.#next = this;
      this.#previous = list.tail;
      list.tail = this;
    } else {
      list.head = list.tail = this;
      // A timer left from an earlier deadline goes off no later than this one is due: it then waits for this one.
      if (list.timer) list.timer.ref();
      else list.timer = Deadline.#arm(list, ms);
    }
  }

  /** Stops the clock; `onExpire` will not run. Cancelling again, or after it ran, does nothing. */
  cancel(): void {
    const list = this.#list;
    if (!list) return;
    this.#unlink(list);
    // The timer may wake for a deadline no longer there; it then waits for the next, or ends the list.
    if (!list.head) list.timer?.unref();
  }

  #unlink(list: DeadlineList): void {
    if (this.#previous) this.#previous.#next = this.#next;
    else list.head = this.#next;
    if (this.#next) this.#next.#previous = this.#previous;
    else list.tail = this.#previous;
    this.#list = this.#previous = this.#next = undefined;
  }

  static #arm(list: DeadlineList, ms: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => Deadline.#expire(list), Math.min(Math.max(0, ms), LONGEST_TIMER_MS));
  }

  /** Runs every deadline of `list` that is due, then waits for the next; one that throws does not hold up the rest. */
  static #expire(list: DeadlineList): void {
    list.timer = undefined;
    const now = performance.now();
    for (let deadline = list.head; deadline && deadline.#due <= now; deadline = list.head) {
      deadline.#unlink(list);
      try {
        deadline.#onExpire();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    if (list.head) list.timer ??= Deadline.#arm(list, Math.ceil(list.head.#due - now));
    else if (Deadline.#lists.get(list.ms) === list) Deadline.#lists.delete(list.ms);
  }
}
