import type { RelayEvent } from "./events.ts";
import type { RelayRequest } from "./request.ts";

let tokenizer: Promise<(text: string) => number> | undefined;

/** The longest run of one kind (spaces, or anything else) counted in one piece: BPE costs the square of a piece's length. */
const LONGEST_RUN = 128;
/** Characters counted between two yields to the event loop, so a long prompt never stalls other streams. */
const SLICE = 64 * 1024;

/**
 * Counts tokens with the o200k BPE (`gpt-tokenizer`), loaded on first use because the
 * encoding table costs a few hundred milliseconds to load. An estimate: upstream models
 * tokenize differently, but far closer than characters ÷ 4. The cost is linear in the
 * text: runs of one kind longer than {@link LONGEST_RUN} characters are counted in pieces
 * (BPE is quadratic in a piece's length), and the event loop gets a turn every
 * {@link SLICE} characters.
 *
 * @example
 * ```ts
 * import { countTokens } from "./usage_estimate.ts";
 * console.assert(await countTokens("Hello, world!") > 0);
 * console.assert(await countTokens("y".repeat(1_000_000)) > 0);
 * ```
 */
export async function countTokens(text: string): Promise<number> {
  tokenizer ??= import("gpt-tokenizer/encoding/o200k_base").then((module) => module.countTokens);
  const count = await tokenizer;
  let total = 0;
  let start = 0;
  let sinceTurn = 0;
  let run = 0;
  let spaces = false;
  for (let at = 0; at < text.length; at++) {
    const space = isSpace(text.charCodeAt(at));
    if (space !== spaces) {
      spaces = space;
      run = 0;
    }
    if (++run <= LONGEST_RUN && (run > 1 || at - start < SLICE)) continue;
    total += count(text.slice(start, at));
    sinceTurn += at - start;
    start = at;
    run = 1;
    if (sinceTurn >= SLICE) {
      sinceTurn = 0;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return total + count(text.slice(start));
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Passes hub events through unchanged, and when a stream finishes without the upstream
 * having reported usage, inserts an estimated `usage` event (marked `estimated`) just
 * before `finish`, so clients that need token counts (Zed, usage-only chunks) get real
 * integers rather than zeros.
 *
 * @example
 * ```ts
 * import { UsageEstimateStream } from "./usage_estimate.ts";
 * import type { RelayEvent } from "./events.ts";
 * const events = ReadableStream.from<RelayEvent>([
 *   { type: "text", text: "Hello there" },
 *   { type: "finish", reason: "stop" },
 * ]).pipeThrough(new UsageEstimateStream({ messages: [] }));
 * const usage = (await Array.fromAsync(events)).find((event) => event.type === "usage");
 * console.assert(usage?.type === "usage" && usage.usage.estimated === true);
 * ```
 */
export class UsageEstimateStream extends TransformStream<RelayEvent, RelayEvent> {
  constructor(request: RelayRequest) {
    const output: string[] = [];
    let reported = false;
    super({
      async transform(event, controller) {
        switch (event.type) {
          case "text":
          case "thinking":
            output.push(event.text);
            break;
          case "tool_call_start":
            output.push(event.name);
            break;
          case "tool_call_delta":
            output.push(event.arguments);
            break;
          case "usage":
            reported = true;
            break;
          case "finish":
            if (!reported) {
              const [promptTokens, completionTokens] = await Promise.all([
                estimatePromptTokens(request),
                countTokens(output.join("")),
              ]);
              controller.enqueue({
                type: "usage",
                usage: { promptTokens, completionTokens, estimated: true },
              });
            }
        }
        controller.enqueue(event);
      },
    });
  }
}

/**
 * Estimates the prompt tokens of a request (its text, tool calls and results, and tool
 * definitions) with {@link countTokens}: for `count_tokens` endpoints and for usage that
 * must be reported before the upstream has counted.
 *
 * @example
 * ```ts
 * import { estimatePromptTokens } from "./usage_estimate.ts";
 * const tokens = await estimatePromptTokens({ messages: [{ role: "user", parts: [{ type: "text", text: "Hi there" }] }] });
 * console.assert(tokens > 0);
 * ```
 */
export function estimatePromptTokens(request: RelayRequest): Promise<number> {
  return countTokens(promptText(request));
}

function promptText(request: RelayRequest): string {
  const pieces: string[] = request.infill ? [request.infill.prefix, request.infill.suffix] : [];
  for (const message of request.messages) {
    for (const part of message.parts) {
      if (part.type === "text" || part.type === "thinking") pieces.push(part.text);
      else if (part.type === "tool_result") pieces.push(part.content);
      else if (part.type === "tool_call") pieces.push(part.name, part.arguments);
    }
  }
  if (request.tools?.length) pieces.push(JSON.stringify(request.tools));
  return pieces.join("\n");
}
