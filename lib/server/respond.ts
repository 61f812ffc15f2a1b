/**
 * What every dialect's route does between parsing a request and encoding the answer: ask
 * the relay's upstream with the client's key and disconnect signal, then answer with JSON
 * or a stream. The stream is one stage: each batch of events the upstream pushes (one per
 * network read) is encoded by the dialect's {@link AnswerEncoder} and written as one chunk.
 *
 * @module
 */
import { AnswerCollector, type CollectedAnswer } from "../hub/collect.ts";
import { Deadline } from "../hub/deadline.ts";
import type { RelayError } from "../hub/errors.ts";
import { isTerminal, type RelayEvent } from "../hub/events.ts";
import { QuietTimer } from "../hub/quiet_timer.ts";
import type { RelayRequest } from "../hub/request.ts";
import type { AnswerCall, Upstream, UpstreamContext } from "../hub/upstream.ts";
import { AnswerEncoder, type AnswerEncoding } from "../fronts/answer_encoder.ts";
import { clientKey } from "./client_key.ts";
import { type RequestTrace, traceOf } from "./trace.ts";

/** Headers of every SSE response: exact `text/event-stream` (coLLaMA compares it), no buffering. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/** The header naming the model that answered: the one asked for, or the fallback model that answered instead. */
export const MODEL_HEADER = "x-cody-relay-model";

/** The SSE comment sent while the upstream is quiet (never `: ping`, which Continue reads as end of batch). */
const KEEPALIVE = ": keepalive\n\n";

/** The SSE keep-alive interval used where none is given: 10 s. */
export const DEFAULT_KEEPALIVE_MS = 10_000;

/** The HTTP-side settings every route takes. */
export interface RespondOptions {
  /** SSE keep-alive interval, and how long a stream waits for its first event before committing to 200. @default DEFAULT_KEEPALIVE_MS */
  keepAliveMs?: number;
  /** Request bodies over this many bytes are a 413. @default DEFAULT_MAX_BODY_BYTES */
  maxBodyBytes?: number;
}

/**
 * The upstream context of an HTTP request: the key the client sent (unless it was a gateway
 * key, which is the relay's, not the upstream's) and its abort signal.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { upstreamContext } from "./respond.ts";
 * const context = upstreamContext(new Request("http://relay/", { headers: { "x-api-key": "sk" } }));
 * equal(context.apiKey, "sk");
 * ```
 */
export function upstreamContext(request: Request): UpstreamContext {
  return {
    apiKey: traceOf(request).gatewayKey ? undefined : clientKey(request.headers, request.url),
    signal: request.signal,
  };
}

/** How a route answers: which shapes, and whether the client asked for a stream. */
export interface AnswerShape {
  /** Whether to stream. */
  stream: boolean;
  /** The model as the client named it, for the request's log line. @default the hub request's model */
  requestedModel?: string;
  /** The whole answer in the dialect's JSON shape; `fallbackModel` is set when a fallback model answered. */
  toJson(answer: CollectedAnswer, fallbackModel?: string): unknown;
  /** The dialect's stream encoding; `fallbackModel` as in `toJson`. */
  encoding(fallbackModel?: string): AnswerEncoding;
  /** Headers of the streaming response. @default SSE_HEADERS */
  streamHeaders?: Readonly<Record<string, string>>;
  /** Whether the stream format takes SSE comments as keep-alives. @default true */
  keepAlive?: boolean;
}

/**
 * Asks `upstream` (the relay's composed upstream) for `request` and answers: the collected
 * answer as JSON, or a stream that commits to `200` once the first event shows the answer
 * started, so a failure before that throws (the route's error handler answers in its
 * dialect's shape; CodeCompanion and others drop in-stream errors). A stream whose first
 * event takes longer than `keepAliveMs` commits then and sends `: keepalive` comments
 * until it comes, so proxies do not cut a long thinking phase. `x-cody-relay-continue: off`
 * turns continuation off.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { answerRequest } from "./respond.ts";
 * import { streamUpstream } from "../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([]),
 * });
 * const response = await answerRequest(upstream, new Request("http://relay/"), { messages: [] }, {
 *   stream: false,
 *   toJson: (answer) => ({ text: answer.text }),
 *   encoding: () => ({ event: () => "", error: () => "" }),
 * });
 * equal((await response.json()).text, "Hi");
 * ```
 */
export async function answerRequest(
  upstream: Upstream,
  raw: Request,
  request: RelayRequest,
  shape: AnswerShape,
  options: RespondOptions = {},
): Promise<Response> {
  if (/^(off|false|0|no)$/i.test(raw.headers.get("x-cody-relay-continue")?.trim() ?? "")) request.autoContinue = false;
  const trace = traceOf(raw);
  trace.requestedModel ??= shape.requestedModel ?? request.model;
  trace.model = request.model;
  trace.asked();
  return shape.stream
    ? await streamAnswer(upstream, raw, request, shape, trace, options)
    : await wholeAnswer(upstream, raw, request, shape, trace);
}

