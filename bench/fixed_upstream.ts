/**
 * The benchmark's fixed upstream: one recorded-style answer of {@link ANSWER_DELTAS} text
 * deltas, served as a Sourcegraph instance (`POST /.api/completions/stream`, Cody's v9 wire
 * format) and as an OpenAI-compatible API (`POST /v1/chat/completions`), in one of two modes:
 *
 * - **one body** (`body`): the response head and the whole answer in one socket write,
 *   with a `content-length` — an upstream (or a buffering proxy) that sends everything at once;
 * - **one chunk per event** (`events`): the head, then each SSE event in its own chunk of
 *   `transfer-encoding: chunked`, each its own socket write (no delay, the next written only
 *   after the last one reached the kernel and the event loop turned) — a model streaming
 *   at full speed. A client reading as fast as it can gets one network read per event
 *   (`deno run -A bench/check_upstream.ts` counts them).
 *
 * It is HTTP/1.1 written by hand over `node:net`, because every server API of the three
 * runtimes (`node:http`, `Deno.serve`, `Bun.serve`) may merge writes made close together,
 * and the benchmark must control exactly what reaches the socket. The mode is the process's
 * `--mode` unless a request's body contains `[[bench mode=body]]` or `[[bench mode=events]]`;
 * `[[bench deltas=20 pace_ms=500]]` asks for a shorter answer with a pause before each event
 * (slow streams; always one chunk per event; `pace_ms=1` is a model at 1,000 events/s, slow
 * enough that every reader gets one read per event). It also answers what the relay asks a
 * Sourcegraph instance first: `GET /.api/client-config` (api-version 9) and
 * `GET /.api/modelconfig/supported-models.json` (`tests/fixtures/cody/supported-models.json`),
 * and `GET /v1/models`. Any credential is accepted.
 *
 * `deno run -A bench/fixed_upstream.ts [--port 0] [--mode body|events]` (or `bun …`,
 * `node …` with type stripping) prints `fixed upstream listening on http://127.0.0.1:PORT`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import process from "node:process";
import { parseArgs } from "node:util";

/** How the answer reaches the socket. */
export type UpstreamMode = "body" | "events";

/** Text deltas in the default answer. */
export const ANSWER_DELTAS = 200;

/** The model named in the answers and in `GET /v1/models`. */
export const OPENAI_MODEL = "bench-model";

const CODY_MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
const WORDS = (
  "The relay reads each event from Sourcegraph, decodes it once, and writes the client's dialect " +
  'without buffering the answer; a function like `parse(input: string): Event[]` returns "quoted" ' +
  "text, café — naïve résumé, 42 × 7 = 294.\nNext line: tabs\tand {braces} [brackets] <tags> & more."
).split(/(?<= )/);

/**
 * The answer's text deltas: words and punctuation, some with quotes, newlines, tabs and
 * non-ASCII letters (so encoders escape), about five characters each.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { answerDeltas } from "./fixed_upstream.ts";
 * equal(answerDeltas(200).length, 200);
 * ```
 */
export function answerDeltas(count: number): string[] {
  return Array.from({ length: count }, (_, index) => WORDS[index % WORDS.length]);
}

/**
 * The answer as Cody api-version 9 SSE events: `deltaText` frames, a final frame with the
 * model, `stopReason` and usage, then `done`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { codyEvents } from "./fixed_upstream.ts";
 * const events = codyEvents(["Hi"]);
 * equal(events[0], 'event: completion\ndata: {"deltaText":"Hi"}\n\n');
 * equal(events.at(-1), "event: done\ndata: {}\n\n");
 * ```
 */
export function codyEvents(deltas: string[]): string[] {
  const usage = { completion_tokens: deltas.length, prompt_tokens: 15, total_tokens: deltas.length + 15, credits: 1 };
  return [
    ...deltas.map((deltaText) => `event: completion\ndata: ${JSON.stringify({ deltaText })}\n\n`),
    `event: completion\ndata: ${JSON.stringify({ model: CODY_MODEL, stopReason: "end_turn", usage })}\n\n`,
    "event: done\ndata: {}\n\n",
  ];
}

