/** The continuation state machine, state by state: each phase and the events that move it on. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { ContinuationMachine } from "../../lib/continuation/continuation_machine.ts";
import { CONTINUE_INSTRUCTION } from "../../lib/continuation/continuation_request.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { RelayRequest } from "../../lib/hub/request.ts";

const request: RelayRequest = {
  model: "openai::2024-02-01::gpt-4.1",
  messages: [{ role: "user", parts: [{ type: "text", text: "Q" }] }],
  tools: [{ name: "f" }],
};
const usage = (completionTokens: number): RelayEvent => ({
  type: "usage",
  usage: { promptTokens: 10, completionTokens },
});
const cut: RelayEvent = { type: "finish", reason: "length" };
const stop: RelayEvent = { type: "finish", reason: "stop" };

/** Steps the machine through `events`, returning what came out and the last step's next request. */
function run(machine: ContinuationMachine, events: RelayEvent[]) {
  const out: RelayEvent[] = [];
  let next: RelayRequest | undefined;
  for (const event of events) {
    const step = machine.step(event);
    out.push(...step.events);
    next = step.next ?? next;
  }
  return { out, next };
}

Deno.test("first_round: events pass, usage is held, a natural finish ends the answer with the usage and 0 rounds", () => {
  const machine = new ContinuationMachine(request, 8);
  equal(machine.phase, "first_round");
  const { out, next } = run(machine, [
    { type: "meta", meta: { apiVersion: 9 } },
    { type: "thinking", text: "hmm" },
    { type: "text", text: "Hi" },
    usage(3),
    stop,
  ]);
  equal(next, undefined);
  equal(machine.phase, "ended");
  deepEqual(out, [
    { type: "meta", meta: { apiVersion: 9 } },
    { type: "thinking", text: "hmm" },
    { type: "text", text: "Hi" },
    { type: "usage", usage: { promptTokens: 10, completionTokens: 3 } },
    { ...stop, continuations: 0 },
  ]);
});

Deno.test("first_round → continuing: a length finish asks the next round with the answer so far and the instruction", () => {
  const machine = new ContinuationMachine(request, 8);
  const { out, next } = run(machine, [{ type: "text", text: "The answer so f" }, usage(5), cut]);
  equal(machine.phase, "continuing");
  equal(machine.continuations, 1);
  deepEqual(
    out,
    [{ type: "text", text: "The answer so f" }, { type: "meta", meta: { round: 1 } }],
    "no finish goes out; the round asked is announced (for the request's timeline)",
  );
  deepEqual(next?.messages.slice(1), [
    { role: "assistant", parts: [{ type: "text", text: "The answer so f" }] },
    { role: "user", parts: [{ type: "text", text: CONTINUE_INSTRUCTION }] },
  ]);
});

Deno.test("continuing: repeated text at the seam is dropped, thinking is not re-sent, tool indices follow on, usage sums", () => {
  const machine = new ContinuationMachine(request, 8);
  run(machine, [
    { type: "tool_call_start", index: 0, id: "a", name: "f" },
    { type: "tool_call_delta", index: 0, arguments: "{}" },
    { type: "text", text: "Counting: one two three four five" },
    usage(5),
    cut,
  ]);
  const { out } = run(machine, [
    { type: "thinking", text: "again" },
    { type: "text", text: "three four five six" },
    { type: "tool_call_start", index: 0, id: "b", name: "f" },
    { type: "tool_call_delta", index: 0, arguments: "{}" },
    usage(4),
    stop,
  ]);
  equal(machine.phase, "ended");
  deepEqual(out, [
    { type: "text", text: " six" },
    { type: "tool_call_start", index: 1, id: "b", name: "f" },
    { type: "tool_call_delta", index: 1, arguments: "{}" },
    { type: "usage", usage: { promptTokens: 20, completionTokens: 9 } },
    { ...stop, continuations: 1 },
  ]);
});

Deno.test("continuing: rounds stop at maxContinuations, and at the client's budget, ending honestly with length", () => {
  const capped = new ContinuationMachine(request, 1);
  run(capped, [{ type: "text", text: "a" }, cut]);
  const { out, next } = run(capped, [{ type: "text", text: "b" }, cut]);
  equal(next, undefined);
  deepEqual(out.at(-1), { ...cut, continuations: 1 });

  const budgeted = new ContinuationMachine({ ...request, maxTokens: 5 }, 8);
  const spent = run(budgeted, [{ type: "text", text: "a" }, usage(5), cut]);
  equal(spent.next, undefined, "the budget is used up");
  deepEqual(spent.out.at(-1), { ...cut, continuations: 0 });
  const left = run(new ContinuationMachine({ ...request, maxTokens: 8 }, 8), [usage(5), cut]);
  equal(left.next?.maxTokens, 3, "the next round gets what is left of the budget");
});

