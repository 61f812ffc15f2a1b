/**
 * Token counts when the upstream gives none: the o200k BPE of `gpt-tokenizer`, in time
 * linear in the text whatever it holds.
 *
 * @module
 */
import type { RelayEvent } from "./events.ts";
import type { RelayRequest } from "./request.ts";
import { RememberedCounts } from "./remembered_counts.ts";
import type { StageCore } from "./stage.ts";

/** Counts the tokens of a text, synchronously. */
export type TokenCounter = (text: string) => number;

/** The longest run of one kind (spaces, or anything else) counted in one piece: BPE costs the square of a piece's length. */
const LONGEST_RUN = 128;
/** Characters counted between two yields to the event loop, so a long prompt never stalls other streams. */
const SLICE = 64 * 1024;
/** Texts longer than this are estimated from their first {@link SAMPLE} characters, so a synchronous count stays short. */
const SAMPLE = 256 * 1024;

let loaded: Promise<(text: string) => number> | undefined;

/** The BPE's own counter, loaded on first use (its table takes a few hundred milliseconds to load). */
function bpe(): Promise<(text: string) => number> {
  return loaded ??= import("gpt-tokenizer/encoding/o200k_base").then((module) => module.countTokens);
}

/** Where to cut `text` so that no piece holds a run of one kind longer than {@link LONGEST_RUN}, nor is longer than `slice`. */
function* pieces(text: string, slice: number): Generator<[start: number, end: number]> {
  let start = 0;
  let run = 0;
  let spaces = false;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    const space = code === 32 || (code >= 9 && code <= 13);
    if (space !== spaces) {
      spaces = space;
      run = 0;
    }
    if (++run <= LONGEST_RUN && (run > 1 || at - start < slice)) continue;
    yield [start, at];
    start = at;
    run = 1;
  }
  yield [start, text.length];
}

/**
 * Loads the tokenizer and returns a synchronous counter: exact up to 256 K characters (in
 * pieces, since BPE is quadratic in a run without spaces), and estimated from the first
 * 256 K characters for longer texts, so a count never holds the event loop for long.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { tokenCounter } from "./usage_estimate.ts";
 * const count = await tokenCounter();
 * ok(count("Hello, world!") > 0 && count("y".repeat(1_000_000)) > 0);
 * ```
 */
export async function tokenCounter(): Promise<TokenCounter> {
  const count = await bpe();
  return counter ??= (text) => {
    const sample = text.length > SAMPLE ? text.slice(0, SAMPLE) : text;
    let total = 0;
    for (const [start, end] of pieces(sample, Infinity)) total += count(sample.slice(start, end));
    return sample === text ? total : Math.round(total * text.length / sample.length);
  };
}

let counter: TokenCounter | undefined;

/**
 * The {@link tokenCounter}, if it was loaded already: a stage that needs a count only now
 * and then loads the tokenizer (tens of megabytes) only when it does.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { loadedTokenCounter, tokenCounter } from "./usage_estimate.ts";
 * const count = await tokenCounter();
 * equal(loadedTokenCounter(), count);
 * ```
 */
export function loadedTokenCounter(): TokenCounter | undefined {
  return counter;
}

/**
 * Exact counts of long texts counted lately: an agent sends its whole conversation with
 * every turn (and asks `count_tokens` for it as well), so each long message goes through
 * the BPE once, not once per turn. Texts of 256 characters or more, 4 M characters in all.
 */
const remembered = new RememberedCounts(256, 4 * 1024 * 1024);

/**
 * The exact token counts of `texts`, added up: long texts remembered for `scope`, the
 * others counted in pieces, giving the event loop a turn every 64 K characters counted.
 */
