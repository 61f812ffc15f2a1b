/**
 * What every front does between parsing a request and encoding the answer: run the hub
 * with the client's key and disconnect signal, then answer with JSON or a stream.
 *
 * @module
 */
import { collectAnswer, type CollectedAnswer } from "../hub/collect.ts";
import type { RelayEvent } from "../hub/events.ts";
import { peekFirst } from "../hub/peek.ts";
import { relay, type RelayOptions } from "../hub/relay.ts";
import type { RelayRequest } from "../hub/request.ts";
import type { Upstream, UpstreamContext } from "../hub/upstream.ts";
import { clientKey } from "./client_key.ts";

/** Headers of every SSE response: exact `text/event-stream` (coLLaMA compares it), no buffering. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/**
 * The upstream context of an HTTP request: the key the client sent and its abort signal.
 *
 * @example
 * ```ts
 * import { upstreamContext } from "./respond.ts";
 * const context = upstreamContext(new Request("http://relay/", { headers: { "x-api-key": "sk" } }));
 * console.assert(context.apiKey === "sk");
 * ```
 */
export function upstreamContext(request: Request): UpstreamContext {
  return { apiKey: clientKey(request.headers), signal: request.signal };
}

/** How a front answers: which shapes, and whether the client asked for a stream. */
export interface AnswerShape {
  /** Whether to stream. */
  stream: boolean;
  /** The whole answer in the front's JSON shape. */
  toJson(answer: CollectedAnswer): unknown;
  /** Hub events → the front's stream bytes. */
  encoder(): TransformStream<RelayEvent, Uint8Array>;
  /** Headers of the streaming response. @default SSE_HEADERS */
  streamHeaders?: Readonly<Record<string, string>>;
}

/**
 * Runs the hub for `request` and answers: the collected answer as JSON, or a stream that
 * commits to `200` only once the first event shows the upstream started, so a failure
 * before that throws (the front's error handler answers in its shape; CodeCompanion and
 * others drop in-stream errors). `x-cody-relay-continue: off` turns continuation off.
 *
 * @example
 * ```ts
 * import { answerRequest } from "./respond.ts";
 * import type { Upstream } from "../hub/upstream.ts";
 * const upstream: Upstream = {
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([]),
 * };
 * const response = await answerRequest(upstream, new Request("http://relay/"), { messages: [] }, {
 *   stream: false,
 *   toJson: (answer) => ({ text: answer.text }),
 *   encoder: () => new TransformStream(),
 * });
 * console.assert((await response.json()).text === "Hi");
 * ```
 */
export async function answerRequest(
  upstream: Upstream,
  raw: Request,
  request: RelayRequest,
  shape: AnswerShape,
  options: RelayOptions = {},
): Promise<Response> {
  if (/^(off|false|0|no)$/i.test(raw.headers.get("x-cody-relay-continue")?.trim() ?? "")) request.autoContinue = false;
  const events = await relay(upstream, request, upstreamContext(raw), options);
  if (!shape.stream) {
    const answer = await collectAnswer(events);
    return Response.json(shape.toJson(answer), {
      headers: {
        "x-cody-relay-continuations": String(answer.continuations ?? 0),
        ...(answer.usage?.estimated ? { "x-cody-relay-usage": "estimated" } : {}),
      },
    });
  }
  const { first, rest } = await peekFirst(events);
  if (first?.type === "error") {
    await rest.cancel();
    throw first.error;
  }
  return new Response(rest.pipeThrough(shape.encoder()), { headers: shape.streamHeaders ?? SSE_HEADERS });
}
