import { deepEqual, equal, ok } from "node:assert/strict";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { Upstream } from "../../lib/hub/upstream.ts";
import { roundStages } from "../../lib/pipeline/round_stages.ts";

/** An upstream that pushes `events` as one batch, as an upstream answering in one read does. */
function oneBatch(events: RelayEvent[]): Upstream {
  return {
    open(_request, _context, sink) {
      queueMicrotask(() => sink(events));
      return Promise.resolve({ pause() {}, resume() {}, cancel() {} });
    },
    models: () => Promise.resolve([]),
  };
}

function answer(upstream: Upstream): Promise<RelayEvent[]> {
  const events: RelayEvent[] = [];
  return new Promise((resolve) => {
    void upstream.open({ messages: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }] }, {}, (batch) => {
      events.push(...batch);
      if (events.at(-1)?.type === "finish") resolve(events);
    });
  });
}

Deno.test("an answer without the upstream's usage gets an estimate before its finish, in order", async () => {
  const events = await answer(roundStages(oneBatch([
    { type: "text", text: "Hello there" },
    { type: "finish", reason: "stop" },
  ])));
  deepEqual(events.map((event) => event.type), ["text", "usage", "finish"]);
  ok(events[1].type === "usage" && events[1].usage.estimated && events[1].usage.completionTokens > 0);
});

Deno.test("an upstream that reports usage, even in the finish's own batch, never loads the tokenizer", async () => {
  // A fresh process: other tests in this one load the tokenizer.
  const script = `
    import { roundStages } from "./lib/pipeline/round_stages.ts";
    import { loadedTokenCounter } from "./lib/hub/usage_estimate.ts";
    const events = [
      { type: "text", text: "Hello" },
      { type: "usage", usage: { promptTokens: 3, completionTokens: 1 } },
      { type: "finish", reason: "stop" },
    ];
    const upstream = roundStages({
      open(_request, _context, sink) {
        queueMicrotask(() => sink(events));
        return Promise.resolve({ pause() {}, resume() {}, cancel() {} });
      },
      models: () => Promise.resolve([]),
    });
    const out = await new Promise((resolve) => upstream.open({ messages: [] }, {}, resolve));
    console.log(JSON.stringify({ types: out.map((event) => event.type), loaded: loadedTokenCounter() !== undefined }));
  `;
  const root = new URL("../../", import.meta.url);
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: root,
    stderr: "inherit",
  }).output();
  ok(success);
  const result = JSON.parse(new TextDecoder().decode(stdout));
  deepEqual(result.types, ["text", "usage", "finish"]);
  equal(result.loaded, false);
});
