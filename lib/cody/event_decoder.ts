import { getLogger } from "@logtape/logtape";
import type { RelayEvent } from "../hub/events.ts";
import { RelayError } from "../hub/errors.ts";
import { finishReasonOf } from "../hub/finish_reason.ts";
import { CoreStream } from "../hub/stage.ts";
import { type SseAnswer, SseDecoder, type SseMessage } from "../hub/sse_decoder.ts";
import { ToolCallTracker } from "./tool_call_tracker.ts";
import { errorFromStreamEvent } from "./upstream_error.ts";
import { CodyCompletionData } from "./wire.ts";

const log = getLogger(["cody-relay", "cody"]);

/**
 * The Cody SSE decoder itself, synchronous: feed it each network read of a
 * `/.api/completions/stream` response, of any api-version, and it returns that read's hub
 * events. Handles cumulative `completion` (legacy, v1: only the new suffix is emitted),
 * `deltaText` (v ≥ 2), `delta_thinking`, `thinking_signature`, `delta_tool_calls`, the
 * final `usage`/`model`/`stopReason` frame, `event: error` (HTTP status is still 200) and
 * `event: done`. Adjacent text, thinking and same-call argument fragments of one read are
 * merged, so a read that brings 200 deltas at once costs the rest of the pipeline one event
 * and nothing waits longer. After `finish` or `error` it is `done`; an upstream that closes
 * before that gets an `error` from `end()`, never a silent `finish`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CodyEventDecoder } from "./event_decoder.ts";
 * const decoder = new CodyEventDecoder();
 * const sse = 'event: completion\ndata: {"deltaText":"Hi"}\n\nevent: done\ndata: {}\n\n';
 * const events = decoder.push(new TextEncoder().encode(sse));
 * ok(events[0].type === "text" && events[1].type === "finish" && decoder.done);
 * ```
 */
export class CodyEventDecoder extends SseDecoder {
  /** A decoder for one answer. */
  constructor() {
    super((emit) => new CodyAnswer(emit));
  }
}

/**
 * {@link CodyEventDecoder} as a `TransformStream` from response bytes to hub events; the
 * stream ends right after `finish` or `error`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CodyEventDecoderStream } from "./event_decoder.ts";
 * const sse = 'event: completion\ndata: {"deltaText":"Hi"}\n\nevent: done\ndata: {}\n\n';
 * const events = await Array.fromAsync(
 *   ReadableStream.from([new TextEncoder().encode(sse)]).pipeThrough(new CodyEventDecoderStream()),
 * );
 * ok(events[0].type === "text" && events[1].type === "finish");
 * ```
 */
export class CodyEventDecoderStream extends CoreStream<Uint8Array, RelayEvent> {
  /** A decoder stream for one answer. */
  constructor() {
    super(new CodyEventDecoder());
  }
}

/**
 * The state of one Cody answer being decoded from its SSE messages: what was said so far
 * and how it ended (the {@link SseAnswer} of {@link CodyEventDecoder}, and the Cody
 * adapter's `streamAnswer`).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { CodyAnswer } from "./event_decoder.ts";
 * import type { RelayEvent } from "../hub/events.ts";
 * const events: RelayEvent[] = [];
 * const answer = new CodyAnswer((event) => events.push(event));
 * answer.accept({ event: "completion", data: '{"deltaText":"Hi"}' });
 * answer.end();
 * equal(events[1].type, "error", "a stream without `done` is an error");
 * ```
 */
export class CodyAnswer implements SseAnswer {
  readonly #emit: (event: RelayEvent) => void;
  readonly #tools = new ToolCallTracker();
  #cumulative = "";
  #stopReason?: string;
  #model?: string;
  ended = false;

  /** An answer that hands its events to `emit`. */
  constructor(emit: (event: RelayEvent) => void) {
    this.#emit = emit;
  }

  /** Takes one SSE message. */
  accept(message: SseMessage): void {
    if (this.ended) return;
    switch (message.event ?? "completion") {
      case "completion":
        if (message.data === "[DONE]") this.#finish();
        else this.#completion(message.data);
        return;
      case "error":
        return this.#fail(errorFromStreamEvent(message.data));
      case "done":
        return this.#finish();
      default:
        log.warn("ignoring unknown Cody event {event}", { event: message.event });
    }
  }

