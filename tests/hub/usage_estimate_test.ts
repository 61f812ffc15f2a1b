/**
 * Prompt estimates count a request text by text, and a long text counted before is
 * remembered: the figures are those of counting every text afresh, whatever was counted
 * in between, and the texts remembered are bounded.
 */
import { deepEqual, equal } from "node:assert/strict";
import { RememberedCounts } from "../../lib/hub/remembered_counts.ts";
import { countTokens, estimatePromptTokens } from "../../lib/hub/usage_estimate.ts";
import type { RelayRequest } from "../../lib/hub/request.ts";

/** A text of `length` characters that no other call of this makes. */
const text = (seed: string, length: number) =>
  `${seed} `.repeat(Math.ceil(length / (seed.length + 1))).slice(0, length);

Deno.test("a prompt's estimate is its texts' counts and one token per line break between them", async () => {
  const history = text("earlier turn", 40_000);
  const request = (last: string): RelayRequest => ({
    messages: [
      { role: "system", parts: [{ type: "text", text: "Be brief." }] },
      { role: "user", parts: [{ type: "text", text: history }] },
      { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "read", arguments: '{"path":"a.ts"}' }] },
      { role: "user", parts: [{ type: "tool_result", toolCallId: "c1", content: text("file body", 5_000) }] },
      { role: "user", parts: [{ type: "text", text: last }] },
    ],
    tools: [{ name: "read", description: "Reads a file", parameters: { type: "object" } }],
  });
  const texts = [
    "Be brief.",
    history,
    "read",
    '{"path":"a.ts"}',
    text("file body", 5_000),
    "go on",
    JSON.stringify([
      { name: "read", description: "Reads a file", parameters: { type: "object" } },
    ]),
  ];
  let fresh = texts.length - 1;
  for (const one of texts) fresh += await countTokens(one);
  equal(await estimatePromptTokens(request("go on")), fresh);
  equal(await estimatePromptTokens(request("go on")), fresh, "the same again, from remembered counts");
  const next = await estimatePromptTokens(request("and then"));
  equal(next, fresh - await countTokens("go on") + await countTokens("and then"), "only the new text is counted anew");
});

Deno.test("remembered counts are the counts, for texts of every length, and older ones make room", async () => {
  const texts = [text("short", 100), text("long", 100_000), text("longer than anything kept", 1_000_000)];
  const first = await Promise.all(texts.map((one) => countTokens(one)));
  for (let index = 0; index < 60; index++) await countTokens(text(`filler ${index}`, 100_000)); // 6 M characters
  deepEqual(
    await Promise.all(texts.map((one) => countTokens(one))),
    first,
    "counted again after the filler pushed them out",
  );
  deepEqual(await Promise.all(texts.map((one) => countTokens(one))), first, "remembered again");
});

Deno.test("remembered counts are kept apart per scope, and the least recently used go first, across scopes", () => {
  const counts = new RememberedCounts(10, 800); // texts of 10 to 100 characters, 800 in all
  const text = (name: string) => name.padEnd(100, ".");
  for (const name of ["a1", "a2", "a3", "a4"]) counts.remember("alice", text(name), 1);
  for (const name of ["b1", "b2", "b3"]) counts.remember("bob", text(name), 2);
  equal(counts.recall("bob", text("a1")), undefined, "alice's count is not bob's");
  equal(counts.recall("alice", text("a1")), 1, "a1 is now alice's most recent");
  counts.remember("bob", text("b4"), 2); // 800 characters: nothing goes yet
  counts.remember("carol", text("c1"), 3); // 900: the least recently used, a2 (alice's), goes
  deepEqual(["a1", "a2", "a3", "a4"].map((name) => counts.recall("alice", text(name))), [1, undefined, 1, 1]);
  deepEqual(["b1", "b2", "b3", "b4"].map((name) => counts.recall("bob", text(name))), [2, 2, 2, 2]);
  equal(counts.recall("carol", text("c1")), 3);
  counts.remember("dave", "short", 1);
  counts.remember("dave", "x".repeat(101), 1);
  equal(counts.recall("dave", "short"), undefined, "too short to keep");
  equal(counts.recall("dave", "x".repeat(101)), undefined, "longer than an eighth of all");
});