/** The answer as one JSON body. */
async function wholeAnswer(
  upstream: Upstream,
  raw: Request,
  request: RelayRequest,
  shape: AnswerShape,
  trace: RequestTrace,
): Promise<Response> {
  const collector = new AnswerCollector();
  let resolve!: () => void;
  const ended = new Promise<void>((resolveEnded) => resolve = resolveEnded);
  await upstream.open(request, upstreamContext(raw), (batch) => {
    for (const event of batch) {
      trace.note(event);
      collector.push(event);
    }
    if (isTerminal(batch[batch.length - 1])) resolve();
  });
  await ended;
  trace.firstByte();
  if (collector.error) throw collector.error;
  const answer = collector.answer!;
  return Response.json(shape.toJson(answer, fallbackModel(trace, request)), {
    headers: {
      ...modelHeader(trace, request),
      "x-cody-relay-continuations": String(answer.continuations ?? 0),
      ...(answer.usage?.estimated ? { "x-cody-relay-usage": "estimated" } : {}),
    },
  });
}

/** The model to report when a fallback model answered instead of the one asked for. */
function fallbackModel(trace: RequestTrace, request: RelayRequest): string | undefined {
  return trace.model !== request.model ? trace.model : undefined;
}

function modelHeader(trace: RequestTrace, request: RelayRequest): Record<string, string> {
  const model = fallbackModel(trace, request) ?? trace.model;
  return model ? { [MODEL_HEADER]: HEADER_SAFE.test(model) ? model : encodeURIComponent(model) } : {};
}

/**
 * What a header value carries as it is: printable ASCII. A model name with anything else (a
 * line break, a character beyond Latin-1: an upstream may accept it) is percent-encoded in
 * {@link MODEL_HEADER}, where it would make building the response throw.
 */
const HEADER_SAFE = /^[\x20-\x7e]*$/;

const utf8 = new TextEncoder();

/** The answer as a stream, committed once it started (or once `keepAliveMs` passed without a first event). */
async function streamAnswer(
  upstream: Upstream,
  raw: Request,
  request: RelayRequest,
  shape: AnswerShape,
  trace: RequestTrace,
  options: RespondOptions,
): Promise<Response> {
  const keepAliveMs = shape.keepAlive === false ? undefined : options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
  const body = new AnswerBody(trace, keepAliveMs);
  const opened = upstream.open(request, upstreamContext(raw), (batch) => body.take(batch));
  opened.then((call) => body.attach(call), (error: RelayError) => body.fail(error));
  const patience = waiting(keepAliveMs);
  const started = await Promise.race([body.started, opened.then(() => body.started), patience.over])
    .finally(patience.stop);
  if (started !== WAITING && started.type === "error") {
    body.cancel();
    throw started.error;
  }
  trace.streaming = true;
  const committed = started === WAITING;
  try {
    const encoder = new AnswerEncoder(shape.encoding(fallbackModel(trace, request)));
    const headers = { ...shape.streamHeaders ?? SSE_HEADERS, ...(committed ? {} : modelHeader(trace, request)) };
    if (trace.requestId) headers["x-request-id"] = trace.requestId;
    return new Response((committed ? undefined : body.whole(encoder)) ?? body.stream(encoder, committed), { headers });
  } catch (error) {
    body.cancel(error); // nothing is left running: not the upstream, not the keep-alive timer
    throw error;
  }
}

/** What {@link waiting} resolves with. */
const WAITING = Symbol("waiting");

/** A promise of {@link WAITING} after `ms` (never, without `ms`), and how to stop the wait. */
function waiting(ms: number | undefined): { over: Promise<typeof WAITING>; stop(): void } {
  let deadline: Deadline | undefined;
  const over = new Promise<typeof WAITING>((resolve) => {
    if (ms !== undefined) deadline = new Deadline(ms, () => resolve(WAITING));
  });
  return { over, stop: () => deadline?.cancel() };
}

/**
 * How much of an answer may wait in the response for a slow client before the upstream is
 * paused: 16 KiB. Pausing at every write instead (no room at all) stops and restarts the
 * upstream socket's reads at every event, which on Deno costs a read operation each time.
 */
const WRITE_AHEAD_BYTES = 16 * 1024;
const WRITE_AHEAD: QueuingStrategy<Uint8Array> = {
  highWaterMark: WRITE_AHEAD_BYTES,
  size: (chunk) => chunk.byteLength,
};

/**
 * The body of a streamed answer: the batches the upstream pushes, held until the response
 * starts, then encoded and written one chunk per batch, with keep-alives while quiet and
 * the upstream paused while the client reads slower than it writes.
 */
