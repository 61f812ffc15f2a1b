/**
 * The benchmark report: its JSON shape and the Markdown tables printed from it.
 *
 * @module
 */
import type { LoadResult } from "../load/generator.ts";

/** Everything one run of the suite measured. */
export interface Report {
  /** When the run started (ISO 8601). */
  date: string;
  /** The machine and runtimes. */
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; deno: string; bun?: string };
  /** The suite's parameters. */
  params: Record<string, unknown>;
  /** `deno bench` results. */
  micro: {
    name: string;
    avgMs: number;
    minMs: number;
    maxMs: number;
    mbPerSecond?: number;
    eventsPerSecond?: number;
  }[];
  /** Closed-loop runs, one entry per target, concurrency and repeat. */
  load: {
    target: string;
    runtime: string;
    concurrency: number;
    repeat: number;
    result: LoadResult;
    peakRss: number;
    cpuSecondsPer1000: number;
  }[];
  /** Fixed-rate runs, for time to first byte below saturation. */
  openLoop: { target: string; runtime: string; result: LoadResult }[];
  /** Many concurrent paced streams. */
  slowStreams: {
    streams: number;
    frames: number;
    paceMs: number;
    runtime: string;
    transport: string;
    direct: LoadResult;
    relay: LoadResult;
    idleRss: number;
    peakRss: number;
    rssPerStream: number;
    addedGapP99: number;
  }[];
  /** RSS after the first 1,000 requests and after all of them. */
  leak?: {
    requests: number;
    /** RSS after this many requests, by count. */
    rssAfter: Record<string, number>;
    /** From 1,000 requests to the last. */
    growth: number;
    /** From 10,000 requests to the last (absent in runs made before it was sampled). */
    growthAfter10000?: number;
    streamsPerSecond: number;
  };
  /** Process start to the `listening` line. */
  startup: { variant: string; runs: number[]; idleRss: number; artifactBytes?: number }[];
  /** What was skipped, and why. */
  notes: string[];
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const ms = (value: number) => Number.isFinite(value) ? value < 10 ? value.toFixed(2) : value.toFixed(0) : "–";
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const spread = (values: number[], format: (value: number) => string) =>
  values.length > 1
    ? `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`
    : format(values[0]);

/**
 * Renders a report as Markdown tables, with the relay ÷ floor ratios and the targets.
 *
 * @example
 * ```ts ignore
 * console.log(renderReport(JSON.parse(await Deno.readTextFile("bench/results/latest.json"))));
 * ```
 */
