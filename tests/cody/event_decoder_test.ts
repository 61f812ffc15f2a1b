import { deepEqual, equal, ok } from "node:assert/strict";
import { CodyEventDecoder, CodyEventDecoderStream } from "../../lib/cody/event_decoder.ts";
import { CodyUpstream } from "../../lib/cody/upstream.ts";
import { answerStream } from "../../lib/hub/answer_stream.ts";
import { collectAnswer } from "../../lib/hub/collect.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import { drain, fixture, TOKEN } from "../harness.ts";

function decode(bytes: Uint8Array | string): Promise<RelayEvent[]> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return drain(ReadableStream.from([data]).pipeThrough(new CodyEventDecoderStream()));
}

function text(events: RelayEvent[]): string {
  return events.flatMap((event) => event.type === "text" ? [event.text] : []).join("");
}

Deno.test("legacy cumulative stream yields exactly the recorded final text", async () => {
  const bytes = await fixture("legacy-cumulative.sse");
  const lastData = new TextDecoder().decode(bytes).trim().split("\n\n").filter((event) =>
    event.startsWith("event: completion")
  ).at(-1)!;
  const recorded = JSON.parse(lastData.split("data: ")[1]).completion as string;
  const events = await decode(bytes);
  equal(text(events), recorded);
  ok(recorded.startsWith("<keywords>"), "Go escapes decoded");
  deepEqual(events.at(-1), { type: "finish", reason: "stop", upstreamReason: "end_turn" });
});

Deno.test("v2 delta stream yields text, usage, then finish", async () => {
  const events = await decode(await fixture("v2-delta.sse"));
  equal(text(events), "Hello, world!");
  deepEqual(events.slice(-2), [
    { type: "usage", usage: { promptTokens: 15, completionTokens: 8 } },
    { type: "finish", reason: "stop" },
  ]);
});

Deno.test("v9 tool-call stream yields one call whose arguments parse as JSON", async () => {
  const events = await decode(await fixture("v9-text-then-tool-call.sse"));
  const starts = events.filter((event) => event.type === "tool_call_start");
  deepEqual(starts, [{
    type: "tool_call_start",
    index: 0,
    id: "toolu_vrtx_016RhXQJns9bHFwUthLysxjA",
    name: "must_call_this_tool",
  }]);
  const args = events.flatMap((event) => event.type === "tool_call_delta" ? [event.arguments] : []).join("");
  deepEqual(JSON.parse(args), { reason: "User requested the secret number" });
  equal(text(events), "I'll call the tool to retrieve the secret number for you.");
  deepEqual(events.at(-1), {
    type: "finish",
    reason: "tool_calls",
    upstreamReason: "tool_use",
    model: "claude-sonnet-4-5-20250929",
  });
});

Deno.test("thinking deltas and signature become thinking events", async () => {
  const events = await decode(
    'event: completion\ndata: {"delta_thinking":"Hmm"}\n\nevent: completion\ndata: {"delta_thinking":""}\n\n' +
      'event: completion\ndata: {"thinking_signature":"sig"}\n\nevent: completion\ndata: {"deltaText":"Hi"}\n\n' +
      'event: completion\ndata: {"stopReason":"max_tokens"}\n\nevent: done\ndata: {}\n\n',
  );
  deepEqual(events, [
    { type: "thinking", text: "Hmm" },
    { type: "thinking_signature", signature: "sig" },
    { type: "text", text: "Hi" },
    { type: "finish", reason: "length", upstreamReason: "max_tokens" },
  ]);
});

for (
  const [shape, data, message] of [
    [
      "{error}",
      '{"error":"Anthropic: unexpected status code 429: slow down"}',
      "Anthropic: unexpected status code 429: slow down",
    ],
    [
      "{message,type}",
      '{"message":"context deadline exceeded","type":"completion.process_completion"}',
      "context deadline exceeded",
    ],
    ["plain text", "upstream exploded", "upstream exploded"],
  ] as const
) {
  Deno.test(`error event with ${shape} data ends the stream with an error`, async () => {
    const events = await decode(
      `event: completion\ndata: {"deltaText":"a"}\n\nevent: error\ndata: ${data}\n\nevent: done\ndata: {}\n\n`,
    );
    equal(events.length, 2);
    const last = events[1];
    ok(last.type === "error" && last.error.message.includes(message), JSON.stringify(last));
  });
}

