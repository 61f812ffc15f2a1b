/**
 * The benchmark report: its JSON shape and the Markdown tables printed from it, with the
 * relay ÷ floor ratios next to the issue's targets (reported, never judged).
 *
 * @module
 */
import type { LoadResult } from "../load/generator.ts";

/**
 * How the fixed upstream sends the answer: whole in one write, one write per SSE event as
 * fast as it can, or one write per event 1 ms apart (so that every reader keeps up and
 * each event costs it one read).
 */
export type UpstreamMode = "body" | "events" | "paced";

/**
 * What a target is asked, as client dialect ← upstream dialect: `cody` and `openai` are
 * the upstream's own wire formats passed through (direct, floor); `openai←cody` is the
 * relay's OpenAI chat front over the Sourcegraph upstream, and so on.
 */
export type Route = "cody" | "openai" | "openai←cody" | "openai←openai" | "anthropic←cody" | "anthropic←openai";

/** One closed-loop run. */
export interface LoadRun {
  /** `direct`, `floor`, `relay` or a peer's name. */
  target: string;
  /** `deno`, `bun`, or a peer's runtime and version. */
  runtime: string;
  route: Route;
  mode: UpstreamMode;
  concurrency: number;
  repeat: number;
  result: LoadResult;
  /** Peak RSS of the target process while loaded. */
  peakRss: number;
  /** CPU (user + system, all threads) of the target process per stream completed, ms. */
  cpuMsPerStream: number;
}

/** One slow-stream burst through one target. */
export interface SlowRun {
  streams: number;
  deltas: number;
  paceMs: number;
  target: string;
  runtime: string;
  /** How the load generator reached the target. */
  transport: string;
  result: LoadResult;
  /** RSS before the burst (after a few warm-up requests); 0 for direct. */
  idleRss: number;
  peakRss: number;
  /** (peak − idle) ÷ streams. */
  rssPerStream: number;
  /** Gap p99 between body reads, over direct's. */
  addedGapP99: number;
}

/** Everything one run of the suite measured. */
export interface Report {
  /** When the run started (ISO 8601). */
  date: string;
  /** The machine and runtimes. */
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; deno: string; bun?: string };
  /** The suite's parameters. */
  params: Record<string, unknown>;
  /** The fixed upstream and the runtime it ran on. */
  upstream: string;
  /** `deno bench` results. */
  micro: {
    name: string;
    avgMs: number;
    minMs: number;
    maxMs: number;
    mbPerSecond?: number;
    eventsPerSecond?: number;
  }[];
  /** Closed-loop runs. */
  load: LoadRun[];
  /** Fixed-rate runs, for time to first byte below saturation. */
  openLoop: { target: string; runtime: string; route: Route; mode: UpstreamMode; result: LoadResult }[];
  /** Peers asked for with `--peers`: what was installed, or why not. */
  peers: { name: string; package?: string; runtime?: string; skipped?: string; tried?: string }[];
  /** Many concurrent paced streams, direct and through each target. */
  slowStreams: SlowRun[];
  /** RSS after the first 1,000 requests and after all of them. */
  leak?: {
    requests: number;
    /** RSS after this many requests, by count. */
    rssAfter: Record<string, number>;
    /** From 1,000 requests to the last. */
    growth: number;
    /** From 10,000 requests to the last. */
    growthAfter10000?: number;
    streamsPerSecond: number;
  };
  /** Process start to the `listening` line. */
  startup: { variant: string; runs: number[]; idleRss: number; artifactBytes?: number }[];
  /** What was skipped, and why. */
  notes: string[];
}

const MODE_NAMES: Record<UpstreamMode, string> = {
  body: "one body",
  events: "one chunk per event",
  paced: "one chunk per event, 1 ms apart",
};
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const ms = (value: number | undefined) =>
  value !== undefined && Number.isFinite(value) ? Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(0) : "–";
const ratio = (value: number | undefined) =>
  value !== undefined && Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
const median = (values: number[]) =>
  values.length ? [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] : NaN;
/** The figures a run measured: a run with no stream completed in its window has none (NaN, null in JSON). */
const measured = (values: (number | null)[]) => values.filter((value): value is number => Number.isFinite(value));
const spread = (values: number[], format: (value: number) => string) =>
  !values.length
    ? "–"
    : values.length > 1
    ? `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`
    : format(values[0]);
const routeName = (route: Route) => route.replace("←", " ← ");