/**
 * The answer as OpenAI `chat.completion.chunk` events: a role chunk, one chunk per delta,
 * the `finish_reason` chunk, a usage chunk when asked, then `data: [DONE]`.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { openAIEvents } from "./fixed_upstream.ts";
 * const events = openAIEvents(["Hi"], true);
 * ok(events.length === 5 && events[1].includes('"delta":{"content":"Hi"}'));
 * equal(events.at(-1), "data: [DONE]\n\n");
 * ```
 */
export function openAIEvents(deltas: string[], includeUsage: boolean): string[] {
  const chunk = (choices: unknown, extra = "") =>
    `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1767225600,"model":"${OPENAI_MODEL}",` +
    `"choices":${JSON.stringify(choices)}${extra}}\n\n`;
  const events = [chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }])];
  for (const content of deltas) events.push(chunk([{ index: 0, delta: { content }, finish_reason: null }]));
  events.push(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
  if (includeUsage) {
    const usage = { prompt_tokens: 15, completion_tokens: deltas.length, total_tokens: deltas.length + 15 };
    events.push(chunk([], `,"usage":${JSON.stringify(usage)}`));
  }
  events.push("data: [DONE]\n\n");
  return events;
}

/** A response prepared once: the whole of it as one write, and as a head plus one write per event. */
interface Prepared {
  whole: Buffer;
  head: Buffer;
  first: Buffer;
  events: Buffer[];
}

const SSE_HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n";

function prepareStream(events: string[]): Prepared {
  const body = Buffer.from(events.join(""));
  const framed = events.map((event, index) => {
    const bytes = Buffer.from(event);
    const last = index === events.length - 1 ? "\r\n0\r\n\r\n" : "\r\n";
    return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from(last)]);
  });
  const head = Buffer.from(`${SSE_HEAD}transfer-encoding: chunked\r\n\r\n`);
  return {
    whole: Buffer.concat([Buffer.from(`${SSE_HEAD}content-length: ${body.length}\r\n\r\n`), body]),
    head,
    first: Buffer.concat([head, framed[0]]),
    events: framed,
  };
}

