/**
 * The relay's Prometheus metrics, in the text exposition format (version 0.0.4). Written
 * here rather than with `prom-client` because the relay needs five counters, a gauge and
 * two histograms, and `prom-client` is Node-only in places (cluster, perf_hooks).
 *
 * @module
 */
import type { RequestTrace } from "./trace.ts";

/** Histogram bounds in seconds, from a fast first byte to a 15-minute answer. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/** Distinct model label values kept; more are counted as `other` (clients choose the value). */
const MAX_MODELS = 100;

type Labels = Record<string, string>;

/** A value per label set that is added to: a counter, or a gauge when it also goes down. */
class Tally {
  readonly #values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string, readonly type: "counter" | "gauge" = "counter") {}
  add(labels: Labels, by = 1): void {
    const key = labelText(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }
  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} ${this.type}`,
      ...[...this.#values].map(([labels, value]) => `${this.name}${labels} ${value}`),
    ];
  }
}

/** Observations counted into {@link BUCKETS}, per label set. */
class Histogram {
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string) {}
  observe(labels: Labels, seconds: number): void {
    const key = labelText(labels);
    let series = this.#series.get(key);
    if (!series) this.#series.set(key, series = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 });
    BUCKETS.forEach((bound, index) => seconds <= bound && series.counts[index]++);
    series.sum += seconds;
    series.count++;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [labels, series] of this.#series) {
      const inner = labels.slice(1, -1);
      const withLe = (le: string) => `{${inner ? `${inner},` : ""}le="${le}"}`;
      BUCKETS.forEach((bound, index) =>
        lines.push(`${this.name}_bucket${withLe(String(bound))} ${series.counts[index]}`)
      );
      lines.push(`${this.name}_bucket${withLe("+Inf")} ${series.count}`);
      lines.push(`${this.name}_sum${labels} ${series.sum}`, `${this.name}_count${labels} ${series.count}`);
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
  readonly #requests = new Tally("cody_relay_requests_total", "Requests by front, model, status and outcome.");
  readonly #duration = new Histogram("cody_relay_request_duration_seconds", "Time from request to the answer's end.");
  readonly #firstByte = new Histogram(
    "cody_relay_time_to_first_byte_seconds",
    "Time from request to the answer's first byte.",
  );
  readonly #tokens = new Tally("cody_relay_tokens_total", "Tokens read (in) and written (out), real or estimated.");
  readonly #rounds = new Tally("cody_relay_continuation_rounds_total", "Continuation rounds after the first.");
  readonly #retries = new Tally(
    "cody_relay_retries_total",
    "Upstream attempts beyond the first (retries, fallbacks).",
  );
  readonly #upstreamErrors = new Tally("cody_relay_upstream_errors_total", "Upstream failures by kind.");
  readonly #active = new Tally("cody_relay_active_streams", "Streamed answers being sent now.", "gauge");
  readonly #models = new Set<string>();

  /** Counts one streamed answer as active until it ends. */
  streamStarted(trace: RequestTrace): void {
    const labels = { front: trace.front ?? "" };
    this.#active.add(labels, 1);
    trace.ended.then(() => this.#active.add(labels, -1));
  }

  /** Records an ended request with the status it was answered with. */
  record(trace: RequestTrace, status: number): void {
    const front = trace.front ?? "";
    const model = this.#modelLabel(status < 400 ? trace.model ?? trace.requestedModel : undefined);
    this.#requests.add({ front, model, status: String(status), outcome: trace.outcome ?? "" });
    if (trace.durationMs !== undefined) this.#duration.observe({ front }, trace.durationMs / 1000);
    if (trace.firstByteMs !== undefined) this.#firstByte.observe({ front }, trace.firstByteMs / 1000);
    if (trace.usage) {
      this.#tokens.add({ model, direction: "in" }, trace.usage.promptTokens);
      this.#tokens.add({ model, direction: "out" }, trace.usage.completionTokens);
    }
    if (trace.continuations) this.#rounds.add({ front }, trace.continuations);
    if (trace.retries) this.#retries.add({ front }, trace.retries);
    for (const kind of trace.upstreamErrors) this.#upstreamErrors.add({ kind });
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

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return pairs.length ? `{${pairs.join(",")}}` : "";
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}
