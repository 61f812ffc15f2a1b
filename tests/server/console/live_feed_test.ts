/**
 * One console's live feed: a snapshot, then each change; a console that does not read
 * holds a bounded queue and gets a fresh snapshot instead of the backlog; leaving stops
 * the watching; shutdown ends it.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { liveFeed } from "../../../lib/server/console/live_feed.ts";
import { RequestLog } from "../../../lib/server/console/request_log.ts";
import { RequestTrace } from "../../../lib/server/trace.ts";

function end(log: RequestLog, id: string): void {
  const trace = new RequestTrace();
  trace.end("completed");
  log.ended({ id, receivedAt: 0, method: "POST", path: "/v1/messages", status: 200, trace });
}

const utf8 = new TextDecoder();

/** The frames of what the reader reads next, as [event, data]. */
async function next(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<[string, unknown][]> {
  const { value } = await reader.read();
  return utf8.decode(value).split("\n\n").filter(Boolean).map((frame) => {
    const [event, data] = frame.split("\n");
    return [event.slice("event: ".length), JSON.parse(data.slice("data: ".length))];
  });
}

Deno.test("a feed starts with a snapshot of the kept requests, then sends each change as it happens", async () => {
  const log = new RequestLog();
  end(log, "before");
  const reader = liveFeed(log, (request) => request.id).getReader();
  deepEqual(await next(reader), [["snapshot", ["before"]]]);
  end(log, "after");
  deepEqual(await next(reader), [["ended", "after"]]);
  await reader.cancel();
  equal(log.watched, false, "a console that left is no longer told");
});

Deno.test("a console that does not read costs a bounded queue: past it, the backlog becomes one snapshot", async () => {
  const log = new RequestLog(1000);
  let rendered = 0;
  const reader = liveFeed(log, (request) => (rendered++, request.id), { maxQueued: 10 })
    .getReader();
  await next(reader);
  rendered = 0;
  for (let index = 0; index < 8; index++) end(log, `q${index}`);
  equal(rendered, 0, "nothing is rendered until the console reads");
  const queued = await next(reader);
  deepEqual(queued.map(([event]) => event), Array(8).fill("ended"));
  for (let index = 0; index < 500; index++) end(log, `flood${index}`);
  equal(rendered, 8, "the flood is neither rendered nor queued");
  const [[event, rows]] = await next(reader);
  equal(event, "snapshot");
  equal((rows as string[]).length, 508, "every kept request, once");
  await reader.cancel();
});

Deno.test("a console waiting for bytes gets a keep-alive comment while nothing happens, and the feed ends at shutdown", async () => {
  const log = new RequestLog();
  const shutdown = new AbortController();
  const reader = liveFeed(log, (request) => request.id, { keepAliveMs: 40, signal: shutdown.signal })
    .getReader();
  await next(reader);
  equal(utf8.decode((await reader.read()).value), ": keepalive\n\n");
  shutdown.abort();
  ok((await reader.read()).done);
  equal(log.watched, false);
});
