/**
 * Answers as streams, for code that reads events rather than takes them pushed: an
 * upstream's answer as a `ReadableStream`, and an upstream made from a function that
 * returns one.
 *
 * @module
 */
import { describeStreamFailure, RelayError } from "./errors.ts";
import { isTerminal, type RelayEvent } from "./events.ts";
import type { RelayRequest } from "./request.ts";
import type { AnswerCall, AnswerSink, Upstream, UpstreamContext } from "./upstream.ts";

/**
 * Opens an answer and returns its events as a stream (rejecting as `open` does). Reading
 * slower than the upstream writes pauses it; cancelling the stream cancels the answer.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { answerStream, streamUpstream } from "./answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([]),
 * });
 * const events = await Array.fromAsync(await answerStream(upstream, { messages: [] }, {}));
 * equal(events[0].type, "finish");
 * ```
 */
export async function answerStream(
  upstream: Upstream,
  request: RelayRequest,
  context: UpstreamContext,
): Promise<ReadableStream<RelayEvent>> {
  let controller!: ReadableStreamDefaultController<RelayEvent>;
  /** The upstream's call, once `open` resolved (the stream may be read or cancelled before). */
  const upstreamCall: { current?: AnswerCall } = {};
  let ended = false;
  const events = new ReadableStream<RelayEvent>({
    start: (streamController) => void (controller = streamController),
    pull: () => upstreamCall.current?.resume(),
    cancel: (reason) => {
      ended = true;
      upstreamCall.current?.cancel(reason);
    },
  }, { highWaterMark: 16 });
  const opened = await upstream.open(request, context, (batch) => {
    if (ended) return;
    for (const event of batch) controller.enqueue(event);
    if (isTerminal(batch[batch.length - 1])) {
      ended = true;
      controller.close();
    } else if ((controller.desiredSize ?? 1) <= 0) upstreamCall.current?.pause();
  });
  upstreamCall.current = opened;
  return events;
}

/** An upstream written as a function that returns a stream of events. */
export interface StreamUpstreamSource extends Omit<Upstream, "open"> {
  /**
   * Starts an answer: rejects with a `RelayError` for failures before it starts; the stream
   * ends with `finish` or `error` (one that just ends is an error).
   */
  chat(request: RelayRequest, context: UpstreamContext): Promise<ReadableStream<RelayEvent>>;
}

/**
 * An {@link Upstream} from a function that returns a stream of events: each event read is
 * one batch. The simplest way to write an upstream (tests, embedders); the built-in
 * upstreams push whole network reads instead.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { streamUpstream } from "./answer_stream.ts";
 * import type { RelayEvent } from "./events.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from<RelayEvent>([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }])),
 *   models: () => Promise.resolve([]),
 * });
 * const batches: RelayEvent[][] = [];
 * await upstream.open({ messages: [] }, {}, (batch) => batches.push([...batch]));
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * equal(batches.length, 2);
 * ```
 */
export function streamUpstream(source: StreamUpstreamSource): Upstream {
  const { chat, ...rest } = source;
  return {
    ...rest,
    async open(request, context, sink) {
      return readInto(await chat(request, context), sink);
    },
  };
}

/** Pushes a stream's events into `sink` one per batch, with pause, resume and cancel. */
function readInto(stream: ReadableStream<RelayEvent>, sink: AnswerSink): AnswerCall {
  const reader = stream.getReader();
  let paused = false;
  let reading = false;
  let ended = false;
  const end = (event: RelayEvent) => {
    ended = true;
    sink([event]);
  };
  const read = async () => {
    reading = true;
    try {
      while (!paused && !ended) {
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) {
          return end({ type: "error", error: new RelayError(502, "the answer stream ended before it finished") });
        }
        if (isTerminal(value)) return end(value);
        sink([value]);
      }
    } catch (error) {
      if (!ended) end({ type: "error", error: describeStreamFailure(error) });
    } finally {
      reading = false;
    }
  };
  queueMicrotask(read);
  return {
    pause: () => void (paused = true),
    resume: () => {
      paused = false;
      if (!reading && !ended) void read();
    },
    cancel: (reason) => {
      if (ended) return;
      ended = true;
      void reader.cancel(reason).catch(() => {});
    },
  };
}
