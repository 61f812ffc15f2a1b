/**
 * A cap on the connections being established at once to one origin, so that a burst of
 * requests (thousands of streams opened together) does not queue thousands of TCP and TLS
 * handshakes at the upstream's listen backlog, where they time out. Requests over the cap
 * wait their turn in order.
 *
 * @module
 */

/** A turn through the gate: call it once the connection is established, failed, or was not needed. */
export type Leave = () => void;

/**
 * Lets at most `limit` callers through at once; the others wait in order until one
 * leaves. A caller whose signal aborts before its turn is rejected with the signal's
 * reason and takes no turn.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { ConnectGate } from "./connect_gate.ts";
 * const gate = new ConnectGate(1);
 * const leave = await gate.enter();
 * let second = false;
 * const waiting = gate.enter().then((leaveToo) => {
 *   second = true;
 *   leaveToo();
 * });
 * await Promise.resolve();
 * equal(second, false);
 * leave();
 * await waiting;
 * equal(second, true);
 * equal(gate.inside, 0);
 * ```
 */
export class ConnectGate {
  /** Callers let through at once. */
  readonly limit: number;
  #inside = 0;
  readonly #waiting = new Set<() => void>();

  /** A gate letting `limit` callers through at once. */
  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError(`a connect gate lets at least 1 connection through, not ${limit}`);
    this.limit = limit;
  }

  /** Callers through the gate that have not left yet. */
  get inside(): number {
    return this.#inside;
  }

  /** Resolves with how to leave once it is this caller's turn (at once while under the limit). */
  enter(signal?: AbortSignal): Promise<Leave> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#inside < this.limit) return Promise.resolve(this.#admit());
    return new Promise<Leave>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener("abort", abort);
        resolve(this.#admit());
      };
      const abort = () => {
        this.#waiting.delete(turn);
        reject(signal!.reason);
      };
      this.#waiting.add(turn);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  #admit(): Leave {
    this.#inside++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#inside--;
      const [next] = this.#waiting;
      if (next) {
        this.#waiting.delete(next);
        next();
      }
    };
  }
}
