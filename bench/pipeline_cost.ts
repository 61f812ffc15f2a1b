/**
 * What the pipeline's wrappers cost per event, in process: an upstream pushes answers of
 * 200 text events, one per batch (as one chunk per event arrives), then usage and
 * `finish`, through each wrapper alone and through `relayUpstream`. Prints time and bytes
 * allocated per event for each; the bytes hardly move between runs, the time does.
 *
 * `deno run -A bench/pipeline_cost.ts [--answers 20000]`
 *
 * @module
 */
import v8 from "node:v8";
import { parseArgs } from "node:util";
import type { Upstream } from "../lib/hub/upstream.ts";
import { continuing } from "../lib/pipeline/continuing.ts";
import { relayUpstream } from "../lib/pipeline/relay.ts";
import { retrying } from "../lib/pipeline/retrying.ts";
import { roundStages } from "../lib/pipeline/round_stages.ts";
import { supervising } from "../lib/pipeline/supervising.ts";

const { values } = parseArgs({ args: Deno.args, options: { answers: { type: "string", default: "20000" } } });

/** The figure V8 reports that the `HeapInfo` type of `node:v8` leaves out. */
interface HeapStatistics {
  total_allocated_bytes: number;
}
const allocated = () => (v8.getHeapStatistics() as unknown as HeapStatistics).total_allocated_bytes;

const TEXTS = Array.from({ length: 200 }, (_, index) => `word${index} `);
const EVENTS_PER_ANSWER = TEXTS.length + 2;

const upstream: Upstream = {
  models: () => Promise.resolve([]),
  open(_request, _context, sink) {
    queueMicrotask(() => {
      for (const text of TEXTS) sink([{ type: "text", text }]);
      sink([{ type: "usage", usage: { promptTokens: 5, completionTokens: TEXTS.length } }]);
      sink([{ type: "finish", reason: "stop" }]);
    });
    return Promise.resolve({ pause() {}, resume() {}, cancel() {} });
  },
};

const wrapped: [string, Upstream][] = [
  ["the upstream alone", upstream],
  ["roundStages", roundStages(upstream)],
  ["continuing", continuing(upstream, 8)],
  ["retrying", retrying(upstream, {})],
  ["supervising", supervising(upstream, {})],
  ["relayUpstream (all of them)", relayUpstream(upstream)],
];

/** Asks `target` for one answer and waits for its `finish`. */
async function answer(target: Upstream): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  await target.open({ messages: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }] }, {}, (batch) => {
    if (batch.at(-1)?.type === "finish") resolve();
  });
  await promise;
}

const answers = Number(values.answers);
console.log("| wrapped in | ns per event | bytes per event |\n| --- | ---: | ---: |");
for (const [name, target] of wrapped) {
  for (let warm = 0; warm < 3_000; warm++) await answer(target);
  const bytesBefore = allocated();
  const started = performance.now();
  for (let index = 0; index < answers; index++) await answer(target);
  const perEvent = answers * EVENTS_PER_ANSWER;
  const ns = (performance.now() - started) * 1e6 / perEvent;
  console.log(`| ${name} | ${ns.toFixed(0)} | ${((allocated() - bytesBefore) / perEvent).toFixed(0)} |`);
}