const ROUTES: Route[] = ["cody", "openai", "openai←cody", "openai←openai", "anthropic←cody", "anthropic←openai"];

/** Rows in order: direct, then each runtime's floor and relay routes, then peers. */
function order([, target, runtime, route]: string[]): number {
  const group = target === "direct" ? 0 : runtime === "deno" ? 1 : runtime === "bun" ? 2 : 3;
  const kind = target === "direct" || target === "floor" ? 0 : target === "relay" ? 1 : 2;
  return group * 100 + kind * 10 + ROUTES.indexOf(route as Route);
}

/** A target's row name: `relay (deno)`, `portkey (bun 1.4.4)`. */
function targetName(target: string, runtime: string): string {
  return target === "direct" ? "direct (fixed upstream)" : `${target} (${runtime})`;
}

/**
 * Renders a report as Markdown tables.
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
    }; upstream: ${report.upstream}.`,
    "",
  ];
  const runs = (filter: Partial<LoadRun>) =>
    report.load.filter((run) => Object.entries(filter).every(([key, value]) => run[key as keyof LoadRun] === value));
  const streams = (filter: Partial<LoadRun>) => median(runs(filter).map((run) => run.result.streamsPerSecond));
  const cpu = (filter: Partial<LoadRun>) => median(runs(filter).map((run) => run.cpuMsPerStream));
  const levels = [...new Set(report.load.map((run) => run.concurrency))].sort((a, b) => a - b);

  if (report.load.length) {
    lines.push(
      `**Saturated load** (closed loop; streams/s as median (min–max) of ${
        report.params.repeats ?? 1
      } runs; CPU = the target process's CPU ms per stream; reads = network reads per stream at the client, at the highest concurrency run)`,
      "",
      `| upstream mode | target | route | ${levels.map((level) => `c=${level} streams/s`).join(" | ")} | ${
        levels.map((level) => `CPU ms/stream c=${level}`).join(" | ")
      } | reads | peak RSS |`,
      `|---|---|---|${levels.map(() => "---:").join("|")}|${levels.map(() => "---:").join("|")}|---:|---:|`,
    );
    const series = [...new Set(report.load.map((run) => `${run.mode}|${run.target}|${run.runtime}|${run.route}`))]
      .map((key) => key.split("|"))
      .sort((a, b) => order(a) - order(b));
    for (const mode of ["body", "events", "paced"] as const) {
      for (const [, target, runtime, route] of series.filter(([seriesMode]) => seriesMode === mode)) {
        const filter = { mode, target, runtime, route: route as Route };
        const all = runs(filter);
        const top = all.filter((run) => run.concurrency === Math.max(...all.map((run) => run.concurrency)));
        lines.push(
          `| ${MODE_NAMES[mode]} | ${targetName(target, runtime)} | ${routeName(route as Route)} | ${
            levels.map((concurrency) =>
              spread(runs({ ...filter, concurrency }).map((run) => run.result.streamsPerSecond), (v) => v.toFixed(0))
            ).join(" | ")
          } | ${levels.map((concurrency) => ms(cpu({ ...filter, concurrency }))).join(" | ")} | ${
            spread(measured(top.map((run) => run.result.readsPerStream)), (v) => v.toFixed(0))
          } | ${mb(Math.max(...all.map((run) => run.peakRss)))} |`,
        );
      }
    }
    for (const peer of report.peers.filter((peer) => peer.skipped)) {
      lines.push(`| – | ${peer.name} | skipped: ${peer.skipped} |${" – |".repeat(levels.length * 2 + 2)}`);
    }
    lines.push("");
  }

  const open = (filter: { target: string; runtime?: string; route?: Route; mode: UpstreamMode }) =>
    report.openLoop.find((run) =>
      Object.entries(filter).every(([key, value]) => run[key as keyof typeof run] === value)
    )?.result;
  const directOf = (route: Route, mode: UpstreamMode) =>
    open({ target: "direct", route: route === "cody" || route.endsWith("←cody") ? "cody" : "openai", mode });
  if (report.openLoop.length) {
    const { rate, concurrency } = report.params.openLoop as { rate: number; concurrency: number };
    lines.push(
      `**Time to first byte at a fixed ${rate} streams/s** (open loop, up to ${concurrency} connections; ms; "added" is over the fixed upstream alone, same mode and dialect)`,
      "",
      "| upstream mode | target | route | streams/s | TTFB p50 | TTFB p99 | added p50 | added p99 | full stream p50 |",
      "|---|---|---|---:|---:|---:|---:|---:|---:|",
    );
    for (const mode of ["body", "events"] as const) {
      for (const run of report.openLoop.filter((run) => run.mode === mode)) {
        const direct = directOf(run.route, mode);
        const added = run.target !== "direct" && direct;
        lines.push(
          `| ${MODE_NAMES[mode]} | ${targetName(run.target, run.runtime)} | ${routeName(run.route)} | ${
            run.result.streamsPerSecond.toFixed(0)
          } | ${ms(run.result.firstByte.p50)} | ${ms(run.result.firstByte.p99)} | ${
            added ? ms(run.result.firstByte.p50 - direct.firstByte.p50) : "–"
          } | ${added ? ms(run.result.firstByte.p99 - direct.firstByte.p99) : "–"} | ${ms(run.result.total.p50)} |`,
        );
      }
    }
    lines.push("");
  }

  const runtimes = [...new Set([...report.load, ...report.slowStreams].map((run) => run.runtime))]
    .filter((runtime) => runtime === "deno" || runtime === "bun");
  if (report.load.length || report.slowStreams.length) {
    const top = Math.max(...levels);
    const low = Math.min(...levels);
    const rows: [string, string, (runtime: string) => string][] = [];
    if (report.load.length) {
      const throughput = (route: Route) => (runtime: string) =>
        ratio(
          streams({ target: "relay", runtime, route, mode: "body", concurrency: top }) /
            streams({ target: "floor", runtime, mode: "body", concurrency: top }),
        );
      rows.push(
        [`one body, c=${top}: streams/s, relay (openai ← cody) ÷ floor`, "≥ 0.6×", throughput("openai←cody")],
        [`one body, c=${top}: streams/s, relay (openai ← openai) ÷ floor`, "≥ 0.6×", throughput("openai←openai")],
        [`one body, c=${top}: streams/s, relay (anthropic ← cody) ÷ floor`, "≥ 0.6×", throughput("anthropic←cody")],
      );
      for (const concurrency of [low, top]) {
        rows.push([
          `one chunk per event, c=${concurrency}: CPU per stream, relay ÷ floor`,
          "≤ 1.3×",
          (runtime) =>
            ratio(
              cpu({ target: "relay", runtime, route: "openai←cody", mode: "events", concurrency }) /
                cpu({ target: "floor", runtime, mode: "events", concurrency }),
            ),
        ]);
      }
      const paced = runs({ mode: "paced", target: "relay" })[0]?.concurrency;
      if (paced) {
        rows.push([
          `one chunk per event 1 ms apart (one read per event), c=${paced}: CPU per stream, relay ÷ floor`,
          "",
          (runtime) =>
            ratio(
              cpu({ target: "relay", runtime, route: "openai←cody", mode: "paced", concurrency: paced }) /
                cpu({ target: "floor", runtime, mode: "paced", concurrency: paced }),
            ),
        ]);
      }
      rows.push([
        `one body, c=${top}: CPU per stream, relay ÷ floor`,
        "",
        (runtime) =>
          ratio(
            cpu({ target: "relay", runtime, route: "openai←cody", mode: "body", concurrency: top }) /
              cpu({ target: "floor", runtime, mode: "body", concurrency: top }),
          ),
      ]);
    }
    if (report.openLoop.length) {
      for (const mode of ["body", "events"] as const) {
        rows.push([
          `${MODE_NAMES[mode]}: TTFB at ${
            (report.params.openLoop as { rate: number }).rate
          }/s, relay − floor, p50 / p99 (ms)`,
          "≤ 0.5 / 3",
          (runtime) => {
            const relay = open({ target: "relay", runtime, route: "openai←cody", mode });
            const floor = open({ target: "floor", runtime, mode });
            return relay && floor
              ? `${ms(relay.firstByte.p50 - floor.firstByte.p50)} / ${ms(relay.firstByte.p99 - floor.firstByte.p99)}`
              : "–";
          },
        ]);
      }
    }
    for (const streamsOpen of [...new Set(report.slowStreams.map((run) => run.streams))]) {
      const slow = (target: string, runtime: string) =>
        report.slowStreams.find((run) =>
          run.streams === streamsOpen && run.target === target && run.runtime === runtime
        );
      const first = report.slowStreams.find((run) => run.streams === streamsOpen)!;
      rows.push([
        `${
          streamsOpen.toLocaleString("en")
        } slow streams (${first.deltas} events every ${first.paceMs} ms): RSS per open stream, relay ÷ floor`,
        "≤ 1.3×",
        (runtime) => {
          const relay = slow("relay", runtime);
          const floor = slow("floor", runtime);
          return relay && floor ? ratio(relay.rssPerStream / floor.rssPerStream) : "–";
        },
      ]);
    }
    lines.push(
      "**Relay ÷ floor** (same runtime, same run; the issue's targets, reported and never enforced)",
      "",
      `| measure | target | ${runtimes.join(" | ")} |`,
      `|---|---|${runtimes.map(() => "---:").join("|")}|`,
      ...rows.map(([name, target, value]) => `| ${name} | ${target} | ${runtimes.map(value).join(" | ")} |`),
      "",
    );
  }

  if (report.peers.length) {
    lines.push(
      "**Peers** (the same answer from the fixed upstream's OpenAI-compatible API; relay ÷ peer in streams/s on the peer's route, " +
        "with the relay on each runtime; the issue's target is ≥ 4×; added TTFB at " +
        `${(report.params.openLoop as { rate: number }).rate}/s over the fixed upstream, one body)`,
      "",
      `| peer | installed, runtime | route | relay | ${
        (["body", "events"] as const).flatMap((mode) => levels.map((level) => `${MODE_NAMES[mode]} c=${level}`))
          .join(" | ")
      } | peer's added TTFB p50 / p99 (ms) | relay's |`,
      `|---|---|---|---|${levels.map(() => "---:|---:").join("|")}|---:|---:|`,
    );
    for (const peer of report.peers) {
      if (peer.skipped) {
        lines.push(`| ${peer.name} | skipped: ${peer.skipped} |${" – |".repeat(levels.length * 2 + 4)}`);
        continue;
      }
      const route = runs({ target: peer.name })[0]?.route;
      if (!route) {
        lines.push(
          `| ${peer.name} | ${peer.package} on ${peer.runtime} | not measured |${" – |".repeat(levels.length * 2 + 3)}`,
        );
        continue;
      }
      const direct = directOf(route, "body");
      const added = (result: LoadResult | undefined) =>
        result && direct
          ? `${ms(result.firstByte.p50 - direct.firstByte.p50)} / ${ms(result.firstByte.p99 - direct.firstByte.p99)}`
          : "–";
      for (const runtime of runtimes) {
        const cells = (["body", "events"] as const).flatMap((mode) =>
          levels.map((concurrency) =>
            ratio(
              streams({ target: "relay", runtime, route, mode, concurrency }) /
                streams({ target: peer.name, mode, concurrency }),
            )
          )
        );
        lines.push(
          `| ${peer.name} | ${peer.package} on ${peer.runtime} | ${routeName(route)} | ${runtime} | ${
            cells.join(" | ")
          } | ${added(open({ target: peer.name, mode: "body" }))} | ${
            added(open({ target: "relay", runtime, route, mode: "body" }))
          } |`,
        );
      }
    }
    lines.push("");
    for (const peer of report.peers.filter((peer) => peer.tried)) {
      lines.push(`${peer.name} did not run on ${peer.tried}`);
    }
    if (report.peers.some((peer) => peer.tried)) lines.push("");
  }

  if (report.slowStreams.length) {
    lines.push(
      "**Many slow streams** (all opened at once; RSS = the target process's peak minus its idle RSS; gaps between body reads, ms)",
      "",
      "| streams | pacing | target | clients over | completed | failed | gap p99 | added gap p99 | peak RSS | RSS per stream |",
      "|---:|---|---|---|---:|---:|---:|---:|---:|---:|",
    );
    for (const run of report.slowStreams) {
      const failed = Object.values(run.result.failures).reduce((sum, count) => sum + count, 0);
      const direct = run.target === "direct";
      lines.push(
        `| ${run.streams.toLocaleString("en")} | ${run.deltas} events every ${run.paceMs} ms | ${
          targetName(run.target, run.runtime)
        } | ${run.transport} | ${run.result.completed} | ${failed} | ${ms(run.result.readGaps?.p99)} | ${
          direct ? "–" : ms(run.addedGapP99)
        } | ${direct ? "–" : mb(run.peakRss)} | ${direct ? "–" : `${(run.rssPerStream / 1024).toFixed(1)} KB`} |`,
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
