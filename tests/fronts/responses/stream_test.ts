/** responsesEncoding and toResponse: event order, item identities, custom and namespaced calls, endings and failures. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { AnswerEncoder } from "../../../lib/fronts/answer_encoder.ts";
import { RelayError } from "../../../lib/hub/errors.ts";
import type { RelayEvent } from "../../../lib/hub/events.ts";
import { parseResponsesRequest } from "../../../lib/fronts/responses/request.ts";
import {
  type ResponseMeta,
  type ResponseObject,
  responsesEncoding,
  toResponse,
} from "../../../lib/fronts/responses/stream.ts";

const parsed = parseResponsesRequest({
  model: "m",
  input: "Hi",
  tools: [
    { type: "function", name: "get_weather" },
    { type: "custom", name: "apply_patch" },
    { type: "namespace", name: "agents", description: "Sub-agents", tools: [{ type: "function", name: "spawn" }] },
  ],
  include: ["reasoning.encrypted_content"],
});

function meta(extra: Partial<ResponseMeta> = {}): ResponseMeta {
  return {
    id: "resp_1",
    createdAt: 1,
    model: "m",
    echo: parsed.echo,
    tools: parsed.tools,
    inputTokens: 5,
    includeEncryptedReasoning: parsed.includeEncryptedReasoning,
    ...extra,
  };
}

interface Sse {
  event: string;
  data: Record<string, unknown> & { type: string; sequence_number: number };
}

/** The SSE events an answer is encoded as (the encoder flushed at the end). */
function encode(events: RelayEvent[], extra: Partial<ResponseMeta> = {}): Sse[] {
  const encoder = new AnswerEncoder(responsesEncoding(meta(extra)));
  const text = encoder.start() + events.map((event) => encoder.push(event)).join("") + encoder.flush();
  return text.split("\n\n").filter(Boolean).map((block) => {
    const [event, data] = block.split("\n");
    return { event: event.slice("event: ".length), data: JSON.parse(data.slice("data: ".length)) };
  });
}

const THOUGHT_TEXT_AND_CALL: RelayEvent[] = [
  { type: "thinking", text: "Let me " },
  { type: "thinking", text: "think." },
  { type: "thinking_signature", signature: "sig-1" },
  { type: "text", text: "Hello" },
  { type: "text", text: " there" },
  { type: "tool_call_start", index: 0, id: "call_1", name: "get_weather" },
  { type: "tool_call_delta", index: 0, arguments: '{"city":' },
  { type: "tool_call_delta", index: 0, arguments: '"Paris"}' },
  { type: "usage", usage: { promptTokens: 10, completionTokens: 7, cachedTokens: 4 } },
  { type: "finish", reason: "tool_calls" },
];

Deno.test("a reasoning item, a message and a function call, each opened, filled and closed in order", () => {
  const events = encode(THOUGHT_TEXT_AND_CALL);
  deepEqual(events.map((sse) => sse.event), [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.reasoning_summary_part.added",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done",
    "response.reasoning_summary_part.done",
    "response.output_item.done",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.output_item.added",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.output_item.done",
    "response.completed",
  ]);
  ok(events.every((sse) => sse.event === sse.data.type));
  deepEqual(events.map((sse) => sse.data.sequence_number), events.map((_, index) => index));
  const completed = events.at(-1)!.data.response as ResponseObject;
  equal(completed.status, "completed");
  ok(completed.completed_at);
  deepEqual(completed.usage, {
    input_tokens: 10,
    input_tokens_details: { cached_tokens: 4 },
    output_tokens: 7,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 17,
  });
  const [reasoning, message, call] = completed.output;
  deepEqual(reasoning, {
    type: "reasoning",
    id: reasoning.id,
    summary: [{ type: "summary_text", text: "Let me think." }],
    encrypted_content: "sig-1",
  });
  ok(message.type === "message");
  deepEqual(message.content, [{ type: "output_text", text: "Hello there", annotations: [], logprobs: [] }]);
  deepEqual(call, {
    type: "function_call",
    id: call.id,
    status: "completed",
    call_id: "call_1",
    name: "get_weather",
    arguments: '{"city":"Paris"}',
  });
  // Every item event names the item (id and index) that output_item.added announced, and .done carries it whole.
  const added = events.filter((sse) => sse.event === "response.output_item.added");
  deepEqual(added.map((sse) => (sse.data.item as { id: string }).id), completed.output.map((item) => item.id));
  for (const sse of events.filter((sse) => "item_id" in sse.data)) {
    equal(sse.data.item_id, completed.output[sse.data.output_index as number].id, sse.event);
  }
  const done = events.filter((sse) => sse.event === "response.output_item.done").map((sse) => sse.data.item);
  deepEqual(done, completed.output);
  const created = events[0].data.response as ResponseObject;
  deepEqual([created.status, created.output, created.usage], ["in_progress", [], null]);
});