Deno.test("an in-stream 429 keeps its status; a deadline becomes 504", async () => {
  const [rateLimited] = await decode('event: error\ndata: {"error":"x: unexpected status code 429: y"}\n\n');
  const [deadline] = await decode('event: error\ndata: {"message":"context deadline exceeded","type":"t"}\n\n');
  ok(rateLimited.type === "error" && rateLimited.error.status === 429);
  ok(deadline.type === "error" && deadline.error.status === 504);
});

Deno.test("a stream that closes without done is an error, not a finish", async () => {
  const events = await decode('event: completion\ndata: {"deltaText":"half an ans"}\n\n');
  equal(events.length, 2);
  ok(events[1].type === "error" && /before the answer finished/.test(events[1].error.message));
});

Deno.test("unknown events are ignored; done without stopReason finishes with stop", async () => {
  const events = await decode(
    'event: attribution-error\ndata: {"error":"x"}\n\nevent: completion\ndata: {"deltaText":"ok"}\n\nevent: done\ndata: {}\n\n',
  );
  deepEqual(events, [{ type: "text", text: "ok" }, { type: "finish", reason: "stop" }]);
});

Deno.test("malformed completion data is an error event", async () => {
  const events = await decode("event: completion\ndata: {not json\n\nevent: done\ndata: {}\n\n");
  equal(events.length, 1);
  ok(events[0].type === "error" && /malformed/.test(events[0].error.message));
});

Deno.test("tool-call fragments with a known id continue that call; new ids start new calls", async () => {
  const frame = (calls: unknown) => `event: completion\ndata: ${JSON.stringify({ delta_tool_calls: calls })}\n\n`;
  const events = await decode(
    frame([{ id: "a", function: { name: "f", arguments: '{"x":' } }]) +
      frame([{ id: "b", function: { name: "g", arguments: "{}" } }]) +
      frame([{ id: "a", function: { name: "", arguments: "1}" } }]) + "event: done\ndata: {}\n\n",
  );
  deepEqual(events, [
    { type: "tool_call_start", index: 0, id: "a", name: "f" },
    { type: "tool_call_delta", index: 0, arguments: '{"x":' },
    { type: "tool_call_start", index: 1, id: "b", name: "g" },
    { type: "tool_call_delta", index: 1, arguments: "{}" },
    { type: "tool_call_delta", index: 0, arguments: "1}" },
    { type: "finish", reason: "tool_calls" },
  ]);
});

/** Characters of two, three and four UTF-8 bytes, raw in the JSON (Go's encoder escapes only `<>&` and U+2028/9). */
const MULTI_BYTE = "café 🦕 日本語 naïve ✓";

const frame = (data: Record<string, unknown>) => `event: completion\ndata: ${JSON.stringify(data)}\n\n`;

/** Raw UTF-8 in every place Cody puts model text: deltas, cumulative text, thinking and tool-call arguments. */
const multiByteStreams: [string, Uint8Array][] = [
  [
    "v2 deltas, thinking and tool-call arguments",
    new TextEncoder().encode(
      frame({ delta_thinking: "思考 🤔" }) + frame({ deltaText: "café 🦕 " }) + frame({ deltaText: "日本語 naïve ✓" }) +
        frame({ delta_tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: '{"k":"値🦕' } }] }) +
        frame({ delta_tool_calls: [{ id: "", function: { name: "", arguments: 'é"}' } }] }) +
        frame({ stopReason: "tool_use" }) + "event: done\ndata: {}\n\n",
    ),
  ],
  [
    "legacy cumulative text",
    new TextEncoder().encode(
      frame({ completion: "café 🦕", stopReason: "" }) + frame({ completion: "café 🦕 日本語", stopReason: "" }) +
        frame({ completion: MULTI_BYTE, stopReason: "end_turn" }) + "event: done\ndata: {}\n\n",
    ),
  ],
];