export function renderReport(report: Report): string {
  const { machine } = report;
  const lines: string[] = [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Deno ${machine.deno}${
      machine.bun ? `, Bun ${machine.bun}` : ""
    }.`,
    "",
  ];
  const runs = (target: string, runtime: string, concurrency: number) =>
    report.load.filter((run) => run.target === target && run.runtime === runtime && run.concurrency === concurrency);
  const series = [...new Set(report.load.map((run) => `${run.target}|${run.runtime}`))].map((key) => key.split("|"));
  const levels = [...new Set(report.load.map((run) => run.concurrency))];
  if (report.load.length) {
    lines.push(
      "**End-to-end load** (closed loop; streams/s as median (min–max) of the repeats; latencies in ms at c=16; CPU and RSS of the target process at c=128)",
      "",
      `| target | ${
        levels.map((level) => `c=${level} streams/s`).join(" | ")
      } | TTFB p50/p99 | full stream p50/p99 | CPU s/1000 streams | peak RSS |`,
      `|---|${levels.map(() => "---:").join("|")}|---:|---:|---:|---:|`,
    );
    for (const [target, runtime] of series) {
      const at16 = runs(target, runtime, 16)[0]?.result;
      const at128 = runs(target, runtime, 128);
      lines.push(
        `| ${target} (${runtime}) | ${
          levels.map((level) =>
            spread(runs(target, runtime, level).map((run) => run.result.streamsPerSecond), (v) => v.toFixed(0))
          )
            .join(" | ")
        } | ${at16 ? `${ms(at16.firstByte.p50)} / ${ms(at16.firstByte.p99)}` : "–"} | ${
          at16 ? `${ms(at16.total.p50)} / ${ms(at16.total.p99)}` : "–"
        } | ${at128.length ? median(at128.map((run) => run.cpuSecondsPer1000)).toFixed(2) : "–"} | ${
          at128.length ? mb(Math.max(...at128.map((run) => run.peakRss))) : "–"
        } |`,
      );
    }
    lines.push("", "Relay ÷ floor, streams/s (same runtime, same run):", "");
    for (const runtime of [...new Set(series.map(([, runtime]) => runtime))]) {
      const ratios = levels.map((level) => {
        const relay = median(runs("relay", runtime, level).map((run) => run.result.streamsPerSecond));
        const floor = median(runs("floor", runtime, level).map((run) => run.result.streamsPerSecond));
        return `c=${level}: ${(relay / floor).toFixed(2)}×`;
      });
      lines.push(`- ${runtime}: ${ratios.join(", ")}`);
    }
    lines.push("");
  }
  if (report.openLoop.length) {
    const direct = report.openLoop.find((run) => run.target === "direct")?.result;
    lines.push(
      `**Time to first byte at a fixed ${
        (report.params.openLoop as { rate: number }).rate
      } streams/s** (ms; "added" is over direct)`,
      "",
      "| target | TTFB p50 | TTFB p99 | added p50 | added p99 | full stream p50 |",
      "|---|---:|---:|---:|---:|---:|",
    );
    for (const { target, runtime, result } of report.openLoop) {
      lines.push(
        `| ${target} (${runtime}) | ${ms(result.firstByte.p50)} | ${ms(result.firstByte.p99)} | ${
          direct && target !== "direct" ? ms(result.firstByte.p50 - direct.firstByte.p50) : "–"
        } | ${direct && target !== "direct" ? ms(result.firstByte.p99 - direct.firstByte.p99) : "–"} | ${
          ms(result.total.p50)
        } |`,
      );
    }
    lines.push("");
  }
  if (report.slowStreams.length) {
    lines.push(
      "**Many slow streams** (all opened at once; gaps between body reads, ms)",
      "",
      "| streams | pacing | relay | completed | failed | gap p99 direct | gap p99 relay | added p99 | relay peak RSS | RSS per stream |",
      "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const run of report.slowStreams) {
      const failed = Object.values(run.relay.failures).reduce((sum, count) => sum + count, 0);
      lines.push(
        `| ${
          run.streams.toLocaleString("en")
        } | ${run.frames} frames every ${run.paceMs} ms | ${run.runtime}, ${run.transport} | ${run.relay.completed} | ${failed} | ${
          ms(run.direct.readGaps!.p99)
        } | ${ms(run.relay.readGaps!.p99)} | ${ms(run.addedGapP99)} | ${mb(run.peakRss)} | ${
          (run.rssPerStream / 1024).toFixed(1)
        } KB |`,
      );
    }
    lines.push("");
  }
  if (report.leak) {
    const { leak } = report;
    lines.push(
      `**Leak check** (relay, Deno, short answers at concurrency 64, ${
        leak.streamsPerSecond.toFixed(0)
      } requests/s): RSS ${
        Object.entries(leak.rssAfter).map(([count, rss]) => `${mb(rss)} after ${Number(count).toLocaleString("en")}`)
          .join(", ")
      } requests; growth ${(leak.growth * 100).toFixed(1)}% from 1,000${
        leak.growthAfter10000 === undefined ? "" : `, ${(leak.growthAfter10000 * 100).toFixed(1)}% from 10,000`
      }.`,
      "",
    );
  }
  if (report.startup.length) {
    lines.push(
      "**Start-up** (process start to the `listening` line, ms, median (min–max))",
      "",
      "| how | start-up | idle RSS | artifact |",
      "|---|---:|---:|---:|",
    );
    for (const run of report.startup) {
      lines.push(
        `| ${run.variant} | ${spread(run.runs, (v) => v.toFixed(0))} | ${mb(run.idleRss)} | ${
          run.artifactBytes ? mb(run.artifactBytes) : "–"
        } |`,
      );
    }
    lines.push("");
  }
  if (report.micro.length) {
    lines.push(
      "**Micro-benchmarks** (`deno bench`)",
      "",
      "| transform | time/iter | MB/s | events/s |",
      "|---|---:|---:|---:|",
    );
    for (const bench of report.micro) {
      lines.push(
        `| ${bench.name} | ${bench.avgMs.toFixed(2)} ms | ${bench.mbPerSecond?.toFixed(1) ?? "–"} | ${
          bench.eventsPerSecond ? Math.round(bench.eventsPerSecond).toLocaleString("en") : "–"
        } |`,
      );
    }
    lines.push("");
  }
  for (const note of report.notes) lines.push(`Note: ${note}`);
  return lines.join("\n");
}