function prepareJson(status: number, body: string, type = "application/json"): Buffer {
  const bytes = Buffer.from(body);
  const reason = status === 200 ? "OK" : "Not Found";
  return Buffer.concat([
    Buffer.from(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${type}\r\ncontent-length: ${bytes.length}\r\n\r\n`),
    bytes,
  ]);
}

/** Options of {@link startFixedUpstream}. */
export interface FixedUpstreamOptions {
  /** `0` picks a free port. @default 0 */
  port?: number;
  /** The mode of requests that do not choose one. @default "body" */
  mode?: UpstreamMode;
  /** Text deltas in the default answer. @default ANSWER_DELTAS */
  deltas?: number;
}

/** A listening fixed upstream. */
export interface FixedUpstream {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts the fixed upstream on 127.0.0.1.
 *
 * @example
 * ```ts ignore
 * const upstream = await startFixedUpstream({ mode: "events" });
 * const response = await fetch(`${upstream.url}/v1/chat/completions`, { method: "POST", body: '{"stream":true}' });
 * console.log(await response.text());
 * await upstream.close();
 * ```
 */
export function startFixedUpstream(options: FixedUpstreamOptions = {}): Promise<FixedUpstream> {
  const defaultMode = options.mode ?? "body";
  const defaultDeltas = options.deltas ?? ANSWER_DELTAS;
  const streams = new Map<string, Prepared>();
  const stream = (kind: "cody" | "openai" | "openai-usage", deltas: number) => {
    const key = `${kind}:${deltas}`;
    let prepared = streams.get(key);
    if (!prepared) {
      const text = answerDeltas(deltas);
      prepared = prepareStream(kind === "cody" ? codyEvents(text) : openAIEvents(text, kind === "openai-usage"));
      streams.set(key, prepared);
    }
    return prepared;
  };
  const fixtures = new URL("../tests/fixtures/cody/", import.meta.url);
  const clientConfig = prepareJson(
    200,
    JSON.stringify({
      codyEnabled: true,
      chatEnabled: true,
      autoCompleteEnabled: true,
      modelsAPIEnabled: true,
      latestSupportedCompletionsStreamAPIVersion: 9,
    }),
  );
  const supportedModels = prepareJson(200, readFileSync(new URL("supported-models.json", fixtures), "utf8"));
  const models = prepareJson(
    200,
    JSON.stringify({ object: "list", data: [{ id: OPENAI_MODEL, object: "model", created: 0, owned_by: "bench" }] }),
  );
  const completion = (deltas: number) =>
    prepareJson(
      200,
      JSON.stringify({
        id: "chatcmpl-bench",
        object: "chat.completion",
        created: 1767225600,
        model: OPENAI_MODEL,
        choices: [{
          index: 0,
          message: { role: "assistant", content: answerDeltas(deltas).join("") },
          finish_reason: "stop",
        }],
        usage: { prompt_tokens: 15, completion_tokens: deltas, total_tokens: deltas + 15 },
      }),
    );
  const notFound = prepareJson(404, "not found", "text/plain");

  const respond = async (socket: Socket, request: ParsedRequest): Promise<void> => {
    const path = request.target.split("?")[0];
    if (request.method === "GET") {
      if (path === "/.api/client-config") return void socket.write(clientConfig);
      if (path === "/.api/modelconfig/supported-models.json") return void socket.write(supportedModels);
      if (path === "/v1/models" || path === "/models") return void socket.write(models);
      return void socket.write(notFound);
    }
    const body = request.body.toString("latin1");
    const options = /\[\[bench ([^\]]*)\]\]/.exec(body)?.[1] ?? "";
    const option = (name: string) => new RegExp(`\\b${name}=([\\w.]+)`).exec(options)?.[1];
    const deltas = Number(option("deltas") ?? defaultDeltas);
    const paceMs = Number(option("pace_ms") ?? 0);
    const mode = paceMs > 0 ? "events" : (option("mode") as UpstreamMode | undefined) ?? defaultMode;
    let prepared: Prepared;
    if (path === "/.api/completions/stream") prepared = stream("cody", deltas);
    else if (path === "/v1/chat/completions" || path === "/chat/completions") {
      if (!/"stream"\s*:\s*true/.test(body)) return void socket.write(completion(deltas));
      prepared = stream(body.includes('"include_usage"') ? "openai-usage" : "openai", deltas);
    } else return void socket.write(notFound);
    if (mode === "body") return void socket.write(prepared.whole);
    if (paceMs > 0 && paceMs < 10) {
      await write(socket, prepared.head);
      return await new Promise<void>((done) => {
        paced.push({ socket, events: prepared.events, next: 0, done, paceMs, due: performance.now() + paceMs });
        if (paced.length === 1) setImmediate(pacedRound);
      });
    }
    if (paceMs > 0) {
      await write(socket, prepared.head);
      for (const event of prepared.events) {
        await new Promise((resolve) => setTimeout(resolve, paceMs));
        if (socket.destroyed) return;
        await write(socket, event);
      }
      return;
    }
    await new Promise<void>((done) => {
      socket.write(prepared.first); // the head and the first event
      active.push({ socket, events: prepared.events, next: 1, done });
      if (active.length === 1) setImmediate(round);
    });
  };

  /**
   * Streams at full speed take turns: each round writes the next event of every stream whose
   * last write has left the process, then the event loop turns (I/O, new requests) before
   * the next round. So no two events of a stream share a write, and under load one
   * stream's events are spaced by the other streams' writes, as from a busy model server.
   */
  let active: ActiveStream[] = [];
  const round = () => {
    const still: ActiveStream[] = [];
    for (const stream of active) {
      if (stream.socket.destroyed) {
        stream.done();
        continue;
      }
      if (stream.socket.writableLength === 0) stream.socket.write(stream.events[stream.next++]);
      if (stream.next < stream.events.length) still.push(stream);
      else stream.done();
    }
    active = still;
    if (active.length) setImmediate(round);
  };

  /**
   * Streams paced below the runtimes' timer resolution (Deno's `setTimeout(…, 1)` takes
   * about 2 ms) share one loop: it writes every event that is due, then blocks on a futex
   * (`Atomics.wait`, no CPU) until the next is due, then lets the event loop turn.
   */
  let paced: ActiveStream[] = [];
  const pacedRound = () => {
    const now = performance.now();
    const still: ActiveStream[] = [];
    let next = Infinity;
    for (const stream of paced) {
      if (stream.socket.destroyed) {
        stream.done();
        continue;
      }
      if (now >= stream.due! && stream.socket.writableLength === 0) {
        stream.socket.write(stream.events[stream.next++]);
        stream.due = now + stream.paceMs!;
      }
      if (stream.next < stream.events.length) {
        still.push(stream);
        next = Math.min(next, stream.due!);
      } else stream.done();
    }
    paced = still;
    if (!paced.length) return;
    const wait = next - performance.now();
    if (wait > 0) Atomics.wait(sleeper, 0, 0, Math.min(wait, 5));
    setImmediate(pacedRound);
  };

  const server: Server = createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    let busy = false;
    socket.on("error", () => socket.destroy());
    const next = async () => {
      if (busy) return;
      busy = true;
      try {
        while (!socket.destroyed) {
          const parsed = parseRequest(pending);
          if (!parsed) break;
          pending = pending.subarray(parsed.consumed);
          await respond(socket, parsed);
          if (parsed.close) {
            socket.end();
            break;
          }
        }
      } catch {
        socket.destroy();
      } finally {
        busy = false;
      }
    };
    socket.on("data", (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      void next();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    // A deep accept queue: the slow-stream runs open 10,000 connections at once.
    server.listen({ port: options.port ?? 0, host: "127.0.0.1", backlog: 4096 }, () => {
      const { port } = server.address() as { port: number };
      const sockets = new Set<Socket>();
      server.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

interface ActiveStream {
  socket: Socket;
  events: Buffer[];
  next: number;
  done: () => void;
  /** Paced streams: the pause before each event, and when the next is due (`performance.now()`). */
  paceMs?: number;
  due?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes and resolves once the bytes reached the kernel (or the socket failed). */
function write(socket: Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.write(bytes, () => resolve());
  });
}

interface ParsedRequest {
  method: string;
  target: string;
  body: Buffer;
  close: boolean;
  consumed: number;
}

/** One whole request from the front of `bytes` (content-length or chunked body), or undefined until it has arrived. */
function parseRequest(bytes: Buffer): ParsedRequest | undefined {
  const headEnd = bytes.indexOf("\r\n\r\n");
  if (headEnd < 0) return undefined;
  const lines = bytes.subarray(0, headEnd).toString("latin1").split("\r\n");
  const [method, target, version] = lines[0].split(" ");
  let length = 0;
  let chunked = false;
  let close = version === "HTTP/1.0";
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim().toLowerCase();
    if (name === "content-length") length = Number(value);
    else if (name === "transfer-encoding") chunked = value.includes("chunked");
    else if (name === "connection") close = value.includes("close");
  }
  const start = headEnd + 4;
  if (!chunked) {
    if (bytes.length < start + length) return undefined;
    return { method, target, body: bytes.subarray(start, start + length), close, consumed: start + length };
  }
  const parts: Buffer[] = [];
  let at = start;
  while (true) {
    const lineEnd = bytes.indexOf("\r\n", at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(bytes.subarray(at, lineEnd).toString("latin1"), 16);
    if (Number.isNaN(size)) throw new Error("malformed chunk size");
    if (size === 0) {
      const end = bytes.indexOf("\r\n\r\n", lineEnd);
      if (end < 0) return undefined;
      return { method, target, body: Buffer.concat(parts), close, consumed: end + 4 };
    }
    if (bytes.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { port: { type: "string", default: "0" }, mode: { type: "string", default: "body" } },
  });
  if (values.mode !== "body" && values.mode !== "events") throw new Error("--mode is body or events");
  const upstream = await startFixedUpstream({ port: Number(values.port), mode: values.mode });
  console.log(`fixed upstream listening on ${upstream.url}`);
}
