/**
 * What every front does between parsing a request and encoding the answer: run the hub
 * with the client's key, disconnect signal and trace, then answer with JSON or a stream.
 *
 * @module
 */
import { collectAnswer, type CollectedAnswer } from "../hub/collect.ts";
import type { RelayEvent } from "../hub/events.ts";
import { relay, type RelayOptions } from "../hub/relay.ts";
import type { RelayRequest } from "../hub/request.ts";
import { type RequestTrace, traceOf } from "../hub/trace.ts";
import type { Upstream, UpstreamContext } from "../hub/upstream.ts";
import { clientKey } from "./client_key.ts";
import { observeBody } from "./observe_body.ts";

/** Headers of every SSE response: exact `text/event-stream` (coLLaMA compares it), no buffering. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/** The header naming the upstream model that answered. */
export const MODEL_HEADER = "x-cody-relay-model";

/** What every front takes: the hub's options and the HTTP-side limits. */
export interface FrontOptions extends RelayOptions {
  /** SSE keep-alive interval, and how long a stream waits for its first event before committing to 200. @default 10000 */
  keepAliveMs?: number;
  /** Request bodies over this many bytes are a 413. @default 10 MiB */
  maxBodyBytes?: number;
}

/**
 * The upstream context of an HTTP request: the key the client sent (unless it was a gateway
 * key, which is the relay's, not the upstream's), its abort signal, its trace.
 *
 * @example
 * ```ts
 * import { upstreamContext } from "./respond.ts";
 * const context = upstreamContext(new Request("http://relay/", { headers: { "x-api-key": "sk" } }));
 * console.assert(context.apiKey === "sk");
 * ```
 */
export function upstreamContext(request: Request): UpstreamContext {
  const trace = traceOf(request);
  return { apiKey: trace.gatewayKey ? undefined : clientKey(request.headers), signal: request.signal, trace };
}

/** How a front answers: which shapes, and whether the client asked for a stream. */
export interface AnswerShape {
  /** Whether to stream. */
  stream: boolean;
  /** The model as the client named it, for the request's log line. @default the hub request's model */
  requestedModel?: string;
  /** The whole answer in the front's JSON shape; `fallbackModel` is set when a fallback model answered. */
  toJson(answer: CollectedAnswer, fallbackModel?: string): unknown;
  /** Hub events → the front's stream bytes; `fallbackModel` as in `toJson`. */
  encoder(fallbackModel?: string): TransformStream<RelayEvent, Uint8Array>;
  /** Headers of the streaming response. @default SSE_HEADERS */
  streamHeaders?: Readonly<Record<string, string>>;
  /** Whether the stream format takes SSE comments as keep-alives. @default true */
  keepAlive?: boolean;
}

/**
 * Runs the hub for `request` and answers: the collected answer as JSON, or a stream that
 * commits to `200` once the first event shows the upstream started, so a failure before
 * that throws (the front's error handler answers in its shape; CodeCompanion and others
 * drop in-stream errors). An SSE stream whose first event takes longer than
 * `keepAliveMs` commits then and sends `: keepalive` comments until it comes, so
 * proxies do not cut a long thinking phase. `x-cody-relay-continue: off` turns
 * continuation off.
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
  options: FrontOptions = {},
): Promise<Response> {
  if (/^(off|false|0|no)$/i.test(raw.headers.get("x-cody-relay-continue")?.trim() ?? "")) request.autoContinue = false;
  const context = upstreamContext(raw);
  const trace = context.trace!;
  trace.requestedModel ??= shape.requestedModel ?? request.model;
  const { events, first } = relay(upstream, request, context, options);
  const fallbackModel = () => trace.model !== request.model ? trace.model : undefined;
  if (!shape.stream) {
    const answer = await collectAnswer(events);
    trace.firstByte();
    return Response.json(shape.toJson(answer, fallbackModel()), {
      headers: {
        ...modelHeader(trace),
        "x-cody-relay-continuations": String(answer.continuations ?? 0),
        ...(answer.usage?.estimated ? { "x-cody-relay-usage": "estimated" } : {}),
      },
    });
  }
  const keepAliveMs = shape.keepAlive === false ? undefined : options.keepAliveMs ?? 10_000;
  const head = await (keepAliveMs === undefined ? first : within(first, keepAliveMs));
  if (head !== WAITING && head?.type === "error") {
    await events.cancel();
    throw head.error;
  }
  trace.streaming = true;
  const pending = head === WAITING;
  const body = pending
    ? encodeOnceStarted(events, first, () => shape.encoder(fallbackModel()))
    : events.pipeThrough(shape.encoder(fallbackModel()));
  return new Response(observeBody(body, { keepAliveMs, keepAliveNow: pending, trace }), {
    headers: { ...shape.streamHeaders ?? SSE_HEADERS, ...(pending ? {} : modelHeader(trace)) },
  });
}

/** What {@link within} resolves with when the time ran out first. */
const WAITING = Symbol("waiting");

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof WAITING> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<typeof WAITING>((resolve) => timer = setTimeout(resolve, ms, WAITING));
  return Promise.race([promise, waited]).finally(() => clearTimeout(timer));
}

function modelHeader(trace: RequestTrace): Record<string, string> {
  return trace.model ? { [MODEL_HEADER]: trace.model } : {};
}

/** Encodes `events` with an encoder made once the first event arrived (so it knows which model answered). */
function encodeOnceStarted(
  events: ReadableStream<RelayEvent>,
  first: Promise<unknown>,
  encoder: () => TransformStream<RelayEvent, Uint8Array>,
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!reader) await first;
      if (cancelled) return;
      reader ??= events.pipeThrough(encoder()).getReader();
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      cancelled = true;
      return reader ? reader.cancel(reason) : events.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
