import type { RelayEvent } from "./events.ts";

/** What {@link StopSequenceMatcher.push} decided about a piece of text. */
export interface StopMatch {
  /** Text that can go out now. */
  text: string;
  /** The stop sequence found, when one was: the answer ends after `text`. */
  stop?: string;
}

/**
 * The synchronous core of {@link StopSequenceStream}: finds the first of `stops` in text
 * that arrives in pieces, holding back a tail that could be the start of a stop until
 * the next piece decides. Linear in the text: a match is found with `indexOf`, and the
 * tail to hold back with each stop's failure table (Knuth–Morris–Pratt), never by trying
 * every tail against every stop.
 *
 * @example
 * ```ts
 * import { StopSequenceMatcher } from "./stop_sequences.ts";
 * const matcher = new StopSequenceMatcher(["\n\n"]);
 * console.assert(matcher.push("return a;\n").text === "return a;");
 * const end = matcher.push("\nmore");
 * console.assert(end.text === "" && end.stop === "\n\n");
 * ```
 */
export class StopSequenceMatcher {
  readonly #stops: { stop: string; failure: Int32Array }[];
  #held = "";

  /** `stops`: the sequences; empty strings are ignored. */
  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((stop) => stop.length > 0).map((stop) => ({ stop, failure: failureTable(stop) }));
  }

  /** Takes the next piece of text: what can go out, and the stop if one ended the answer there. */
  push(piece: string): StopMatch {
    const text = this.#held + piece;
    let match: { index: number; stop: string } | undefined;
    for (const { stop } of this.#stops) {
      const index = text.indexOf(stop);
      if (index >= 0 && (!match || index < match.index)) match = { index, stop };
    }
    if (match) {
      this.#held = "";
      return { text: text.slice(0, match.index), stop: match.stop };
    }
    const keep = this.#heldBack(text);
    this.#held = text.slice(text.length - keep);
    return { text: text.slice(0, text.length - keep) };
  }

  /** The text held back, once no more text will come. */
  flush(): string {
    const held = this.#held;
    this.#held = "";
    return held;
  }

  /** How many characters at the end of `text` could begin a stop sequence (never splitting a surrogate pair). */
  #heldBack(text: string): number {
    let keep = 0;
    for (const { stop, failure } of this.#stops) keep = Math.max(keep, prefixAtEnd(text, stop, failure));
    const split = text.charCodeAt(text.length - keep - 1);
    return keep > 0 && split >= 0xd800 && split <= 0xdbff ? keep + 1 : keep;
  }
}

/** The failure table of `stop`: at `i`, the length of the longest proper prefix of `stop[0..i]` that ends there too. */
function failureTable(stop: string): Int32Array {
  const failure = new Int32Array(stop.length);
  for (let i = 1, length = 0; i < stop.length; i++) {
    while (length > 0 && stop[i] !== stop[length]) length = failure[length - 1];
    if (stop[i] === stop[length]) length++;
    failure[i] = length;
  }
  return failure;
}

/** The length of the longest proper prefix of `stop` that `text` ends with (one pass over its last characters). */
function prefixAtEnd(text: string, stop: string, failure: Int32Array): number {
  let length = 0;
  for (let at = Math.max(0, text.length - stop.length + 1); at < text.length; at++) {
    while (length > 0 && text[at] !== stop[length]) length = failure[length - 1];
    if (text[at] === stop[length]) length++;
  }
  return length;
}

/**
 * Ends the answer at the first of `stops` in its text, as the client asked. The relay
 * keeps stop detection to itself (upstreams are not sent the client's stops), so it
 * always knows which sequence ended the answer. Text that could be the start of a stop
 * sequence is held back until the next text decides; a match across chunks is found. On a
 * match the text before it goes out, then `finish` (`stop`, with `upstreamReason:
 * "stop_sequence"` and the sequence), and the upstream is cancelled.
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
    const matcher = new StopSequenceMatcher(stops);
    const release = (controller: TransformStreamDefaultController<RelayEvent>) => {
      const held = matcher.flush();
      if (held) controller.enqueue({ type: "text", text: held });
    };
    super({
      transform(event, controller) {
        if (event.type !== "text") {
          release(controller);
          controller.enqueue(event);
          return;
        }
        const { text, stop } = matcher.push(event.text);
        if (text) controller.enqueue({ type: "text", text });
        if (stop === undefined) return;
        controller.enqueue({ type: "finish", reason: "stop", upstreamReason: "stop_sequence", stopSequence: stop });
        controller.terminate();
      },
      flush: release,
    });
  }
}
