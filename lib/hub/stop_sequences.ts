import type { RelayEvent } from "./events.ts";

/**
 * Ends the answer at the first of `stops` in its text, as the client asked, whatever the
 * upstream did with them (it may accept fewer, or none on some endpoints). Text that could
 * be the start of a stop sequence is held back until the next text decides; a match across
 * chunks is found. On a match the text before it goes out, then `finish` (`stop`, with
 * `upstreamReason: "stop_sequence"` and the sequence), and the upstream is cancelled.
 *
 * @example
 * ```ts
 * import { StopSequenceStream } from "./stop_sequences.ts";
 * import type { RelayEvent } from "./events.ts";
 * const events = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "return a + b;\n\n" },
 *   { type: "text", text: "function next" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new StopSequenceStream(["\n\n"]));
 * const all = await Array.fromAsync(events);
 * console.assert(all[0].type === "text" && all[0].text === "return a + b;");
 * console.assert(all[1].type === "finish" && all[1].stopSequence === "\n\n");
 * ```
 */
export class StopSequenceStream extends TransformStream<RelayEvent, RelayEvent> {
  /** `stops`: the sequences; empty strings are ignored. */
  constructor(stops: readonly string[]) {
    const sequences = stops.filter((stop) => stop.length > 0);
    const longest = Math.max(0, ...sequences.map((stop) => stop.length));
    let held = "";
    const release = (controller: TransformStreamDefaultController<RelayEvent>) => {
      if (held) controller.enqueue({ type: "text", text: held });
      held = "";
    };
    super({
      transform(event, controller) {
        if (event.type !== "text") {
          release(controller);
          controller.enqueue(event);
          return;
        }
        const text = held + event.text;
        const match = firstMatch(text, sequences);
        if (match) {
          if (match.index > 0) controller.enqueue({ type: "text", text: text.slice(0, match.index) });
          controller.enqueue({
            type: "finish",
            reason: "stop",
            upstreamReason: "stop_sequence",
            stopSequence: match.stop,
          });
          held = "";
          controller.terminate();
          return;
        }
        const keep = heldBack(text, sequences, longest);
        held = text.slice(text.length - keep);
        if (keep < text.length) controller.enqueue({ type: "text", text: text.slice(0, text.length - keep) });
      },
      flush: release,
    });
  }
}

function firstMatch(text: string, stops: string[]): { index: number; stop: string } | undefined {
  let best: { index: number; stop: string } | undefined;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && (!best || index < best.index)) best = { index, stop };
  }
  return best;
}

/** How many characters at the end of `text` could begin a stop sequence (never splitting a surrogate pair). */
function heldBack(text: string, stops: string[], longest: number): number {
  for (let keep = Math.min(longest - 1, text.length); keep > 0; keep--) {
    const tail = text.slice(text.length - keep);
    if (stops.some((stop) => stop.startsWith(tail))) {
      const split = text.charCodeAt(text.length - keep - 1);
      return split >= 0xd800 && split <= 0xdbff ? keep + 1 : keep;
    }
  }
  return 0;
}
