/**
 * Reads the first chunk of a stream and hands back a stream that still yields it.
 * Lets the server wait for the upstream's first event before committing to a status.
 *
 * @example
 * ```ts
 * import { peekFirst } from "./peek.ts";
 * const { first, rest } = await peekFirst(ReadableStream.from([1, 2, 3]));
 * console.assert(first === 1);
 * console.assert((await Array.fromAsync(rest)).length === 3);
 * ```
 */
export async function peekFirst<T>(
  source: ReadableStream<T>,
): Promise<{ first: T | undefined; rest: ReadableStream<T> }> {
  const reader = source.getReader();
  const head = await reader.read();
  const first = head.done ? undefined : head.value;
  let replay = !head.done;
  const rest = new ReadableStream<T>({
    async pull(controller) {
      if (replay) {
        replay = false;
        controller.enqueue(first as T);
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { first, rest };
}
