/**
 * A promise settled from outside, once, that lets go of its resolvers when it settles.
 *
 * @module
 */

/** A promise and the one-shot functions that settle it. */
export interface SettleOnce<T> {
  /** Settled by the first of {@link SettleOnce.resolve} and {@link SettleOnce.reject}. */
  readonly promise: Promise<T>;
  /** Fulfils the promise, unless it settled already. */
  resolve(value: T): void;
  /** Rejects the promise, unless it settled already. */
  reject(error: unknown): void;
}

/**
 * A promise to settle from listeners that live longer than it matters (a whole streamed
 * answer): the first outcome wins, later ones are ignored, and the resolvers are let go at
 * once. Give the listeners `resolve` and `reject` only, not the promise, which holds its
 * value. (`Promise.withResolvers` keeps its resolvers, and Node 20, where the bundle
 * runs, does not have it.)
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { settleOnce } from "./settle_once.ts";
 * const { promise, resolve, reject } = settleOnce<number>();
 * resolve(1);
 * reject(new Error("too late"));
 * equal(await promise, 1);
 * ```
 */
export function settleOnce<T>(): SettleOnce<T> {
  let pending: { resolve(value: T): void; reject(error: unknown): void } | undefined;
  const promise = new Promise<T>((resolve, reject) => pending = { resolve, reject });
  const take = () => {
    const taken = pending;
    pending = undefined;
    return taken;
  };
  return {
    promise,
    resolve: (value) => take()?.resolve(value),
    reject: (error) => take()?.reject(error),
  };
}