Deno.test("without include reasoning.encrypted_content, the signature is not sent", () => {
  const events = encode(THOUGHT_TEXT_AND_CALL, { includeEncryptedReasoning: false });
  const reasoning = (events.at(-1)!.data.response as ResponseObject).output[0];
  ok(reasoning.type === "reasoning" && !("encrypted_content" in reasoning));
});

Deno.test("a custom tool's input is sent decoded, whole, when its call ends; a namespaced call names its namespace", () => {
  const events = encode([
    { type: "tool_call_start", index: 0, id: "call_1", name: "apply_patch" },
    { type: "tool_call_delta", index: 0, arguments: '{"input":"*** Begin' },
    { type: "tool_call_delta", index: 0, arguments: ' Patch\\n\\"x\\""}' },
    { type: "tool_call_start", index: 1, id: "call_2", name: "agents__spawn" },
    { type: "tool_call_delta", index: 1, arguments: "{}" },
    { type: "finish", reason: "tool_calls" },
  ]);
  const custom = events.filter((sse) => sse.event.startsWith("response.custom_tool_call_input"));
  deepEqual(custom.map((sse) => [sse.event, sse.data.delta ?? sse.data.input]), [
    ["response.custom_tool_call_input.delta", '*** Begin Patch\n"x"'],
    ["response.custom_tool_call_input.done", '*** Begin Patch\n"x"'],
  ]);
  const [patch, spawn] = (events.at(-1)!.data.response as ResponseObject).output;
  deepEqual(patch, {
    type: "custom_tool_call",
    id: patch.id,
    status: "completed",
    call_id: "call_1",
    name: "apply_patch",
    input: '*** Begin Patch\n"x"',
  });
  match(patch.id, /^ctc_/);
  ok(spawn.type === "function_call" && spawn.name === "spawn" && spawn.namespace === "agents");
});

Deno.test("an answer cut by the output budget is response.incomplete (max_output_tokens); a refusal content_filter", () => {
  const cut = encode([{ type: "text", text: "Hel" }, { type: "finish", reason: "length" }]);
  equal(cut.at(-1)!.event, "response.incomplete");
  const response = cut.at(-1)!.data.response as ResponseObject;
  deepEqual([response.status, response.incomplete_details, response.completed_at], [
    "incomplete",
    { reason: "max_output_tokens" },
    null,
  ]);
  const filtered = encode([{ type: "finish", reason: "content_filter" }]);
  deepEqual((filtered.at(-1)!.data.response as ResponseObject).incomplete_details, { reason: "content_filter" });
});

Deno.test("the item an output budget cut is incomplete, streamed and whole; the items before it completed", () => {
  const cut = encode([
    { type: "text", text: "Let me check." },
    { type: "tool_call_start", index: 0, id: "call_1", name: "get_weather" },
    { type: "tool_call_delta", index: 0, arguments: '{"ci' },
    { type: "finish", reason: "length" },
  ]);
  const done = cut.filter((sse) => sse.event === "response.output_item.done")
    .map((sse) => (sse.data.item as { status: string }).status);
  deepEqual(done, ["completed", "incomplete"]);
  const streamed = cut.at(-1)!.data.response as ResponseObject;
  deepEqual(streamed.output.map((item) => "status" in item && item.status), ["completed", "incomplete"]);
  const whole = toResponse(
    { text: "Hel", thinking: "", toolCalls: [], finishReason: "length" },
    meta(),
  );
  deepEqual(whole.output.map((item) => "status" in item && item.status), ["incomplete"]);
  const stopped = toResponse({ text: "Hello", thinking: "", toolCalls: [], finishReason: "stop" }, meta());
  deepEqual(stopped.output.map((item) => "status" in item && item.status), ["completed"]);
});