class AnswerBody {
  /** Resolves with the answer's first event that is not `meta` (an `error` if it failed before starting). */
  readonly started: Promise<RelayEvent>;
  readonly #trace: RequestTrace;
  readonly #keepAliveMs?: number;
  #resolveStarted!: (event: RelayEvent) => void;
  #held: RelayEvent[] = [];
  #call?: AnswerCall;
  #controller?: ReadableStreamDefaultController<Uint8Array>;
  #encoder?: AnswerEncoder;
  #keepAlive?: QuietTimer;
  /** Whether the upstream should wait: more than {@link WRITE_AHEAD_BYTES} wait for the client. */
  #paused = false;
  /** Whether the answer's last bytes were written: the body closes once the client read them. */
  #complete = false;
  #ended = false;

  constructor(trace: RequestTrace, keepAliveMs: number | undefined) {
    this.#trace = trace;
    this.#keepAliveMs = keepAliveMs;
    this.started = new Promise((resolve) => this.#resolveStarted = resolve);
  }

  /** Takes a batch from the upstream. */
  take(batch: readonly RelayEvent[]): void {
    if (this.#ended) return;
    for (const event of batch) this.#trace.note(event);
    const first = batch.find((event) => event.type !== "meta");
    if (first) this.#resolveStarted(first);
    if (!this.#controller) return void this.#held.push(...batch);
    this.#write(batch);
  }

  /** The answer failed to start (after the response may have been committed). */
  fail(error: RelayError): void {
    this.take([{ type: "error", error }]);
  }

  /** The upstream's call: flow control and cancellation go to it (and what was decided before it came). */
  attach(call: AnswerCall): void {
    this.#call = call;
    if (this.#ended) call.cancel();
    else if (this.#paused) call.pause();
  }

  /** Stops the answer (its start failed, or the client left). */
  cancel(reason?: unknown): void {
    this.#end();
    this.#call?.cancel(reason);
  }

  /**
   * The whole answer encoded with `encoder`, if it all came before the response started
   * (an upstream that answered in one read): one body, nothing left to stream.
   */
  whole(encoder: AnswerEncoder): string | undefined {
    if (!isTerminal(this.#held[this.#held.length - 1])) return undefined;
    let text = encoder.start();
    for (const event of this.#held) text += encoder.push(event);
    this.#held = [];
    this.#end();
    this.#trace.firstByte();
    this.#trace.end();
    return text;
  }

  /** The response body, encoding with `encoder`; `keepAliveNow` sends a keep-alive at once (committed early). */
  stream(encoder: AnswerEncoder, keepAliveNow: boolean): ReadableStream<Uint8Array> {
    this.#encoder = encoder;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        if (this.#keepAliveMs !== undefined) {
          this.#keepAlive = new QuietTimer(this.#keepAliveMs, () => this.#send(KEEPALIVE));
        }
        const held = this.#held;
        this.#held = [];
        this.#send((keepAliveNow ? KEEPALIVE : "") + encoder.start());
        if (held.length) this.#write(held);
      },
      pull: (controller) => {
        if (this.#complete) return this.#closeOnceRead(controller);
        if (!this.#paused) return;
        this.#paused = false;
        this.#call?.resume();
      },
      cancel: (reason) => {
        this.#trace.end("client_abort");
        this.cancel(reason);
      },
    }, WRITE_AHEAD);
  }

  /** Encodes a batch and writes it as one chunk; ends the body after the answer's last event. */
  #write(batch: readonly RelayEvent[]): void {
    const encoder = this.#encoder!;
    let text = "";
    for (const event of batch) text += encoder.push(event);
    this.#send(text);
    if (encoder.done) {
      this.#complete = true;
      this.#closeOnceRead(this.#controller!);
    } else if (text && (this.#controller!.desiredSize ?? 1) <= 0) {
      // Wait for the client to read some (a pull resumes). Without a write there is nothing it would read.
      this.#paused = true;
      this.#call?.pause();
    }
  }

  #send(text: string): void {
    if (!text || this.#ended || this.#complete) return;
    this.#trace.firstByte();
    this.#keepAlive?.touch();
    this.#controller!.enqueue(utf8.encode(text));
  }

  /** Ends the body once the client read all of it (nothing waits in it): the request ended then. */
  #closeOnceRead(controller: ReadableStreamDefaultController<Uint8Array>): void {
    if (controller.desiredSize === WRITE_AHEAD_BYTES) this.#close(controller);
  }

  /** The client read the whole answer: the request ended. */
  #close(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#end();
    this.#trace.end();
    controller.close();
  }

  #end(): void {
    this.#ended = true;
    this.#keepAlive?.stop();
    this.#resolveStarted({ type: "finish", reason: "stop" });
  }
}
