/**
 * Continuation as a state machine: the events of an answer the upstream cut off (`finish`
 * with `length`) go in, round after round; what the client sees comes out, as one answer,
 * with the request for the next round when one is needed. Synchronous and without I/O:
 * the pipeline's continuation stage opens the rounds it asks for.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { RelayError } from "../hub/errors.ts";
import type { RelayEvent, RelayUsage } from "../hub/events.ts";
import type { RelayRequest } from "../hub/request.ts";
import { StopSequenceMatcher } from "../hub/stop_sequences.ts";
import { continuationRequest, toolArgumentsRequest } from "./continuation_request.ts";
import { Seam } from "./seam.ts";

const log = getLogger(["cody-relay", "continuation"]);

/**
 * Where an answer is:
 * - `first_round`: the upstream's first answer is arriving;
 * - `continuing`: a round that goes on with the text (its start repaired by a {@link Seam});
 * - `repairing`: a round that completes a tool call's JSON arguments the limit cut off;
 * - `ended`: the answer finished or failed; nothing more goes out.
 */
export type ContinuationPhase = "first_round" | "continuing" | "repairing" | "ended";

/** What one event did: the events for the client, and the next round's request if one must start. */
export interface ContinuationStep {
  /** Events to pass on, in order. */
  events: RelayEvent[];
  /** Set when the round ended cut off and the next round should be asked with this request. */
  next?: RelayRequest;
  /** Set when the answer ended while its round still runs (a stop sequence across a seam): cancel that round. */
  cancelRound?: true;
}

/** A tool call of the answer so far. */
interface Call {
  name: string;
  arguments: string;
}

/** Deltas of the answer's text kept as separate pieces before they are joined into one chunk. */
const SENT_PIECES = 64;

/**
 * The state machine of one continued answer; {@link ContinuationMachine.step} is its one
 * transition function. The client sees one answer: one `finish` (with `continuations`,
 * the extra rounds) and one `usage` summing every round. Thinking of later rounds is
 * dropped; their tool calls get indices after the earlier ones. A failing round ends the
 * answer with its `error`. An answer cut inside a tool call's JSON arguments is completed
 * by rounds that continue only those arguments; if they still do not parse, the answer
 * ends with an error rather than broken JSON. Rounds go on while the client's budget
 * (`maxTokens`) is not used up and `maxContinuations` allows.
 *
 * The client's stop sequences (`request.stop`) are cut within each round before its events
 * arrive here; the machine finds the ones that span a seam: text that could start a stop is
 * held back when a round is cut off, and if the next round's text completes the stop, the
 * answer ends before it with `finish` `stop` (`stopSequence` set), its `usage` summing the
 * rounds before that one, and {@link ContinuationStep.cancelRound} set.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { ContinuationMachine } from "./continuation_machine.ts";
 * const machine = new ContinuationMachine({ messages: [{ role: "user", parts: [{ type: "text", text: "Count" }] }] }, 8);
 * machine.step({ type: "text", text: "one two" });
 * const cut = machine.step({ type: "finish", reason: "length" });
 * equal(machine.phase, "continuing");
 * equal(cut.next?.messages.at(-2)?.role, "assistant");
 * machine.step({ type: "text", text: " three" });
 * const end = machine.step({ type: "finish", reason: "stop" });
 * equal(end.events.at(-1)?.type, "finish");
 * equal(machine.phase, "ended");
 * ```
 */
export class ContinuationMachine {
  readonly #request: RelayRequest;
  readonly #maxContinuations: number;
  #phase: ContinuationPhase = "first_round";
  #round = 0;
  /**
   * The answer's text so far: chunks of {@link SENT_PIECES} deltas joined, then the latest
   * deltas. A string grown by `+=` per delta keeps a 32-byte rope node per delta, and each
   * delta the event text it was cut from, for as long as the answer streams.
   */
  #sent: string[] = [];
  /** How many of {@link ContinuationMachine.#sent}'s pieces at the front are joined chunks. */
  #joined = 0;
  #seam?: Seam;
  #toolBase = 0;
  #calls: Call[] = [];
  #inToolArguments = false;
  /** The call whose arguments a `repairing` round completes. */
  #repairing = 0;
  #usage: RelayUsage = { promptTokens: 0, completionTokens: 0 };
  /** Holds back text that could start one of the client's stops, across seams. */
  readonly #stops?: StopSequenceMatcher;
  /** Characters given to {@link ContinuationMachine.#stops} and not yet let out. */
  #holding = 0;
  /** Of those, how many were held when the current round started (text of earlier rounds). */
  #carried = 0;
  /** Characters {@link ContinuationMachine.#stops} let out during the current round. */
  #roundOut = 0;

