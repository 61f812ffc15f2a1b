/**
 * A log sink that keeps writing off the request path: records are queued as they come
 * and formatted, redacted and written together a moment later, in one write.
 *
 * @module
 */
import type { LogRecord } from "@logtape/logtape";

/** How long records wait before they are written, at most. */
const FLUSH_AFTER_MS = 20;
/** Records queued before they are written at once, whatever the wait. */
const FLUSH_AT = 256;

/** A LogTape sink with a {@link BufferedSink.flush} for the end of the process. */
export interface BufferedSink {
  /** Queues a record (the LogTape sink function). */
  (record: LogRecord): void;
  /** Writes what is queued now. */
  flush(): void;
}

/**
 * A sink that queues records and writes them `FLUSH_AFTER_MS` later (or once 256 wait),
 * each through `render` (format and redact), joined into one `write`. A request's log line
 * then costs its request an array push; the formatting, the redaction and the system call
 * happen once per batch, between requests. Call `flush` before the process exits.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { bufferedSink } from "./buffered_sink.ts";
 * import type { LogRecord } from "@logtape/logtape";
 * const written: string[] = [];
 * const sink = bufferedSink((text) => written.push(text), (record) => `${record.message.join("")}\n`);
 * sink({ message: ["one"] } as unknown as LogRecord);
 * sink({ message: ["two"] } as unknown as LogRecord);
 * equal(written.length, 0);
 * sink.flush();
 * equal(written.join(""), "one\ntwo\n");
 * ```
 */
export function bufferedSink(write: (text: string) => void, render: (record: LogRecord) => string): BufferedSink {
  let queued: LogRecord[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!queued.length) return;
    const records = queued;
    queued = [];
    write(records.map(render).join(""));
  };
  const sink = (record: LogRecord) => {
    queued.push(record);
    if (queued.length >= FLUSH_AT) flush();
    else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
  };
  return Object.assign(sink, { flush });
}