Deno.test("failures are response.failed with the output so far, never response.completed", () => {
  const broken = encode([
    { type: "text", text: "Hel" },
    { type: "error", error: new RelayError(502, "upstream stream failed: reset") },
    { type: "finish", reason: "stop" },
  ]);
  deepEqual(broken.slice(-2).map((sse) => sse.event), ["response.output_text.delta", "response.failed"]);
  const failed = broken.at(-1)!.data.response as ResponseObject;
  deepEqual(failed.error, { code: "server_error", message: "upstream stream failed: reset" });
  equal(failed.status, "failed");
  ok(failed.output[0].type === "message" && failed.output[0].status === "incomplete");
  const unfinished = encode([{ type: "text", text: "Hel" }]);
  equal(unfinished.at(-1)!.event, "response.failed", "an answer that ends without finish");
  ok(!unfinished.some((sse) => sse.event === "response.completed"));
  const limited = encode([{ type: "error", error: new RelayError(429, "Slow down.", { retryAfterMs: 1500 }) }]);
  deepEqual((limited.at(-1)!.data.response as ResponseObject).error, {
    code: "rate_limit_exceeded",
    message: "Slow down. Please try again in 2s.",
  });
  const late = encode([
    { type: "tool_call_start", index: 0, id: "a", name: "get_weather" },
    { type: "text", text: "x" },
    { type: "tool_call_delta", index: 0, arguments: "{}" },
  ]);
  equal(late.at(-1)!.event, "response.failed");
  match((late.at(-1)!.data.response as ResponseObject).error!.message, /arrived after its item ended/);
});

Deno.test("a failure keeps what the client already got of the open item: text, summary, arguments", () => {
  const failure: RelayEvent = { type: "error", error: new RelayError(502, "upstream stream failed: reset") };
  const text = encode([{ type: "text", text: "Hel" }, { type: "text", text: "lo" }, failure]);
  const message = (text.at(-1)!.data.response as ResponseObject).output[0];
  deepEqual(message.type === "message" && message.content, [
    { type: "output_text", text: "Hello", annotations: [], logprobs: [] },
  ]);
  const thought = encode([{ type: "thinking", text: "Hmm" }, failure]);
  deepEqual((thought.at(-1)!.data.response as ResponseObject).output[0], {
    type: "reasoning",
    id: (thought.at(-1)!.data.response as ResponseObject).output[0].id,
    summary: [{ type: "summary_text", text: "Hmm" }],
  });
  const call = encode([
    { type: "tool_call_start", index: 0, id: "call_1", name: "get_weather" },
    { type: "tool_call_delta", index: 0, arguments: '{"city":' },
  ]);
  const item = (call.at(-1)!.data.response as ResponseObject).output[0];
  ok(item.type === "function_call" && item.status === "incomplete" && item.arguments === '{"city":');
});

Deno.test("onEnd gets the final response object: completed, incomplete or failed, as the last event carries it", () => {
  const ended: ResponseObject[] = [];
  const answers: RelayEvent[][] = [
    [...THOUGHT_TEXT_AND_CALL, { type: "finish", reason: "tool_calls" }],
    [{ type: "finish", reason: "length" }],
    [{ type: "text", text: "Hi" }],
  ];
  for (const answer of answers) {
    const encoder = new AnswerEncoder(responsesEncoding(meta({ onEnd: (response) => ended.push(response) })));
    const text = encoder.start() + answer.map((event) => encoder.push(event)).join("") + encoder.flush();
    const last = text.split("\n\n").filter(Boolean).at(-1)!.split("\n")[1].slice("data: ".length);
    const type = JSON.parse(last).type;
    equal(last, JSON.stringify({ type, sequence_number: JSON.parse(last).sequence_number, response: ended.at(-1) }));
  }
  deepEqual(ended.map((response) => response.status), ["completed", "incomplete", "failed"]);
});

Deno.test("toResponse: the same items as the stream, an empty message when nothing was said and nothing called", () => {
  const whole = toResponse({
    text: "Hello there",
    thinking: "Let me think.",
    thinkingSignature: "sig-1",
    toolCalls: [{ id: "call_1", name: "apply_patch", arguments: '{"input":"patch"}' }],
    finishReason: "tool_calls",
    usage: { promptTokens: 3, completionTokens: 4 },
  }, meta());
  deepEqual(whole.output.map((item) => item.type), ["reasoning", "message", "custom_tool_call"]);
  ok(whole.output[2].type === "custom_tool_call" && whole.output[2].input === "patch");
  equal(whole.usage!.total_tokens, 7);
  const empty = toResponse({ text: "", thinking: "", toolCalls: [], finishReason: "stop" }, meta());
  deepEqual(empty.output.map((item) => item.type), ["message"]);
  equal(empty.usage!.input_tokens, 5, "the estimate when the upstream reports none");
  equal(toResponse({ text: "x", thinking: "", toolCalls: [], finishReason: "length" }, meta()).status, "incomplete");
});
