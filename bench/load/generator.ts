/**
 * The load generator, run as its own process by the benchmark suite:
 * `deno run --allow-net bench/load/generator.ts '<LoadPlan JSON>'` prints one
 * {@link LoadResult} as JSON. Three shapes of load:
 *
 * - `closed`: `concurrency` connections, each sending the next request as soon as the last
 *   response ended (throughput);
 * - `open`: requests at a fixed `rate` whatever the responses do, on up to `concurrency`
 *   connections (latency below saturation; times count from when a request was due, so a
 *   slow server cannot hide its queueing behind busy connections);
 * - `burst`: `concurrency` streams opened at once, each sending `requests / concurrency`
 *   requests (many slow streams; every body read is timed).
 *
 * @module
 */
import { Connection, encodeRequest, type Exchange } from "./http_client.ts";
import { summarize, type Summary } from "./stats.ts";

/** What to send and how. */
export interface LoadPlan {
  /** The full URL to POST to. */
  url: string;
  /** The JSON request body. */
  body: string;
  /** Extra request headers. */
  headers: Record<string, string>;
  /** A successful body ends with this text (e.g. `data: [DONE]\n\n`). */
  expectEnd: string;
  /** The load shape. */
  mode: "closed" | "open" | "burst";
  /** Connections (closed, burst) or the most connections open at once (open). */
  concurrency: number;
  /** Measured window (closed, open). */
  durationMs?: number;
  /** Unmeasured run-in before the window (closed, open). */
  warmupMs?: number;
  /** Requests per second (open). */
  rate?: number;
  /** Requests in all (burst). */
  requests?: number;
  /** Burst: streams still open after this long are ended and counted as failed. @default 120000 */
  timeoutMs?: number;
  /**
   * Burst over cleartext HTTP/2 with `fetch`, 100 streams per connection, so 10,000
   * streams fit the descriptor limit of one relay process (burst).
   */
  http2?: boolean;
}

/** What the generator measured; times in milliseconds. */
export interface LoadResult {
  /** Responses that ended as expected inside the window. */
  completed: number;
  /** Responses that ended as expected, run-in and run-out included (for CPU per response). */
  allCompleted: number;
  /** Responses that did not (by first error message). */
  failures: Record<string, number>;
  /** Length of the measured window in seconds. */
  seconds: number;
  /** `completed / seconds`. */
  streamsPerSecond: number;
  /** Send (or scheduled send) to the first body byte. */
  firstByte: Summary;
  /** Send (or scheduled send) to the last body byte. */
  total: Summary;
  /** Gaps between body reads inside each stream (burst only). */
  readGaps?: Summary;
  /** Body bytes per completed response (median). */
  bodyBytes: number;
  /** Network reads that carried body bytes, per completed response (median). */
  readsPerStream: number;
}

interface Sample {
  firstByte: number;
  total: number;
  bytes: number;
  reads: number;
}

