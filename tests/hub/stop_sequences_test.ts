import { deepEqual } from "node:assert/strict";
import fc from "fast-check";
import type { RelayEvent } from "../../lib/hub/events.ts";
import { StopSequenceStream } from "../../lib/hub/stop_sequences.ts";

function run(texts: string[], stops: string[], end: RelayEvent = { type: "finish", reason: "stop" }) {
  const events: RelayEvent[] = [...texts.map((text) => ({ type: "text" as const, text })), end];
  return Array.fromAsync(ReadableStream.from(events).pipeThrough(new StopSequenceStream(stops)));
}

function textOf(events: RelayEvent[]): string {
  return events.map((event) => event.type === "text" ? event.text : "").join("");
}

Deno.test("a stop sequence split across chunks ends the answer before it, and says which", async () => {
  const events = await run(["return a", " + b;\n", "\nfunction"], ["\n\n", "<|endoftext|>"]);
  deepEqual(textOf(events), "return a + b;");
  deepEqual(events.at(-1), { type: "finish", reason: "stop", upstreamReason: "stop_sequence", stopSequence: "\n\n" });
});

Deno.test("any number of stop sequences apply; the earliest match wins", async () => {
  const stops = ["a1", "b2", "c3", "d4", "e5", "END", "<fim_prefix>"];
  const events = await run(["xx <fim", "_prefix> yy END"], stops);
  deepEqual(textOf(events), "xx ");
  deepEqual(events.at(-1)?.type === "finish" && events.at(-1), {
    type: "finish",
    reason: "stop",
    upstreamReason: "stop_sequence",
    stopSequence: "<fim_prefix>",
  });
});

Deno.test("held-back text is released when no stop follows, and before other events", async () => {
  const events = await run(["ends with <", "b"], ["<stop>"]);
  deepEqual(events, [
    { type: "text", text: "ends with " },
    { type: "text", text: "<b" },
    { type: "finish", reason: "stop" },
  ]);
});

Deno.test("the upstream is cancelled once a stop sequence matched", async () => {
  let cancelled = false;
  const source = new ReadableStream<RelayEvent>({
    pull: (controller) => controller.enqueue({ type: "text", text: "more STOP more" }),
    cancel: () => void (cancelled = true),
  });
  const events = await Array.fromAsync(source.pipeThrough(new StopSequenceStream(["STOP"])));
  deepEqual(textOf(events), "more ");
  deepEqual(cancelled, true);
});

Deno.test("any chunking of the text gives the same output as cutting the whole text", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: fc.constantFrom("a", "b", "\n", "🦕", "<", ">") }),
      fc.array(fc.nat(), { maxLength: 6 }),
      async (text, cuts) => {
        const stops = ["\n\n", "<a>", "🦕b"];
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, index) => text.slice(start, [...points, text.length][index]));
        const cut = Math.min(...stops.map((stop) => text.indexOf(stop)).filter((index) => index >= 0));
        const expected = Number.isFinite(cut) ? text.slice(0, cut) : text;
        deepEqual(textOf(await run(chunks, stops)), expected);
      },
    ),
  );
});
