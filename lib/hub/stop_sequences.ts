import { isTerminal, type RelayEvent } from "./events.ts";
import { CoreStream, type StageCore } from "./stage.ts";

/** What {@link StopSequenceMatcher.push} decided about a piece of text. */
export interface StopMatch {
  /** Text that can go out now. */
  text: string;
  /** The stop sequence found, when one was: the answer ends after `text`. */
  stop?: string;
}

/** One stop sequence as a Knuth–Morris–Pratt automaton: its code units, failure table, and how much of it the text ends with. */
interface StopAutomaton {
  stop: string;
  units: Uint16Array;
  failure: Int32Array;
  matched: number;
}

/**
 * The synchronous core of {@link StopSequenceStream}: finds the first of `stops` to
 * complete in text that arrives in pieces, holding back a tail that could be the start of
 * a stop until the next piece decides. Each stop is a Knuth–Morris–Pratt automaton that
 * carries its state from piece to piece, so every code unit of the answer is looked at
 * once per stop, whatever the pieces and the stops.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { StopSequenceMatcher } from "./stop_sequences.ts";
 * const matcher = new StopSequenceMatcher(["\n\n"]);
 * deepEqual(matcher.push("return a;\n"), { text: "return a;" });
 * deepEqual(matcher.push("\nmore"), { text: "", stop: "\n\n" });
 * ```
 */
export class StopSequenceMatcher {
  readonly #stops: StopAutomaton[];
  #held = "";

  /** `stops`: the sequences; empty strings are ignored. */
  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((stop) => stop.length > 0).map((stop) => ({
      stop,
      units: Uint16Array.from({ length: stop.length }, (_, index) => stop.charCodeAt(index)),
      failure: failureTable(stop),
      matched: 0,
    }));
  }

  /**
   * Takes the next piece of text: what can go out, and the stop if one ended the answer
   * there (the one completed first; of two completed at once, the longer).
   */
  push(piece: string): StopMatch {
    const text = this.#held + piece;
    const offset = this.#held.length;
    for (let at = 0; at < piece.length; at++) {
      const unit = piece.charCodeAt(at);
      let found: StopAutomaton | undefined;
      for (const automaton of this.#stops) {
        if (advance(automaton, unit) && (!found || automaton.units.length > found.units.length)) found = automaton;
      }
      if (found) {
        this.#held = "";
        for (const automaton of this.#stops) automaton.matched = 0;
        return { text: text.slice(0, offset + at + 1 - found.units.length), stop: found.stop };
      }
    }
    const keep = this.#heldBack(text);
    this.#held = text.slice(text.length - keep);
    return { text: text.slice(0, text.length - keep) };
  }

  /**
   * The text held back, let out (once no more text will come, or before another event):
   * a stop it began cannot be completed by later text, which is matched afresh.
   */
  flush(): string {
    const held = this.#held;
    this.#held = "";
    for (const automaton of this.#stops) automaton.matched = 0;
    return held;
  }

  /** How many characters at the end of `text` could begin a stop sequence (never splitting a surrogate pair). */
  #heldBack(text: string): number {
    const keep = Math.max(0, ...this.#stops.map((automaton) => automaton.matched));
    const split = text.charCodeAt(text.length - keep - 1);
    return keep > 0 && split >= 0xd800 && split <= 0xdbff ? keep + 1 : keep;
  }
}

/** Feeds one code unit to a stop's automaton; true when the stop is complete. */
function advance(automaton: StopAutomaton, unit: number): boolean {
  const { units, failure } = automaton;
  let matched = automaton.matched;
  while (matched > 0 && units[matched] !== unit) matched = failure[matched - 1];
  if (units[matched] === unit) matched++;
  automaton.matched = matched;
  return matched === units.length;
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

/**
 * Ends the answer at the first of `stops` in its text, as the client asked: a stage core
 * over hub events around a {@link StopSequenceMatcher}. The relay keeps stop detection to
 * itself (upstreams are not sent the client's stops), so it always knows which sequence
 * ended the answer. Text that could be the start of a stop is held back until the next
 * text decides. On a match the text before it goes out, then `finish` (`stop`, with
 * `upstreamReason: "stop_sequence"` and the sequence), and the core is `done` (the caller
 * cancels the upstream).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { StopSequenceCore } from "./stop_sequences.ts";
 * const core = new StopSequenceCore(["\n\n"]);
 * deepEqual(core.push({ type: "text", text: "return a;\n" }), [{ type: "text", text: "return a;" }]);
 * deepEqual(core.push({ type: "text", text: "\nmore" }), [
 *   { type: "finish", reason: "stop", upstreamReason: "stop_sequence", stopSequence: "\n\n" },
 * ]);
 * deepEqual([core.done, core.push({ type: "text", text: "late" })], [true, []]);
 * ```
 */
export class StopSequenceCore implements StageCore<RelayEvent, RelayEvent> {
  readonly #matcher: StopSequenceMatcher;
  #done = false;

  /** `stops`: the sequences; empty strings are ignored. */
  constructor(stops: readonly string[]) {
    this.#matcher = new StopSequenceMatcher(stops);
  }

  /** True once the answer ended (a stop matched, or a final event passed). */
  get done(): boolean {
    return this.#done;
  }

  /** Takes one event: the text that can go out, and the `finish` when a stop matched. */
  push(event: RelayEvent): RelayEvent[] {
    if (this.#done) return [];
    if (event.type !== "text") {
      this.#done = isTerminal(event);
      return [...this.flush(), event];
    }
    const { text, stop } = this.#matcher.push(event.text);
    const out: RelayEvent[] = text ? [{ type: "text", text }] : [];
    if (stop === undefined) return out;
    this.#done = true;
    out.push({ type: "finish", reason: "stop", upstreamReason: "stop_sequence", stopSequence: stop });
    return out;
  }

  /** The text held back, once no more events come. */
  flush(): RelayEvent[] {
    const held = this.#matcher.flush();
    return held ? [{ type: "text", text: held }] : [];
  }
}

/**
 * {@link StopSequenceCore} as a `TransformStream`; on a match the stream ends and the
 * upstream is cancelled.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { StopSequenceStream } from "./stop_sequences.ts";
 * import { isTerminal, type RelayEvent } from "./events.ts";
import { CoreStream, type StageCore } from "./stage.ts";
 * const events = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "return a + b;\n\n" },
 *   { type: "text", text: "function next" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new StopSequenceStream(["\n\n"]));
 * const all = await Array.fromAsync(events);
 * equal(all[0].type === "text" && all[0].text, "return a + b;");
 * equal(all[1].type === "finish" && all[1].stopSequence, "\n\n");
 * ```
 */
export class StopSequenceStream extends CoreStream<RelayEvent, RelayEvent> {
  /** `stops`: the sequences; empty strings are ignored. */
  constructor(stops: readonly string[]) {
    super(new StopSequenceCore(stops));
  }
}