/**
 * Runs a plan to the end and returns the figures.
 *
 * @example
 * ```ts ignore
 * const result = await runLoad({ url, body, headers: {}, expectEnd: "data: [DONE]\n\n", mode: "closed", concurrency: 16, durationMs: 3000 });
 * console.log(result.streamsPerSecond);
 * ```
 */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const url = new URL(plan.url);
  const request = encodeRequest(url, plan.body, plan.headers);
  const samples: Sample[] = [];
  const gaps: number[] = [];
  const failures: Record<string, number> = {};
  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    failures[message] = (failures[message] ?? 0) + 1;
  };
  let allCompleted = 0;
  const check = (exchange: Exchange) => {
    if (exchange.status !== 200) throw new Error(`HTTP ${exchange.status}`);
    if (!exchange.tail.endsWith(plan.expectEnd)) throw new Error(`stream ended with ${JSON.stringify(exchange.tail)}`);
    allCompleted++;
  };

  if (plan.mode === "burst") {
    const perStream = Math.max(1, Math.round((plan.requests ?? plan.concurrency) / plan.concurrency));
    const started = performance.now();
    const deadline = AbortSignal.timeout(plan.timeoutMs ?? 120_000);
    const clients = plan.http2
      ? Array.from(
        { length: Math.ceil(plan.concurrency / 100) },
        () => Deno.createHttpClient({ http1: false, http2: true }),
      )
      : [];
    await Promise.all(Array.from({ length: plan.concurrency }, async (_, stream) => {
      let connection: Connection | undefined;
      const close = () => connection?.close();
      deadline.addEventListener("abort", close);
      for (let index = 0; index < perStream && !deadline.aborted; index++) {
        try {
          const sent = performance.now();
          let exchange: Exchange;
          if (plan.http2) exchange = await fetchExchange(plan, clients[stream % clients.length], deadline);
          else {
            connection ??= await Connection.open(url);
            exchange = await connection.exchange(request, true);
          }
          check(exchange);
          samples.push({
            firstByte: exchange.firstByteAt - sent,
            total: exchange.endAt - sent,
            bytes: exchange.bytes,
            reads: exchange.reads,
          });
          for (let read = 1; read < exchange.readTimes.length; read++) {
            gaps.push(exchange.readTimes[read] - exchange.readTimes[read - 1]);
          }
        } catch (error) {
          fail(deadline.aborted ? new Error(`unfinished after ${plan.timeoutMs ?? 120_000} ms`) : error);
          close();
          connection = undefined;
        }
      }
      close();
      deadline.removeEventListener("abort", close);
    }));
    for (const client of clients) client.close();
    return result(samples, allCompleted, failures, (performance.now() - started) / 1000, gaps);
  }

  const warmupMs = plan.warmupMs ?? 500;
  const durationMs = plan.durationMs ?? 3000;
  const windowStart = performance.now() + warmupMs;
  const windowEnd = windowStart + durationMs;
  const record = (scheduled: number, exchange: Exchange) => {
    check(exchange);
    if (exchange.endAt < windowStart || exchange.endAt > windowEnd) return;
    samples.push({
      firstByte: exchange.firstByteAt - scheduled,
      total: exchange.endAt - scheduled,
      bytes: exchange.bytes,
      reads: exchange.reads,
    });
  };

  if (plan.mode === "closed") {
    await Promise.all(Array.from({ length: plan.concurrency }, async () => {
      let connection: Connection | undefined;
      while (performance.now() < windowEnd) {
        try {
          connection ??= await Connection.open(url);
          const sent = performance.now();
          record(sent, await connection.exchange(request, false));
        } catch (error) {
          if (performance.now() >= windowStart) fail(error);
          connection?.close();
          connection = undefined;
        }
      }
      connection?.close();
    }));
    return result(samples, allCompleted, failures, durationMs / 1000);
  }

  const idle: Connection[] = await Promise.all(
    Array.from({ length: Math.min(plan.concurrency, 4) }, () => Connection.open(url)),
  );
  let open = idle.length;
  const waiting: ((connection: Connection | undefined) => void)[] = [];
  const acquire = async () => {
    const connection = idle.pop();
    if (connection) return connection;
    if (open < plan.concurrency) {
      open++;
      return await Connection.open(url);
    }
    return await new Promise<Connection | undefined>((resolve) => waiting.push(resolve));
  };
  const release = (connection: Connection | undefined) => {
    const next = waiting.shift();
    if (next) return next(connection ?? undefined);
    if (connection) idle.push(connection);
    else open--;
  };
  const interval = 1000 / (plan.rate ?? 100);
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0;; index++) {
    const scheduled = start + index * interval;
    if (scheduled >= windowEnd) break;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Times count from when the request was due, or from when this timer woke if it woke
    // late: waiting for a free connection behind a slow server counts, the generator's own
    // timer lateness does not (a request is never sent before it is due).
    const due = Math.max(scheduled, performance.now());
    inFlight.push((async () => {
      let connection = await acquire();
      try {
        connection ??= await Connection.open(url);
        record(due, await connection.exchange(request, false));
      } catch (error) {
        if (scheduled >= windowStart) fail(error);
        connection?.close();
        connection = undefined;
      }
      release(connection);
    })());
  }
  await Promise.all(inFlight);
  for (const connection of idle) connection.close();
  return result(samples, allCompleted, failures, durationMs / 1000);
}

/** One request over `fetch` (HTTP/2 client), timed like {@link Connection.exchange}. */
async function fetchExchange(plan: LoadPlan, client: Deno.HttpClient, signal: AbortSignal): Promise<Exchange> {
  const response = await fetch(plan.url, {
    signal,
    method: "POST",
    body: plan.body,
    headers: { "content-type": "application/json", ...plan.headers },
    client,
  });
  const exchange = {
    status: response.status,
    firstByteAt: 0,
    endAt: 0,
    readTimes: [] as number[],
    reads: 0,
    bytes: 0,
    tail: "",
  };
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    const now = performance.now();
    exchange.firstByteAt ||= now;
    exchange.endAt = now;
    exchange.readTimes.push(now);
    exchange.reads++;
    exchange.bytes += chunk.length;
    exchange.tail = (exchange.tail + decoder.decode(chunk, { stream: true })).slice(-64);
  }
  return exchange;
}

function result(
  samples: Sample[],
  allCompleted: number,
  failures: Record<string, number>,
  seconds: number,
  gaps?: number[],
): LoadResult {
  const bytes = summarize(samples.map((sample) => sample.bytes));
  return {
    completed: samples.length,
    allCompleted,
    failures,
    seconds,
    streamsPerSecond: samples.length / seconds,
    firstByte: summarize(samples.map((sample) => sample.firstByte)),
    total: summarize(samples.map((sample) => sample.total)),
    ...(gaps ? { readGaps: summarize(gaps) } : {}),
    bodyBytes: bytes.p50,
    readsPerStream: summarize(samples.map((sample) => sample.reads)).p50,
  };
}

if (import.meta.main) {
  const plan = JSON.parse(Deno.args[0]) as LoadPlan;
  console.log(JSON.stringify(await runLoad(plan)));
}
