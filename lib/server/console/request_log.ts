/**
 * The console's memory of recent requests: a ring buffer of the last ones that ended, the
 * last hour's traffic per minute, and the consoles watching live. Recording an ended
 * request is one array write and a few counter updates; announcing one to consoles
 * happens only while one is open.
 *
 * @module
 */
import type { RequestTrace } from "../trace.ts";
import { TrafficHistory } from "./traffic_history.ts";

/** A request the relay answered, as the console keeps it: what the HTTP side saw, and its trace. */
export interface LoggedRequest {
  /** The request's `x-request-id`. */
  id: string;
  /** When it arrived, in milliseconds since the epoch. */
  receivedAt: number;
  /** The HTTP method. */
  method: string;
  /** The normalised path, without the query. */
  path: string;
  /** The client's `user-agent`, if it sent one. */
  client?: string;
  /** The status it was answered with. */
  status: number;
  /** What happened to it (complete once `trace.ended` resolved). */
  trace: RequestTrace;
}

/** What a watching console is told: a streamed answer started, or a request ended. */
export interface RequestChange {
  /** `started` (a streamed answer is under way) or `ended`. */
  kind: "started" | "ended";
  /** The request. */
  request: LoggedRequest;
}

/** Requests kept when no capacity is given. */
export const DEFAULT_CAPACITY = 500;

/**
 * The last `capacity` requests that ended (the oldest dropped), their traffic per minute
 * over the last hour, and the listeners (open consoles) told of each change.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { RequestLog } from "./request_log.ts";
 * import { RequestTrace } from "../trace.ts";
 * const log = new RequestLog(2);
 * const seen: string[] = [];
 * const stop = log.watch((change) => seen.push(`${change.kind} ${change.request.id}`));
 * for (const id of ["a", "b", "c"]) {
 *   const trace = new RequestTrace();
 *   trace.end("completed");
 *   log.ended({ id, receivedAt: Date.now(), method: "POST", path: "/v1/chat/completions", status: 200, trace });
 * }
 * stop();
 * equal(log.recent().map((request) => request.id).join(), "b,c");
 * equal(seen.join(), "ended a,ended b,ended c");
 * equal(log.watched, false);
 * ```
 */
export class RequestLog {
  /** How many ended requests are kept. */
  readonly capacity: number;
  /** Requests per minute over the last hour, for the charts. */
  readonly history: TrafficHistory = new TrafficHistory();
  readonly #ring: LoggedRequest[] = [];
  #next = 0;
  readonly #listeners = new Set<(change: RequestChange) => void>();

  /** Keeps the last `capacity` requests. */
  constructor(capacity: number = DEFAULT_CAPACITY) {
    if (!(capacity >= 1)) throw new RangeError(`a request log keeps at least 1 request, not ${capacity}`);
    this.capacity = capacity;
  }

  /** Whether a console is watching: only then is building a `started` change worth it. */
  get watched(): boolean {
    return this.#listeners.size > 0;
  }

  /** Tells the watching consoles that a streamed answer started (it is kept once it ended). */
  started(request: LoggedRequest): void {
    this.#tell({ kind: "started", request });
  }

  /** Keeps an ended request (dropping the oldest when full), counts it, and tells the watching consoles. */
  ended(request: LoggedRequest): void {
    if (this.#ring.length < this.capacity) this.#ring.push(request);
    else this.#ring[this.#next] = request;
    this.#next = (this.#next + 1) % this.capacity;
    this.history.add(request);
    this.#tell({ kind: "ended", request });
  }

  /** The kept requests, oldest first. */
  recent(): LoggedRequest[] {
    return this.#ring.length < this.capacity
      ? [...this.#ring]
      : [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }

  /** The kept request with this `x-request-id`. */
  find(id: string): LoggedRequest | undefined {
    return this.#ring.find((request) => request.id === id);
  }

  /** Calls `listener` with every change until the returned function is called. */
  watch(listener: (change: RequestChange) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #tell(change: RequestChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
