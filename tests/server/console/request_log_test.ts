/** The console's request log: a bounded ring of ended requests, and changes told only to consoles that watch. */
import { deepEqual, equal, throws } from "node:assert/strict";
import { type LoggedRequest, RequestLog } from "../../../lib/server/console/request_log.ts";
import { RequestTrace } from "../../../lib/server/trace.ts";

function request(id: string, status = 200): LoggedRequest {
  const trace = new RequestTrace();
  trace.end(status >= 400 ? "error" : "completed");
  return { id, receivedAt: Date.now(), method: "POST", path: "/v1/chat/completions", status, trace };
}

Deno.test("the log keeps the last `capacity` requests, oldest first, whatever came before", () => {
  const log = new RequestLog(3);
  for (let index = 0; index < 10; index++) log.ended(request(`r${index}`));
  deepEqual(log.recent().map((kept) => kept.id), ["r7", "r8", "r9"]);
  equal(log.find("r8")?.id, "r8");
  equal(log.find("r6"), undefined, "a dropped request is gone");
  throws(() => new RequestLog(0), RangeError);
});

Deno.test("changes go to the consoles watching, and to none once they stopped", () => {
  const log = new RequestLog();
  equal(log.watched, false, "nothing watches: nothing to build");
  const seen: string[] = [];
  const stop = log.watch((change) => seen.push(`${change.kind}:${change.request.id}`));
  equal(log.watched, true);
  log.started(request("a"));
  log.ended(request("a"));
  stop();
  log.ended(request("b"));
  deepEqual(seen, ["started:a", "ended:a"]);
  equal(log.watched, false);
  deepEqual(log.recent().map((kept) => kept.id), ["a", "b"], "started requests are kept only once ended");
});

Deno.test("ended requests are counted into the chart history", () => {
  const log = new RequestLog();
  log.ended(request("ok"));
  log.ended(request("bad", 503));
  const series = log.history.series();
  equal(series.requests.completed.at(-1), 1);
  equal(series.requests.error.at(-1), 1);
  equal(series.errors.http_503.at(-1), 1);
});
