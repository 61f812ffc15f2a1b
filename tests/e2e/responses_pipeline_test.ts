/**
 * The Responses front on the relay's pipeline, as every dialect: answers the upstream cut
 * are continued into one completed response, keep-alives while the upstream is quiet, a
 * stalled stream ends in `response.failed`, a client that leaves aborts the upstream, and
 * the Codex-style conversation survives a thinking model (reasoning items round trip).
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { DEFAULT_CATALOG } from "../../lib/simulator/catalog.ts";
import { faultStack, MODEL, openai } from "../faults/helpers.ts";
import { TOKEN } from "../harness.ts";

Deno.test("an answer the upstream cut at its own cap is continued: one completed response, the text whole", async () => {
  await using stack = await faultStack({ maxContinuations: 8 }, { maxOutputTokens: 20 });
  const stream = openai(stack).responses.stream({ model: MODEL, input: "Hi [[sim words=60]]" });
  const response = await stream.finalResponse();
  equal(response.status, "completed");
  equal(response.output_text.split(" ").length, 60);
  ok(stack.simulator.requests.filter((request) => request.body).length > 1, "continued");
});

Deno.test("keep-alives while the upstream is quiet, then the answer; a stall ends in response.failed", async () => {
  await using stack = await faultStack({ keepAliveMs: 100, timeouts: { idleMs: 600 } });
  const response = await fetch(`${stack.relayUrl}/v1/responses`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, input: "Hi [[sim words=3 pause_after=1 pause_ms=400]]", stream: true }),
  });
  const text = await response.text();
  match(text, /: keepalive\n\n/);
  match(text, /event: response\.completed\n/);
  const stalled = openai(stack).responses.stream({ model: MODEL, input: "Hi [[sim words=20 stall_after=3]]" });
  const types: string[] = [];
  for await (const event of stalled) types.push(event.type);
  equal(types.at(-1), "response.failed");
  const failed = await stalled.finalResponse();
  equal(failed.status, "failed");
  match(failed.error!.message, /idle|quiet|timed? ?out|no event/i);
});

Deno.test("a client that leaves mid-stream aborts the upstream request within 100 ms", async () => {
  await using stack = await faultStack();
  const stream = openai(stack).responses.stream({ model: MODEL, input: "Hi [[sim words=500 pace_ms=20]]" });
  const ended = stream.finalResponse().catch((error) => error);
  await new Promise((resolve) => stream.once("response.output_text.delta", resolve));
  const upstream = stack.simulator.requests.find((request) => request.path.startsWith("/.api/completions/"))!;
  const abortedAt = performance.now();
  stream.abort();
  equal(
    await Promise.race([upstream.outcome, new Promise((resolve) => setTimeout(resolve, 1000, "running"))]),
    "aborted",
  );
  ok(performance.now() - abortedAt < 100);
  ok((await ended) instanceof OpenAI.APIUserAbortError);
});

Deno.test("a thinking model: a reasoning item with its summary (and signature when included) that the next turn sends back", async () => {
  const thinker = DEFAULT_CATALOG.models.find((model) => model.capabilities.includes("reasoning"));
  if (!thinker) throw new Error("the simulator's catalog has no reasoning model");
  await using stack = await faultStack();
  const client = openai(stack);
  const stream = client.responses.stream({
    model: thinker.modelRef,
    input: "Think first",
    include: ["reasoning.encrypted_content"],
    store: false,
  });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type);
  const first = await stream.finalResponse();
  const [reasoning, message] = first.output;
  ok(reasoning.type === "reasoning", JSON.stringify(first.output));
  match(reasoning.summary[0].text, /^The user said "Think first"/);
  equal(reasoning.encrypted_content, "c2ltdWxhdGVkLXNpZ25hdHVyZQ==", "the upstream's thinking signature");
  ok(types.includes("response.reasoning_summary_text.delta"));
  ok(message.type === "message");
  const second = await client.responses.create({
    model: thinker.modelRef,
    store: false,
    input: [
      { role: "user", content: "Think first" },
      ...first.output as OpenAI.Responses.ResponseInputItem[],
      { role: "user", content: "And again" },
    ],
  });
  equal(second.status, "completed");
  const messages = stack.simulator.requests.filter((request) => request.body).at(-1)!.body!.messages!;
  deepEqual(messages.map((message) => message.speaker), ["human", "assistant", "human"]);
});
