import { deepEqual, equal, ok } from "node:assert/strict";
import { continueAnswer } from "../../lib/continuation/continue_answer.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { RelayRequest } from "../../lib/hub/request.ts";

const request: RelayRequest = {
  messages: [{ role: "user", parts: [{ type: "text", text: "Q" }] }],
  tools: [{ name: "f" }],
};

function run(first: RelayEvent[], ...rounds: RelayEvent[][]) {
  const asked: RelayRequest[] = [];
  const answer = continueAnswer(request, ReadableStream.from(first), {
    maxContinuations: 8,
    round: (next) => {
      asked.push(next);
      return Promise.resolve(ReadableStream.from(rounds.shift() ?? []));
    },
  });
  return Array.fromAsync(answer).then((events) => ({ events, asked }));
}

const cutCall: RelayEvent[] = [
  { type: "tool_call_start", index: 0, id: "t", name: "f" },
  { type: "tool_call_delta", index: 0, arguments: '{"path": "src/components' },
  { type: "usage", usage: { promptTokens: 5, completionTokens: 4 } },
  { type: "finish", reason: "length" },
];

Deno.test("repaired arguments arrive as deltas of the same call and the answer finishes with tool_calls", async () => {
  const { events, asked } = await run(cutCall, [
    { type: "text", text: 'src/components/App.tsx"}' },
    { type: "usage", usage: { promptTokens: 9, completionTokens: 3 } },
    { type: "finish", reason: "stop" },
  ]);
  equal(asked[0].toolChoice, "none");
  const args = events.flatMap((event) => event.type === "tool_call_delta" ? [event.arguments] : []).join("");
  deepEqual(JSON.parse(args), { path: "src/components/App.tsx" }, "the repeated tail is dropped at the seam");
  deepEqual(events.at(-2), { type: "usage", usage: { promptTokens: 14, completionTokens: 7 } });
  deepEqual(events.at(-1), { type: "finish", reason: "tool_calls", continuations: 1 });
});

Deno.test("arguments that still do not parse after repair end in an error", async () => {
  const { events } = await run(cutCall, [{ type: "text", text: "sorry, I cannot" }, {
    type: "finish",
    reason: "stop",
  }]);
  const last = events.at(-1)!;
  ok(last.type === "error" && /could not be completed/.test(last.error.message));
  ok(!events.some((event) => event.type === "finish"));
});