Deno.test("first_round → repairing: arguments cut mid-JSON are completed as deltas of the same call, finishing tool_calls", () => {
  const machine = new ContinuationMachine(request, 8);
  const { next } = run(machine, [
    { type: "tool_call_start", index: 0, id: "t", name: "f" },
    { type: "tool_call_delta", index: 0, arguments: '{"path": "src/components' },
    usage(4),
    cut,
  ]);
  equal(machine.phase, "repairing");
  equal(next?.toolChoice, "none");
  const { out } = run(machine, [{ type: "text", text: 'src/components/App.tsx"}' }, usage(3), stop]);
  const args = out.flatMap((event) => event.type === "tool_call_delta" ? [event.arguments] : []).join("");
  deepEqual(JSON.parse(`{"path": "src/components${args}`), { path: "src/components/App.tsx" });
  deepEqual(out.at(-1), { type: "finish", reason: "tool_calls", continuations: 1 });
});

Deno.test("repairing → ended: arguments that still do not parse end in an error, never broken JSON", () => {
  const machine = new ContinuationMachine(request, 8);
  run(machine, [
    { type: "tool_call_start", index: 0, id: "t", name: "f" },
    { type: "tool_call_delta", index: 0, arguments: '{"path": "src' },
    cut,
  ]);
  const { out } = run(machine, [{ type: "text", text: "sorry, I cannot" }, stop]);
  const last = out.at(-1)!;
  ok(last.type === "error" && /could not be completed/.test(last.error.message));
  ok(!out.some((event) => event.type === "finish"));
  equal(machine.phase, "ended");
});

Deno.test("any phase → ended on an error; ended ignores everything after", () => {
  const machine = new ContinuationMachine(request, 8);
  run(machine, [{ type: "text", text: "a" }, cut]);
  const error: RelayEvent = { type: "error", error: new Error("x") as never };
  deepEqual(run(machine, [error]).out, [error]);
  equal(machine.phase, "ended");
  deepEqual(run(machine, [{ type: "text", text: "late" }, stop]).out, []);
});

Deno.test("first_round → continuing: the continuation carries the whole text of a long answer (more deltas than are kept apart)", () => {
  const machine = new ContinuationMachine(request, 8);
  const words = Array.from({ length: 200 }, (_, index) => `w${index} `);
  const { next } = run(machine, [...words.map((text): RelayEvent => ({ type: "text", text })), cut]);
  equal(machine.phase, "continuing");
  const assistant = next?.messages.find((message) => message.role === "assistant");
  const said = assistant?.parts.map((part) => part.type === "text" ? part.text : "").join("");
  equal(said, words.join(""));
});

Deno.test("continuing → ended: a stop sequence across the seam ends the answer before it and cancels the round", () => {
  const machine = new ContinuationMachine({ ...request, stop: ["ts Co"] }, 8);
  const first = run(machine, [{ type: "text", text: "its relay its" }, usage(3), cut]);
  deepEqual(first.out, [{ type: "text", text: "its relay i" }, { type: "meta", meta: { round: 1 } }]);
  deepEqual(
    first.next?.messages.at(-2)?.parts,
    [{ type: "text", text: "its relay its" }],
    "the model goes on after all it said",
  );
  const step = machine.step({ type: "text", text: " Cody streams" });
  equal(step.cancelRound, true);
  equal(machine.phase, "ended");
  deepEqual(step.events, [
    { type: "usage", usage: { promptTokens: 10, completionTokens: 3 } },
    { type: "finish", reason: "stop", upstreamReason: "stop_sequence", stopSequence: "ts Co", continuations: 1 },
  ]);
});

Deno.test("continuing: text held back for a stop goes out when the next round does not complete it", () => {
  const machine = new ContinuationMachine({ ...request, stop: ["ts Co"] }, 8);
  run(machine, [{ type: "text", text: "its relay its" }, usage(3), cut]);
  const { out } = run(machine, [{ type: "text", text: " Cat" }, usage(1), stop]);
  deepEqual(
    out.filter((event) => event.type === "text").map((event) => event.type === "text" && event.text).join(""),
    "ts Cat",
  );
  equal(out.at(-1)?.type, "finish");
});
