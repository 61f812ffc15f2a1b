/**
 * One console's live feed of requests, as server-sent events: first a `snapshot` of the
 * kept requests, then `started` and `ended` as they happen. A console that reads slowly
 * cannot slow the relay: changes wait in a bounded queue, and when it overflows the queue
 * is dropped and the next read gets a fresh snapshot instead. Rows are rendered only when
 * the console reads.
 *
 * @module
 */
import { QuietTimer } from "../../hub/quiet_timer.ts";
import type { LoggedRequest, RequestChange, RequestLog } from "./request_log.ts";

/** Options of {@link liveFeed}. */
export interface LiveFeedOptions {
  /** Changes held for a console that is not reading; more replace them with a snapshot. @default 200 */
  maxQueued?: number;
  /** A `: keepalive` comment after this long without an event. @default 15000 */
  keepAliveMs?: number;
  /** Ends the feed (the relay shuts down). */
  signal?: AbortSignal;
}

const utf8 = new TextEncoder();

/**
 * The SSE body of one console's feed of `log`; `render` turns a request into its JSON row.
 * Cancelling the body (the console left) stops watching.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { liveFeed } from "./live_feed.ts";
 * import { RequestLog } from "./request_log.ts";
 * import { RequestTrace } from "../trace.ts";
 * const log = new RequestLog();
 * const reader = liveFeed(log, (request) => ({ id: request.id })).pipeThrough(new TextDecoderStream()).getReader();
 * equal((await reader.read()).value, "event: snapshot\ndata: []\n\n");
 * const trace = new RequestTrace();
 * trace.end("completed");
 * log.ended({ id: "req_1", receivedAt: 0, method: "GET", path: "/v1/models", status: 200, trace });
 * equal((await reader.read()).value, 'event: ended\ndata: {"id":"req_1"}\n\n');
 * await reader.cancel();
 * equal(log.watched, false);
 * ```
 */
export function liveFeed(
  log: RequestLog,
  render: (request: LoggedRequest) => unknown,
  options: LiveFeedOptions = {},
): ReadableStream<Uint8Array> {
  const maxQueued = options.maxQueued ?? 200;
  let queued: RequestChange[] = [];
  let snapshotDue = true;
  /** Whether the console waits for bytes (it read everything sent). */
  let waiting = false;
  let feed!: ReadableStreamDefaultController<Uint8Array>;
  let keepAlive: QuietTimer | undefined;
  let unwatch = () => {};
  const stop = () => {
    unwatch();
    keepAlive?.stop();
    options.signal?.removeEventListener("abort", end);
  };
  function end() {
    stop();
    feed.close();
  }
  const send = (text: string) => {
    keepAlive?.touch();
    waiting = false;
    feed.enqueue(utf8.encode(text));
  };
  const flush = () => {
    if (snapshotDue) {
      snapshotDue = false;
      queued = [];
      return send(frame("snapshot", log.recent().map(render)));
    }
    if (!queued.length) return void (waiting = true);
    const changes = queued;
    queued = [];
    send(changes.map((change) => frame(change.kind, render(change.request))).join(""));
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      feed = controller;
      if (options.signal?.aborted) return controller.close();
      options.signal?.addEventListener("abort", end);
      unwatch = log.watch((change) => {
        if (snapshotDue) return;
        queued.push(change);
        if (queued.length > maxQueued) snapshotDue = true;
        if (waiting) flush();
      });
      keepAlive = new QuietTimer(options.keepAliveMs ?? 15_000, () => {
        if (waiting) send(": keepalive\n\n");
      });
    },
    pull: flush,
    cancel: stop,
  }, { highWaterMark: 0 });
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
