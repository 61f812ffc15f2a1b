/**
 * The shape of every stage of the relay: a synchronous core that takes one input at a time
 * and returns what goes on, with no promises and no I/O (the shape of `eventsource-parser`),
 * and its `TransformStream` for code that pipes streams. The server runs the cores of one
 * request as plain calls; embedders pipe the streams; both run the same code.
 *
 * @module
 */

/** A synchronous stage. */
export interface StageCore<I, O> {
  /** Takes one input and returns the outputs it makes now (often none, or one). */
  push(input: I): O[];
  /** No more input: the outputs still held back. */
  flush(): O[];
  /** True once the stage has ended its output (e.g. after a final event); later input is ignored. */
  readonly done?: boolean;
}

/**
 * A {@link StageCore} as a `TransformStream`. When the core is `done`, the stream ends
 * (and cancels what feeds it).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { CoreStream, type StageCore } from "./stage.ts";
 * const doubler: StageCore<number, number> = { push: (n) => [n, n], flush: () => [] };
 * const out = await Array.fromAsync(ReadableStream.from([1, 2]).pipeThrough(new CoreStream(doubler)));
 * deepEqual(out, [1, 1, 2, 2]);
 * ```
 */
export class CoreStream<I, O> extends TransformStream<I, O> {
  /** Runs `core` (one per stream). */
  constructor(core: StageCore<I, O>) {
    super({
      transform(input, controller) {
        for (const output of core.push(input)) controller.enqueue(output);
        if (core.done) controller.terminate();
      },
      flush(controller) {
        for (const output of core.flush()) controller.enqueue(output);
      },
    });
  }
}

/**
 * A batch run through a stage one input at a time (`push` as a {@link StageCore}'s), copied
 * only once some input does not come back as itself: a stage that passes a batch unchanged
 * costs no array. Stages that see every event (the stop sequences, the usage estimate,
 * continuation) run each network read's batch this way.
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { pushEach } from "./stage.ts";
 * const batch = [1, 2, 3];
 * equal(pushEach(batch, (n) => [n]), batch, "unchanged: the same array");
 * deepEqual(pushEach(batch, (n) => n === 2 ? [] : [n, n]), [1, 1, 3, 3]);
 * ```
 */
export function pushEach<T>(batch: readonly T[], push: (input: T) => readonly T[]): readonly T[] {
  let out: T[] | undefined;
  for (let index = 0; index < batch.length; index++) {
    const outputs = push(batch[index]);
    if (out) out.push(...outputs);
    else if (outputs.length !== 1 || outputs[0] !== batch[index]) (out = batch.slice(0, index)).push(...outputs);
  }
  return out ?? batch;
}
