/**
 * Waits `ms` milliseconds (`Infinity`: until aborted), or less if `signal` aborts; never
 * rejects, and leaves no timer or listener behind.
 *
 * @example
 * ```ts
 * import { sleep } from "./sleep.ts";
 * const stop = new AbortController();
 * setTimeout(() => stop.abort(), 5);
 * await sleep(Infinity, stop.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    if (signal?.aborted) return done();
    signal?.addEventListener("abort", done, { once: true });
  });
}
