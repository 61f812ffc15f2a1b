/**
 * The relay's Prometheus metrics, in the text exposition format (version 0.0.4). Written
 * here rather than with `prom-client` because the relay needs five counters, a gauge and
 * two histograms, and `prom-client` is Node-only in places (cluster, perf_hooks).
 *
 * Counting is on every request's path, so a series is found by its label values as they
 * are (joined, for more than one); label text is written only when `/metrics` is read.
 *
 * @module
 */
import type { RequestTrace } from "./trace.ts";

/** Histogram bounds in seconds, from a fast first byte to a 15-minute answer. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/** Distinct model label values kept; more are counted as `other` (clients choose the value). */
const MAX_MODELS = 100;

/** A metric's series by label values: `of` finds (or makes) one, `entries` gives each with its label text. */
class Series<T> {
  readonly #byKey = new Map<string, { values: readonly string[]; data: T }>();
  constructor(readonly labelNames: readonly string[], readonly create: () => T) {}

  /** The series of these label values (one per label name, in order), made on first use. */
  of(values: readonly string[]): T {
    // Injective while at most one label takes free text (the model): the others never hold a NUL.
    const key = values.length === 1 ? values[0] : values.join("\u0000");
    let series = this.#byKey.get(key);
    if (!series) this.#byKey.set(key, series = { values: [...values], data: this.create() });
    return series.data;
  }

  /** Each series with its label text, `extra` (e.g. `le="1"`) added last. */
  *entries(): Iterable<[labels: (extra?: string) => string, data: T]> {
    for (const { values, data } of this.#byKey.values()) {
      const pairs = values.map((value, index) => `${this.labelNames[index]}="${escapeLabel(value)}"`);
      yield [(extra) => {
        const all = extra ? [...pairs, extra] : pairs;
        return all.length ? `{${all.join(",")}}` : "";
      }, data];
    }
  }
}

/** A value per label set that is added to: a counter, or a gauge when it also goes down. */
class Tally {
  readonly #series: Series<{ value: number }>;
  constructor(
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[],
    readonly type: "counter" | "gauge" = "counter",
  ) {
    this.#series = new Series(labelNames, () => ({ value: 0 }));
  }
  add(values: readonly string[], by = 1): void {
    this.#series.of(values).value += by;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [labels, { value }] of this.#series.entries()) lines.push(`${this.name}${labels()} ${value}`);
    return lines;
  }
}

/** Observations counted into {@link BUCKETS}, per label set. */
class Histogram {
  readonly #series: Series<{ counts: number[]; sum: number; count: number }>;
  constructor(readonly name: string, readonly help: string, labelNames: readonly string[]) {
    this.#series = new Series(labelNames, () => ({ counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
  }
  observe(values: readonly string[], seconds: number): void {
    const series = this.#series.of(values);
    for (let index = 0; index < BUCKETS.length; index++) if (seconds <= BUCKETS[index]) series.counts[index]++;
    series.sum += seconds;
    series.count++;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [labels, series] of this.#series.entries()) {
      BUCKETS.forEach((bound, index) =>
        lines.push(`${this.name}_bucket${labels(`le="${bound}"`)} ${series.counts[index]}`)
      );
      lines.push(`${this.name}_bucket${labels('le="+Inf"')} ${series.count}`);
      lines.push(`${this.name}_sum${labels()} ${series.sum}`, `${this.name}_count${labels()} ${series.count}`);
    }
    return lines;
  }
}

/**
 * Request metrics fed from each request's {@link RequestTrace}.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { RelayMetrics } from "./metrics.ts";
 * import { RequestTrace } from "./trace.ts";
 * const metrics = new RelayMetrics();
 * const trace = new RequestTrace();
 * trace.front = "openai";
 * trace.end("completed");
 * metrics.record(trace, 200);
 * ok(metrics.render().includes('cody_relay_requests_total{front="openai",model="",status="200",outcome="completed"} 1'));
 * ```
 */
export class RelayMetrics {
  readonly #requests = new Tally("cody_relay_requests_total", "Requests by front, model, status and outcome.", [
    "front",
    "model",
    "status",
    "outcome",
  ]);
  readonly #duration = new Histogram(
    "cody_relay_request_duration_seconds",
    "Time from request to the answer's end.",
    ["front"],
  );
  readonly #firstByte = new Histogram(
    "cody_relay_time_to_first_byte_seconds",
    "Time from request to the answer's first byte.",
    ["front"],
  );
  readonly #tokens = new Tally(
    "cody_relay_tokens_total",
    "Tokens read (in) and written (out), real or estimated.",
    ["model", "direction"],
  );
  readonly #rounds = new Tally("cody_relay_continuation_rounds_total", "Continuation rounds after the first.", [
    "front",
  ]);
  readonly #retries = new Tally(
    "cody_relay_retries_total",
    "Upstream attempts beyond the first (retries, fallbacks).",
    ["front"],
  );
  readonly #upstreamErrors = new Tally("cody_relay_upstream_errors_total", "Upstream failures by kind.", ["kind"]);
  readonly #active = new Tally("cody_relay_active_streams", "Streamed answers being sent now.", ["front"], "gauge");
  readonly #models = new Set<string>();

  /** Counts one streamed answer as active until {@link RelayMetrics.record} records its end. */
  streamStarted(trace: RequestTrace): void {
    this.#active.add([trace.front ?? ""], 1);
  }

  /** Records an ended request with the status it was answered with. */
  record(trace: RequestTrace, status: number): void {
    const front = [trace.front ?? ""];
    if (trace.streaming) this.#active.add(front, -1);
    const model = this.#modelLabel(status < 400 ? trace.model ?? trace.requestedModel : undefined);
    this.#requests.add([front[0], model, String(status), trace.outcome ?? ""]);
    if (trace.durationMs !== undefined) this.#duration.observe(front, trace.durationMs / 1000);
    if (trace.firstByteMs !== undefined) this.#firstByte.observe(front, trace.firstByteMs / 1000);
    if (trace.usage) {
      this.#tokens.add([model, "in"], trace.usage.promptTokens);
      this.#tokens.add([model, "out"], trace.usage.completionTokens);
    }
    if (trace.continuations) this.#rounds.add(front, trace.continuations);
    if (trace.retries) this.#retries.add(front, trace.retries);
    for (const kind of trace.upstreamErrors) this.#upstreamErrors.add([kind]);
  }

  /** The exposition text for `GET /metrics`. */
  render(): string {
    return [
      this.#requests.render(),
      this.#duration.render(),
      this.#firstByte.render(),
      this.#tokens.render(),
      this.#rounds.render(),
      this.#retries.render(),
      this.#upstreamErrors.render(),
      this.#active.render(),
    ].flat().join("\n") + "\n";
  }

  #modelLabel(model: string | undefined): string {
    if (!model) return "";
    if (this.#models.has(model)) return model;
    if (this.#models.size >= MAX_MODELS) return "other";
    this.#models.add(model);
    return model;
  }
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}