/** Every byte offset that falls inside a multi-byte UTF-8 sequence (after a lead or continuation byte, before a continuation byte). */
function insideCharacters(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let at = 1; at < bytes.length; at++) if ((bytes[at] & 0xc0) === 0x80) offsets.push(at);
  return offsets;
}

/** A body that hands over one chunk per read, so each chunk is its own network read. */
function body(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++].slice());
      else controller.close();
    },
  }, { highWaterMark: 0 });
}

/** The ways the relay decodes a Cody body: the exported stream stage, the fast path, and the Cody upstream the server runs. */
function decoders(): [string, (chunks: Uint8Array[]) => Promise<RelayEvent[]>][] {
  let reads: Uint8Array[] = [];
  const upstream = new CodyUpstream({
    endpoint: "http://sourcegraph.test",
    fetch: (request) =>
      Promise.resolve(
        new URL(request.url).pathname === "/.api/client-config"
          ? Response.json({ latestSupportedCompletionsStreamAPIVersion: 9 })
          : new Response(body(reads), { headers: { "content-type": "text/event-stream" } }),
      ),
  });
  const hello = { messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "Hi" }] }] };
  return [
    ["CodyEventDecoderStream", (chunks) => drain(body(chunks).pipeThrough(new CodyEventDecoderStream()))],
    ["CodyEventDecoder (the core)", (chunks) => {
      const decoder = new CodyEventDecoder();
      return Promise.resolve([...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.flush()]);
    }],
    ["CodyUpstream (the adapter path)", async (chunks) => {
      reads = chunks;
      return drain(await answerStream(upstream, hello, { apiKey: TOKEN }));
    }],
  ];
}

/** What the events come to, as a client would assemble them. */
async function assembled(events: RelayEvent[]): Promise<string> {
  const answer = await collectAnswer(ReadableStream.from(events));
  return JSON.stringify({ ...answer, usage: undefined });
}

for (const [path, decode] of decoders()) {
  for (const [name, bytes] of multiByteStreams) {
    Deno.test(`${path}: ${name} split inside a character, at any byte, arrive intact`, async () => {
      const whole = await assembled(await decode([bytes]));
      ok(whole.includes("🦕") && whole.includes("日本語") && whole.includes("é"), whole);
      ok(!whole.includes("\ufffd"), "no replacement characters when the body comes in one read");
      const offsets = insideCharacters(bytes);
      ok(offsets.length >= 20, "the stream has characters to split");
      for (const at of offsets) {
        equal(await assembled(await decode([bytes.subarray(0, at), bytes.subarray(at)])), whole, `split at byte ${at}`);
      }
      equal(
        await assembled(await decode(Array.from(bytes, (byte) => Uint8Array.of(byte)))),
        whole,
        "one byte per read",
      );
    });
  }

  Deno.test(`${path}: the recorded fixtures decode the same in small reads as whole`, async () => {
    for (const name of ["legacy-cumulative.sse", "v2-delta.sse", "v9-text-then-tool-call.sse"]) {
      const bytes = await fixture(name);
      const whole = await decode([bytes]);
      equal(whole.at(-1)?.type, "finish", `${name} finished`);
      // One byte per read; 13 for the 114 kB legacy recording, which would otherwise take a second.
      const size = bytes.length > 10_000 ? 13 : 1;
      const reads = Array.from(
        { length: Math.ceil(bytes.length / size) },
        (_, i) => bytes.subarray(i * size, (i + 1) * size),
      );
      equal(await assembled(await decode(reads)), await assembled(whole), `${name} in ${size}-byte reads`);
    }
  });
}

Deno.test("delta frames read as written: plain text, escapes, quotes, unicode, an empty delta and look-alike frames", async () => {
  const deltas = ["plain ", 'a "quoted" \\ path\n', "é\u2028😀", "", "end"];
  const frames = deltas.map((deltaText) => `event: completion\ndata: ${JSON.stringify({ deltaText })}\n\n`);
  const lookAlike = 'event: completion\ndata: {"deltaText":"x","stopReason":"max_tokens"}\n\n';
  const events = await decode(frames.join("") + lookAlike + "event: done\ndata: {}\n\n");
  equal(text(events), deltas.join("") + "x");
  deepEqual(events.at(-1), { type: "finish", reason: "length", upstreamReason: "max_tokens" });
});