async function countAll(texts: readonly string[], scope: string): Promise<number> {
  const count = await bpe();
  let total = 0;
  let sinceTurn = 0;
  for (const text of texts) {
    const known = remembered.recall(scope, text);
    if (known !== undefined) {
      total += known;
      continue;
    }
    let counted = 0;
    for (const [start, end] of pieces(text, SLICE)) {
      counted += count(text.slice(start, end));
      sinceTurn += end - start;
      if (sinceTurn < SLICE) continue;
      sinceTurn = 0;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    remembered.remember(scope, text, counted);
    total += counted;
  }
  return total;
}

/**
 * Counts tokens exactly, however long the text: in pieces, giving the event loop a turn
 * every 64 K characters so a long prompt never stalls other streams. For `count_tokens`
 * endpoints, whose figure clients act on. The counts of long texts are remembered for a
 * while, apart for each `scope` (a client: see {@link RememberedCounts}), so counting one
 * again costs a lookup.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { countTokens } from "./usage_estimate.ts";
 * ok(await countTokens("Hello, world!") > 0);
 * const long = "y".repeat(1_000_000);
 * equal(await countTokens(long), await countTokens(long));
 * ```
 */
export function countTokens(text: string, scope = ""): Promise<number> {
  return countAll([text], scope);
}

/**
 * The text a request's prompt consists of, for counting: its messages' text, tool calls and
 * results, tool definitions, and a fill-in-the-middle request's code.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { promptText } from "./usage_estimate.ts";
 * equal(promptText({ messages: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }] }), "Hi");
 * ```
 */
export function promptText(request: RelayRequest): string {
  return promptParts(request).join("\n");
}

/** The texts of {@link promptText}, before they are joined with line breaks. */
function promptParts(request: RelayRequest): string[] {
  const parts: string[] = request.infill ? [request.infill.prefix, request.infill.suffix] : [];
  for (const message of request.messages) {
    for (const part of message.parts) {
      if (part.type === "text" || part.type === "thinking") parts.push(part.text);
      else if (part.type === "tool_result") parts.push(part.content);
      else if (part.type === "tool_call") parts.push(part.name, part.arguments);
    }
  }
  if (request.tools?.length) parts.push(JSON.stringify(request.tools));
  return parts;
}

/**
 * Estimates the prompt tokens of a request: the exact counts of the texts of its
 * {@link promptText}, one token for each line break between them. Counted text by text,
 * so the history an agent sends again with each turn is counted once for each `scope` (a
 * client: see {@link countTokens}).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { estimatePromptTokens } from "./usage_estimate.ts";
 * ok(await estimatePromptTokens({ messages: [{ role: "user", parts: [{ type: "text", text: "Hi there" }] }] }) > 0);
 * ```
 */
export async function estimatePromptTokens(request: RelayRequest, scope = ""): Promise<number> {
  const parts = promptParts(request);
  return Math.max(0, parts.length - 1) + await countAll(parts, scope);
}

/**
 * Passes hub events through unchanged, and when the answer finishes without the upstream
 * having reported usage, inserts an estimated `usage` event (marked `estimated`) just
 * before `finish`, so clients that need token counts (Zed, usage-only chunks) get real
 * integers rather than zeros. Nothing is counted unless it is needed.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { tokenCounter, UsageEstimateCore } from "./usage_estimate.ts";
 * const core = new UsageEstimateCore({ messages: [] }, await tokenCounter());
 * core.push({ type: "text", text: "Hello there" });
 * const [usage, finish] = core.push({ type: "finish", reason: "stop" });
 * equal(usage.type === "usage" && usage.usage.estimated, true);
 * equal(finish.type, "finish");
 * ```
 */
export class UsageEstimateCore implements StageCore<RelayEvent, RelayEvent> {
  readonly #request: RelayRequest;
  readonly #count: TokenCounter;
  readonly #output: string[] = [];
  #reported = false;

  /** An estimator for the answer to `request`, counting with `count`. */
  constructor(request: RelayRequest, count: TokenCounter) {
    this.#request = request;
    this.#count = count;
  }

  /** Whether the upstream reported usage (so nothing will be counted). */
  get reported(): boolean {
    return this.#reported;
  }

  /** Passes `event` on, with an estimated `usage` before a `finish` the upstream gave no usage for. */
  push(event: RelayEvent): RelayEvent[] {
    switch (event.type) {
      case "text":
      case "thinking":
        this.#output.push(event.text);
        break;
      case "tool_call_start":
        this.#output.push(event.name);
        break;
      case "tool_call_delta":
        this.#output.push(event.arguments);
        break;
      case "usage":
        this.#reported = true;
        break;
      case "finish":
        if (!this.#reported) {
          const usage = {
            promptTokens: this.#count(promptText(this.#request)),
            completionTokens: this.#count(this.#output.join("")),
            estimated: true,
          };
          return [{ type: "usage", usage }, event];
        }
    }
    return [event];
  }

  /** Nothing is held back. */
  flush(): RelayEvent[] {
    return [];
  }
}

/**
 * {@link UsageEstimateCore} as a `TransformStream` (it loads the tokenizer first).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { UsageEstimateStream } from "./usage_estimate.ts";
 * import type { RelayEvent } from "./events.ts";
 * const events = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "Hello there" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new UsageEstimateStream({ messages: [] }));
 * const usage = (await Array.fromAsync(events)).find((event) => event.type === "usage");
 * equal(usage?.type === "usage" && usage.usage.estimated, true);
 * ```
 */
export class UsageEstimateStream extends TransformStream<RelayEvent, RelayEvent> {
  /** An estimator for the answer to `request`. */
  constructor(request: RelayRequest) {
    let core: UsageEstimateCore;
    super({
      start: async () => void (core = new UsageEstimateCore(request, await tokenCounter())),
      transform: (event, controller) => core.push(event).forEach((out) => controller.enqueue(out)),
    });
  }
}