  /** A machine for the answer to `request`, allowed `maxContinuations` rounds after the first. */
  constructor(request: RelayRequest, maxContinuations: number) {
    this.#request = request;
    this.#maxContinuations = maxContinuations;
    if (request.stop?.length) this.#stops = new StopSequenceMatcher(request.stop);
  }

  /** Where the answer is. */
  get phase(): ContinuationPhase {
    return this.#phase;
  }

  /** Rounds after the first so far. */
  get continuations(): number {
    return this.#round;
  }

  /** Takes one event of the current round. */
  step(event: RelayEvent): ContinuationStep {
    if (this.#phase === "ended") return { events: [] };
    const repairing = this.#phase === "repairing";
    switch (event.type) {
      case "text": {
        const text = this.#seam ? this.#seam.push(event.text) : event.text;
        if (repairing) return { events: this.#arguments(this.#repairing, text) };
        this.#inToolArguments = false;
        return this.#stopped(this.#text(text, event));
      }
      case "thinking":
      case "thinking_signature":
        return { events: this.#phase === "first_round" ? [event] : [] };
      case "tool_call_start":
        if (repairing) return { events: [] };
        this.#inToolArguments = true;
        this.#calls[this.#toolBase + event.index] = { name: event.name, arguments: "" };
        return { events: [...this.#release(), { ...event, index: this.#toolBase + event.index }] };
      case "tool_call_delta":
        if (repairing) return { events: [] };
        this.#calls[this.#toolBase + event.index].arguments += event.arguments;
        return { events: [{ ...event, index: this.#toolBase + event.index }] };
      case "usage":
        this.#add(event.usage);
        return { events: [] };
      case "meta":
        return { events: [event] };
      case "error":
        this.#phase = "ended";
        return { events: [...this.#release(), event] };
      case "finish":
        return this.#finish(event);
    }
  }

  /** The round ended: finish the answer, or ask for the next round. */
  #finish(event: Extract<RelayEvent, { type: "finish" }>): ContinuationStep {
    const repairing = this.#phase === "repairing";
    const rest = this.#seam?.end() ?? "";
    const events = repairing ? this.#arguments(this.#repairing, rest) : this.#text(rest);
    if (this.#stopped(events).cancelRound) return { events }; // this round has ended already
    const cutCall = repairing ? this.#repairing : this.#inToolArguments ? this.#calls.length - 1 : undefined;
    if (cutCall !== undefined && !parses(this.#calls[cutCall].arguments)) {
      if (event.reason === "length" && this.#canContinue()) {
        const call = this.#calls[cutCall];
        this.#start("repairing", new Seam(call.arguments));
        this.#repairing = cutCall;
        return {
          events: this.#withRound(events),
          next: toolArgumentsRequest(this.#request, this.#sentText(), call, this.#remaining()),
        };
      }
      if (repairing || this.#canContinue()) {
        const name = this.#calls[cutCall].name;
        this.#phase = "ended";
        const error = new RelayError(
          502,
          `the output limit cut off the arguments of a call to ${name}, and they could not be completed`,
        );
        return { events: [...events, { type: "error", error }] };
      }
    }
    if (event.reason === "length" && cutCall === undefined && this.#canContinue()) {
      this.#start("continuing", new Seam(this.#sentText()));
      this.#toolBase = this.#calls.length;
      return {
        events: this.#withRound(events),
        next: continuationRequest(this.#request, this.#sentText(), this.#remaining()),
      };
    }
    if (this.#round > 0) log.info("answer completed in {rounds} rounds", { rounds: this.#round + 1 });
    this.#phase = "ended";
    events.push(...this.#release(), { type: "usage", usage: this.#usage }, {
      ...event,
      ...(repairing ? { reason: "tool_calls" as const } : {}),
      continuations: this.#round,
    });
    return { events };
  }

  #start(phase: "continuing" | "repairing", seam: Seam): void {
    this.#phase = phase;
    this.#seam = seam;
    this.#round++;
    this.#carried = this.#holding;
    this.#roundOut = 0;
  }

  /** `events` and a `meta` event saying which round is asked now (for the request's timeline). */
  #withRound(events: RelayEvent[]): RelayEvent[] {
    events.push({ type: "meta", meta: { round: this.#round } });
    return events;
  }

  /**
   * Notes `text` as said and returns the event for what can go out of it (`original` itself
   * when it says just that), then a `finish` if it completed a stop sequence.
   */
  #text(text: string, original?: RelayEvent): RelayEvent[] {
    if (!text) return [];
    this.#sent.push(text);
    if (this.#sent.length - this.#joined >= SENT_PIECES) {
      this.#sent.push(this.#sent.splice(this.#joined).join(""));
      this.#joined = this.#sent.length;
    }
    let out = text;
    if (this.#stops) {
      const match = this.#stops.push(text);
      out = match.text;
      if (match.stop !== undefined) {
        const acrossSeam = this.#roundOut + out.length < this.#carried;
        this.#holding = this.#carried = this.#roundOut = 0;
        const events: RelayEvent[] = out ? [{ type: "text", text: out }] : [];
        // A stop within this round was cut by the round's own stage, whose `finish` follows.
        if (acrossSeam) {
          events.push({ type: "finish", reason: "stop", upstreamReason: "stop_sequence", stopSequence: match.stop });
        }
        return events;
      }
      this.#holding += text.length - out.length;
      this.#roundOut += out.length;
      if (!out) return [];
    }
    return [original?.type === "text" && original.text === out ? original : { type: "text", text: out }];
  }

  /** The text held back for the stop sequences, let out (no stop can span what comes next). */
  #release(): RelayEvent[] {
    const held = this.#stops?.flush() ?? "";
    this.#roundOut += held.length;
    this.#holding = 0;
    return held ? [{ type: "text", text: held }] : [];
  }

  /** `events`, ended with the usage so far if a stop sequence across a seam ended the answer. */
  #stopped(events: RelayEvent[]): ContinuationStep {
    const finish = events.at(-1);
    if (finish?.type !== "finish") return { events };
    this.#phase = "ended";
    events.splice(-1, 0, { type: "usage", usage: this.#usage });
    events[events.length - 1] = { ...finish, continuations: this.#round };
    return { events, cancelRound: true };
  }

  #sentText(): string {
    return this.#sent.join("");
  }

  #arguments(index: number, text: string): RelayEvent[] {
    if (!text) return [];
    this.#calls[index].arguments += text;
    return [{ type: "tool_call_delta", index, arguments: text }];
  }

  #add(usage: RelayUsage): void {
    this.#usage = {
      promptTokens: this.#usage.promptTokens + usage.promptTokens,
      completionTokens: this.#usage.completionTokens + usage.completionTokens,
      ...(usage.cachedTokens || this.#usage.cachedTokens
        ? { cachedTokens: (this.#usage.cachedTokens ?? 0) + (usage.cachedTokens ?? 0) }
        : {}),
      ...(usage.estimated || this.#usage.estimated ? { estimated: true } : {}),
    };
  }

  #canContinue(): boolean {
    const { maxTokens } = this.#request;
    return this.#round < this.#maxContinuations &&
      (maxTokens === undefined || this.#usage.completionTokens < maxTokens);
  }

  #remaining(): number | undefined {
    const { maxTokens } = this.#request;
    return maxTokens === undefined ? undefined : maxTokens - this.#usage.completionTokens;
  }
}

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}
