/** Continuation as an upstream wrapper: rounds opened on the same sink, flow control and cancellation reaching the running one. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RelayError } from "../../lib/hub/errors.ts";
import { continuing } from "../../lib/pipeline/continuing.ts";
import { drainAnswer, finish, scripted, text } from "./helpers.ts";

const request = { messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "Count" }] }] };
const cut = { type: "finish" as const, reason: "length" as const };

Deno.test("rounds are opened until the answer finishes, as one answer", async () => {
  const { upstream, asked } = scripted({ events: [text("one two"), cut] }, { events: [text(" three"), finish] });
  const events = await drainAnswer(continuing(upstream, 8), request);
  equal(events.map((event) => event.type === "text" ? event.text : "").join(""), "one two three");
  deepEqual(events.at(-1), { ...finish, continuations: 1 });
  equal(asked.requests.length, 2);
  equal(asked.requests[1].messages.at(-2)?.role, "assistant");
});

Deno.test("0 rounds, or autoContinue false, pass the cut answer through", async () => {
  for (const [rounds, ask] of [[0, request], [8, { ...request, autoContinue: false }]] as const) {
    const { upstream, asked } = scripted({ events: [text("one"), cut] });
    const events = await drainAnswer(continuing(upstream, rounds), ask);
    deepEqual(events, [text("one"), cut]);
    equal(asked.requests.length, 1);
  }
});

Deno.test("a round that cannot start ends the answer with its error", async () => {
  const { upstream } = scripted({ events: [text("one"), cut] }, new RelayError(503, "down"));
  const events = await drainAnswer(continuing(upstream, 8), request);
  const last = events.at(-1)!;
  ok(last.type === "error" && last.error.status === 503);
});

Deno.test("cancel reaches the round that is running", async () => {
  const { upstream, asked } = scripted({ events: [text("one"), cut] }, { events: [text(" two")], stall: true });
  const seen: string[] = [];
  const call = await continuing(upstream, 8).open(request, {}, (batch) => {
    for (const event of batch) if (event.type === "text") seen.push(event.text);
  });
  while (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  call.cancel();
  equal(asked.cancelled, 1, "the second round was cancelled");
});
