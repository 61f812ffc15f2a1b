import type { RelayEvent } from "./events.ts";
import { RelayError } from "./errors.ts";

/**
 * Turns a failure of `source` (a dropped connection, a decoder bug) into a final `error`
 * event, so the front can tell the client instead of the response just breaking off.
 * Pull-based: backpressure and cancellation pass straight through to `source`.
 *
 * @example
 * ```ts
 * import { catchErrors } from "./catch_errors.ts";
 * import type { RelayEvent } from "./events.ts";
 * const failing = new ReadableStream<RelayEvent>({
 *   start(controller) {
 *     controller.enqueue({ type: "text", text: "Hel" });
 *     controller.error(new Error("connection reset"));
 *   },
 * });
 * const events = await Array.fromAsync(catchErrors(failing));
 * console.assert(events.at(-1)?.type === "error");
 * ```
 */
export function catchErrors(
  source: ReadableStream<RelayEvent>,
  describe: (error: unknown) => RelayError = describeStreamFailure,
): ReadableStream<RelayEvent> {
  const reader = source.getReader();
  return new ReadableStream<RelayEvent>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.enqueue({ type: "error", error: describe(error) });
        controller.close();
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * A stream failure as a `RelayError`: kept if it already is one, else a 502 saying the
 * upstream stream failed and why.
 *
 * @example
 * ```ts
 * import { describeStreamFailure } from "./catch_errors.ts";
 * console.assert(describeStreamFailure(new Error("reset")).status === 502);
 * ```
 */
export function describeStreamFailure(error: unknown): RelayError {
  if (error instanceof RelayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RelayError(502, `upstream stream failed: ${message}`, { cause: error });
}
