/**
 * Reads the first chunk of a stream and hands back a stream that still yields it.
 * Lets the server wait for the upstream's first event before committing to a status.
 * With `maxWaitMs`, it stops waiting after that long: `first` is then undefined,
 * `pending` is true, and `rest` yields the first chunk when it comes.
 *
 * @example
 * ```ts
 * import { peekFirst } from "./peek.ts";
 * const { first, rest } = await peekFirst(ReadableStream.from([1, 2, 3]));
 * console.assert(first === 1);
 * console.assert((await Array.fromAsync(rest)).length === 3);
 * const slow = await peekFirst(new ReadableStream({ start(c) { setTimeout(() => { c.enqueue(1); c.close(); }, 50); } }), 1);
 * console.assert(slow.pending && (await Array.fromAsync(slow.rest))[0] === 1);
 * ```
 */
export async function peekFirst<T>(
  source: ReadableStream<T>,
  maxWaitMs?: number,
): Promise<{ first: T | undefined; rest: ReadableStream<T>; pending: boolean }> {
  const reader = source.getReader();
  let head: Promise<ReadableStreamReadResult<T>> | undefined = reader.read();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = maxWaitMs === undefined ? await head : await Promise.race([
    head,
    new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), maxWaitMs)),
  ]);
  clearTimeout(timer);
  const rest = new ReadableStream<T>({
    async pull(controller) {
      const { done, value } = await (head ?? reader.read());
      head = undefined;
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { first: result && !result.done ? result.value : undefined, rest, pending: !result };
}