  /** The upstream closed the connection. */
  end(): void {
    if (this.ended) return;
    this.#fail(new RelayError(502, "Sourcegraph closed the stream before the answer finished (no done event)"));
  }

  #completion(data: string): void {
    const plain = plainDeltaText(data);
    if (plain !== undefined) {
      if (plain) this.#emit({ type: "text", text: plain });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return this.#fail(new RelayError(502, `Sourcegraph sent a malformed completion event: ${data.slice(0, 200)}`));
    }
    if (isPlainDelta(json)) {
      if (json.deltaText) this.#emit({ type: "text", text: json.deltaText });
      return;
    }
    const parsed = CodyCompletionData.safeParse(json);
    if (!parsed.success) {
      return this.#fail(
        new RelayError(502, `Sourcegraph sent an unexpected completion event: ${parsed.error.message}`),
      );
    }
    const frame = parsed.data;
    if (frame.delta_thinking) this.#emit({ type: "thinking", text: frame.delta_thinking });
    if (frame.thinking_signature) {
      this.#emit({ type: "thinking_signature", signature: frame.thinking_signature });
    }
    if (frame.deltaText) this.#emit({ type: "text", text: frame.deltaText });
    else if (typeof frame.completion === "string") this.#replace(frame.completion);
    for (const fragment of frame.delta_tool_calls ?? []) {
      for (const event of this.#tools.accept(fragment)) this.#emit(event);
    }
    if (frame.usage) {
      this.#emit({
        type: "usage",
        usage: {
          promptTokens: frame.usage.prompt_tokens,
          completionTokens: frame.usage.completion_tokens,
          ...(frame.usage.prompt_tokens_details?.cached_tokens
            ? { cachedTokens: frame.usage.prompt_tokens_details.cached_tokens }
            : {}),
        },
      });
    }
    if (frame.model) this.#model = frame.model;
    if (frame.stopReason) this.#stopReason = frame.stopReason;
  }

  /** Legacy and v1 frames carry the whole text so far: emit only what is new. */
  #replace(completion: string): void {
    const previous = this.#cumulative;
    this.#cumulative = completion;
    if (!completion.startsWith(previous)) {
      log.warn("Cody rewrote text already sent; emitting only the text past the old length");
    }
    const added = completion.slice(previous.length);
    if (added) this.#emit({ type: "text", text: added });
  }

  #finish(): void {
    this.#emit({
      type: "finish",
      reason: finishReasonOf(this.#stopReason, this.#tools.count > 0),
      ...(this.#stopReason ? { upstreamReason: this.#stopReason } : {}),
      ...(this.#model ? { model: this.#model } : {}),
    });
    this.ended = true;
  }

  #fail(error: RelayError): void {
    this.#emit({ type: "error", error });
    this.ended = true;
  }
}

/**
 * The frame almost every event is, `{"deltaText":"…"}`: checked by hand, since a schema
 * validation per token costs more than the rest of decoding it.
 */
const PLAIN_DELTA_HEAD = '{"deltaText":"';

/**
 * The text of a `{"deltaText":"…"}` frame whose text has no quote or backslash, read
 * without `JSON.parse` (most of a streamed answer's frames are these); undefined for any
 * other frame, which is parsed as JSON.
 */
function plainDeltaText(data: string): string | undefined {
  if (!data.startsWith(PLAIN_DELTA_HEAD) || !data.endsWith('"}')) return undefined;
  const text = data.slice(PLAIN_DELTA_HEAD.length, -2);
  return text.includes('"') || text.includes("\\") ? undefined : text;
}

function isPlainDelta(json: unknown): json is { deltaText: string } {
  if (typeof json !== "object" || json === null || typeof (json as { deltaText?: unknown }).deltaText !== "string") {
    return false;
  }
  for (const key in json) if (key !== "deltaText") return false;
  return true;
}
