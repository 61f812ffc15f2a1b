/** The last hour per minute: fixed memory, minutes that expire, percentiles within a bucket, bounded error kinds. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RelayError } from "../../../lib/hub/errors.ts";
import { TrafficHistory } from "../../../lib/server/console/traffic_history.ts";
import { RequestTrace } from "../../../lib/server/trace.ts";

const MINUTE = 60_000;
const T0 = 1_800_000_000_000; // a minute boundary

function ended(options: { firstByteMs?: number; tokensOut?: number; status?: number; error?: RelayError } = {}) {
  const trace = new RequestTrace();
  trace.firstByteMs = options.firstByteMs;
  if (options.tokensOut !== undefined) trace.usage = { promptTokens: 1, completionTokens: options.tokensOut };
  trace.error = options.error;
  trace.end(options.error || (options.status ?? 200) >= 400 ? "error" : "completed");
  return { id: "r", receivedAt: 0, method: "POST", path: "/v1/messages", status: options.status ?? 200, trace };
}

Deno.test("a series is 60 minutes up to now, each request in the minute it ended, older minutes forgotten", () => {
  const history = new TrafficHistory();
  history.add(ended({ tokensOut: 5 }), T0);
  history.add(ended({ tokensOut: 7 }), T0 + 30_000);
  history.add(ended({ tokensOut: 11 }), T0 + 10 * MINUTE);
  let series = history.series(T0 + 10 * MINUTE + 1);
  equal(series.minutes.length, 60);
  equal(series.minutes.at(-1), T0 + 10 * MINUTE);
  equal(series.tokensOut.at(-1), 11);
  equal(series.tokensOut.at(-11), 12, "both requests of the first minute");
  equal(series.requests.completed.reduce((sum, count) => sum + count), 3);
  series = history.series(T0 + 61 * MINUTE);
  equal(series.tokensOut.reduce((sum, count) => sum + count), 11, "the first minute is more than an hour old");
  history.add(ended({ tokensOut: 1 }), T0 + 60 * MINUTE); // the first minute's slot, reused
  series = history.series(T0 + 60 * MINUTE);
  equal(series.tokensOut.at(-1), 1);
  equal(series.tokensOut.reduce((sum, count) => sum + count), 12);
});

Deno.test("time to first byte: p50 and p95 within 25 % above the true figure, null for a minute without figures", () => {
  const history = new TrafficHistory();
  for (let ms = 1; ms <= 100; ms++) history.add(ended({ firstByteMs: ms * 10 }), T0);
  const { p50, p95 } = history.series(T0).firstByteMs;
  ok(p50.at(-1)! >= 500 && p50.at(-1)! <= 625, `p50 ${p50.at(-1)}`);
  ok(p95.at(-1)! >= 950 && p95.at(-1)! <= 1190, `p95 ${p95.at(-1)}`);
  equal(p50.at(-2), null);
});

Deno.test("errors are counted by code, else by status, with at most twelve kinds a minute", () => {
  const history = new TrafficHistory();
  history.add(ended({ status: 404, error: new RelayError(404, "no", { code: "model_not_found" }) }), T0);
  history.add(ended({ status: 502 }), T0);
  for (let kind = 0; kind < 20; kind++) {
    history.add(ended({ status: 400, error: new RelayError(400, "bad", { code: `kind_${kind}` }) }), T0);
  }
  const errors = history.series(T0).errors;
  equal(errors.model_not_found.at(-1), 1);
  equal(errors.http_502.at(-1), 1);
  equal(Object.keys(errors).length, 13, "twelve kinds and other");
  equal(errors.other.at(-1), 10);
  deepEqual(history.series(T0).requests.error.at(-1), 22);
});
