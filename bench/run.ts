/**
 * The benchmark suite (`deno task bench [--quick] [--only micro,load,slow,leak,startup]
 * [--out FILE] [--no-bun]`): micro-
 * benchmarks, end-to-end load against the simulator (direct), a pass-through proxy
 * (floor) and the relay, many slow streams, a leak check and start-up times, on Deno and
 * Bun. Loopback only, bounded in time; prints a table and writes every figure as JSON.
 * It reports and never judges speed; it exits non-zero only when streams fail.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LoadPlan, LoadResult } from "./load/generator.ts";
import { MICRO_INPUTS } from "./micro_inputs.ts";
import { type ServerProcess, startServer, whileSampling } from "./suite/processes.ts";
import { renderReport, type Report } from "./suite/report.ts";
import { findBun } from "../tools/bun.ts";
import { build, hostTarget } from "../tools/build.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean" },
    out: { type: "string" },
    "no-bun": { type: "boolean" },
    only: { type: "string" },
  },
});
const SECTIONS = (flags.only ?? "micro,load,slow,leak,startup").split(",");
const QUICK = !!flags.quick;
const ROOT = new URL("../", import.meta.url);
const DENO = Deno.execPath();
const TOKEN = "sgp_bench_0123456789abcdef";
const path = (relative: string) => new URL(relative, ROOT).pathname;

/** The suite's parameters; every figure in the report was measured with these. */
const PARAMS = {
  quick: QUICK,
  answerWords: 270, // 257 SSE frames of a word or two each, ≈13 KB from the upstream
  concurrency: [1, 16, 128],
  repeats: QUICK ? 1 : 3,
  durationMs: QUICK ? 1000 : 1500,
  warmupMs: QUICK ? 300 : 500,
  openLoop: { rate: 200, concurrency: 16, durationMs: QUICK ? 2000 : 4000 },
  slowStreams: QUICK
    ? [{ streams: 1000, frames: 20, paceMs: 100 }]
    : [{ streams: 1000, frames: 200, paceMs: 50 }, { streams: 10_000, frames: 20, paceMs: 500 }],
  slowStreamTimeoutMs: 60_000,
  leakRequests: QUICK ? 10_000 : 100_000,
  startupRuns: QUICK ? 3 : 5,
};

const report: Report = {
  date: new Date().toISOString(),
  machine: await machine(),
  params: PARAMS,
  micro: [],
  load: [],
  openLoop: [],
  slowStreams: [],
  leak: undefined,
  startup: [],
  notes: [],
};
let failed = false;

const log = (line: string) => console.error(`[bench] ${line}`);
const bun = flags["no-bun"] ? undefined : await findBun();
if (!bun && !flags["no-bun"]) report.notes.push("Bun figures skipped: `npx -y bun@1.4.4` is not available here");
report.machine.bun = bun?.version;

if (!QUICK && SECTIONS.includes("micro")) await micro();
const simulator = await startServer([DENO, "run", "-A", path("cli.ts"), "simulate", "--port", "0"], {});
try {
  if (SECTIONS.includes("load")) await load();
  if (SECTIONS.includes("slow")) await slowStreams();
  if (SECTIONS.includes("leak")) await leak();
  if (SECTIONS.includes("startup")) await startup();
} finally {
  await simulator.stop();
}

const out = flags.out ?? path(`bench/results/latest${QUICK ? "-quick" : ""}.json`);
await Deno.mkdir(new URL(".", `file://${out}`), { recursive: true });
await Deno.writeTextFile(out, JSON.stringify(report, null, 2) + "\n");
console.log(renderReport(report));
console.log(`\nEvery figure: ${out}`);
if (failed) {
  console.error("[bench] some streams failed; see the failures above");
  Deno.exit(1);
}

// ---------------------------------------------------------------------------------------

type Target = { name: string; runtime: string; process: ServerProcess; kind: "cody" | "openai" };

async function load(): Promise<void> {
  const floor = await startServer([DENO, "run", "-A", path("bench/floor_proxy.ts"), simulator.url], {});
  const relay = await startRelay(DENO, ["run", "-A", path("cli.ts")], simulator.url, {});
  const targets: Target[] = [
    { name: "direct", runtime: "deno", process: simulator, kind: "cody" },
    { name: "floor", runtime: "deno", process: floor, kind: "cody" },
    { name: "relay", runtime: "deno", process: relay, kind: "openai" },
  ];
  if (bun) {
    targets.push(
      {
        name: "floor",
        runtime: "bun",
        process: await startServer([bun.path, path("bench/floor_proxy.ts"), simulator.url], {}),
        kind: "cody",
      },
      {
        name: "relay",
        runtime: "bun",
        process: await startRelay(bun.path, [path("cli.ts")], simulator.url, {}),
        kind: "openai",
      },
    );
  }
  try {
    for (let repeat = 0; repeat < PARAMS.repeats; repeat++) {
      for (const concurrency of PARAMS.concurrency) {
        for (const target of targets) {
          log(`load: ${target.name} (${target.runtime}) c=${concurrency} run ${repeat + 1}/${PARAMS.repeats}`);
          const { result, peakRss, cpu } = await whileSampling(target.process.pid, () =>
            runLoad({
              ...request(target, `bench [[sim words=${PARAMS.answerWords}]]`),
              mode: "closed",
              concurrency,
              durationMs: PARAMS.durationMs,
              warmupMs: PARAMS.warmupMs,
            }));
          check(`${target.name}/${target.runtime} c=${concurrency}`, result);
          report.load.push({
            target: target.name,
            runtime: target.runtime,
            concurrency,
            repeat,
            result,
            peakRss,
            cpuSecondsPer1000: cpu / result.allCompleted * 1000,
          });
        }
      }
    }
    for (const target of targets.filter((target) => target.name !== "floor" || target.runtime === "deno")) {
      log(`open loop: ${target.name} (${target.runtime}) at ${PARAMS.openLoop.rate}/s`);
      const result = await runLoad({
        ...request(target, `bench [[sim words=${PARAMS.answerWords}]]`),
        mode: "open",
        rate: PARAMS.openLoop.rate,
        concurrency: PARAMS.openLoop.concurrency,
        durationMs: PARAMS.openLoop.durationMs,
        warmupMs: 500,
      });
      check(`open loop ${target.name}/${target.runtime}`, result);
      report.openLoop.push({ target: target.name, runtime: target.runtime, result });
    }
  } finally {
    await Promise.all(targets.filter((target) => target.process !== simulator).map((target) => target.process.stop()));
  }
}

async function slowStreams(): Promise<void> {
  for (const { streams, frames, paceMs } of PARAMS.slowStreams) {
    // One HTTP/1.1 connection per stream in and one out would need more than the 20,000
    // descriptors a process may open here, so beyond 5,000 streams clients connect over
    // HTTP/2 (100 streams per connection), as they would through a TLS front proxy.
    // Bun.serve speaks no cleartext HTTP/2, so those runs are Deno only.
    const http2 = streams > 5000;
    const relays: [string, Promise<ServerProcess>][] = [[
      "deno",
      startRelay(DENO, ["run", "-A", path("cli.ts")], simulator.url, {}),
    ]];
    if (bun && !http2) relays.push(["bun", startRelay(bun.path, [path("cli.ts")], simulator.url, {})]);
    const prompt = `slow [[sim words=${frames} pace_ms=${paceMs}]]`;
    const burst = {
      mode: "burst",
      concurrency: streams,
      requests: streams,
      http2,
      timeoutMs: PARAMS.slowStreamTimeoutMs,
    } as const;
    log(`slow streams: ${streams} direct`);
    const direct = await runLoad({
      ...request({ name: "direct", kind: "cody", process: simulator, runtime: "deno" }, prompt),
      ...burst,
    });
    check(`slow direct ${streams}`, direct, false);
    for (const [runtime, starting] of relays) {
      const relay = await starting;
      try {
        const idleRss = (await whileSampling(relay.pid, () => Promise.resolve())).peakRss;
        log(`slow streams: ${streams} through the relay (${runtime})`);
        const { result, peakRss } = await whileSampling(
          relay.pid,
          () => runLoad({ ...request({ name: "relay", kind: "openai", process: relay, runtime }, prompt), ...burst }),
        );
        check(`slow relay/${runtime} ${streams}`, result, false);
        report.slowStreams.push({
          streams,
          frames,
          paceMs,
          runtime,
          transport: http2 ? "clients over HTTP/2" : "clients over HTTP/1.1",
          direct,
          relay: result,
          idleRss,
          peakRss,
          rssPerStream: (peakRss - idleRss) / streams,
          addedGapP99: result.readGaps!.p99 - direct.readGaps!.p99,
        });
      } finally {
        await relay.stop();
      }
    }
  }
}

async function leak(): Promise<void> {
  const relay = await startRelay(DENO, ["run", "-A", path("cli.ts")], simulator.url, {});
  try {
    const plan = (requests: number): LoadPlan => ({
      ...request({ name: "relay", kind: "openai", process: relay, runtime: "deno" }, "leak [[sim words=20]]"),
      mode: "burst",
      concurrency: 64,
      requests,
    });
    const rss: Record<string, number> = {};
    let rest: LoadResult | undefined;
    for (
      const [done, requests] of [[1000, 1000], [10_000, 9000], [PARAMS.leakRequests, PARAMS.leakRequests - 10_000]]
    ) {
      if (requests <= 0) continue;
      log(`leak: up to ${done.toLocaleString("en")} requests`);
      rest = await runLoad(plan(requests));
      check(`leak up to ${done}`, rest);
      await new Promise((resolve) => setTimeout(resolve, 500));
      rss[done] = (await whileSampling(relay.pid, () => Promise.resolve())).peakRss;
    }
    report.leak = {
      requests: PARAMS.leakRequests,
      rssAfter: rss,
      growth: rss[PARAMS.leakRequests] / rss[1000] - 1,
      growthAfter10000: rss[PARAMS.leakRequests] / rss[10_000] - 1,
      streamsPerSecond: rest!.streamsPerSecond,
    };
  } finally {
    await relay.stop();
  }
}

async function startup(): Promise<void> {
  const dist = await Deno.makeTempDir({ prefix: "cody-relay-bench-dist-" });
  const host = hostTarget();
  const artifacts = await build({ out: dist, targets: bun ? [host] : [] });
  for (const skipped of artifacts.filter((artifact) => artifact.skipped)) {
    report.notes.push(`start-up of ${skipped.name} not measured: ${skipped.skipped}`);
  }
  const built = (name: string) => artifacts.some((artifact) => artifact.name === name && !artifact.skipped);
  const bundle = `${dist}/cody-relay.js`;
  const variants: { name: string; command: string[]; artifact?: string }[] = [
    { name: "deno run cli.ts", command: [DENO, "run", "-A", path("cli.ts")] },
    { name: "deno run (bundled file)", command: [DENO, "run", "-A", bundle], artifact: bundle },
    { name: "node (bundled file)", command: ["node", bundle], artifact: bundle },
  ];
  if (bun) {
    variants.push(
      { name: "bun cli.ts", command: [bun.path, path("cli.ts")] },
      { name: "bun (bundled file)", command: [bun.path, bundle], artifact: bundle },
    );
    const binary = `${dist}/cody-relay-${host}`;
    if (built(`cody-relay-${host}`)) {
      variants.push({ name: "compiled binary (bun build --compile)", command: [binary], artifact: binary });
    }
  }
  try {
    for (const variant of variants) {
      const times: number[] = [];
      let idleRss = 0;
      for (let run = 0; run < PARAMS.startupRuns; run++) {
        const server = await startServer([...variant.command, "--port", "0"], {});
        times.push(server.startupMs);
        idleRss = (await whileSampling(server.pid, () => Promise.resolve())).peakRss;
        await server.stop();
      }
      const size = variant.artifact ? (await Deno.stat(variant.artifact)).size : undefined;
      report.startup.push({ variant: variant.name, runs: times, idleRss, artifactBytes: size });
      log(`start-up: ${variant.name} ${times.map((time) => time.toFixed(0)).join(", ")} ms`);
    }
  } finally {
    await Deno.remove(dist, { recursive: true }).catch(() => {});
  }
}

async function micro(): Promise<void> {
  log("micro-benchmarks (deno bench)");
  const output = await new Deno.Command(DENO, {
    args: ["bench", "--allow-read", "--json", path("bench/transforms_bench.ts")],
    stderr: "null",
  }).output();
  const parsed = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    benches: { name: string; results: { ok: { avg: number; min: number; max: number; p75: number } }[] }[];
  };
  for (const bench of parsed.benches) {
    const timing = bench.results[0].ok;
    const input = MICRO_INPUTS[bench.name];
    report.micro.push({
      name: bench.name,
      avgMs: timing.avg / 1e6,
      minMs: timing.min / 1e6,
      maxMs: timing.max / 1e6,
      mbPerSecond: input?.bytes ? input.bytes / 1e6 / (timing.avg / 1e9) : undefined,
      eventsPerSecond: input ? input.events / (timing.avg / 1e9) : undefined,
    });
  }
}

// ---------------------------------------------------------------------------------------

function startRelay(runtime: string, args: string[], upstream: string, env: Record<string, string>) {
  return startServer(
    [
      runtime,
      ...args,
      "--port",
      "0",
      "--endpoint",
      upstream,
      "--log-level",
      "warning",
    ],
    { SRC_ACCESS_TOKEN: TOKEN, ...env },
  );
}

function request(target: Target, prompt: string): Omit<LoadPlan, "mode" | "concurrency"> {
  if (target.kind === "openai") {
    return {
      url: `${target.process.url}/v1/chat/completions`,
      body: JSON.stringify({ messages: [{ role: "user", content: prompt }], max_tokens: 4000, stream: true }),
      headers: {},
      expectEnd: "data: [DONE]\n\n",
    };
  }
  return {
    url: `${target.process.url}/.api/completions/stream?api-version=9&client-name=cody-relay`,
    body: JSON.stringify({ messages: [{ speaker: "human", text: prompt }], maxTokensToSample: 4000, stream: true }),
    headers: { authorization: `token ${TOKEN}` },
    expectEnd: "event: done\ndata: {}\n\n",
  };
}

async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const output = await new Deno.Command(DENO, {
    args: ["run", "--allow-net", "--allow-read", path("bench/load/generator.ts"), JSON.stringify(plan)],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`the load generator failed (exit ${output.code})`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** Logs failed streams; unless they are a figure to report (overload), the run fails. */
function check(label: string, result: LoadResult, fatal = true): void {
  const failures = Object.entries(result.failures);
  if (!failures.length) return;
  if (fatal) failed = true;
  log(`FAILED streams in ${label}: ${failures.map(([message, count]) => `${count}× ${message}`).join("; ")}`);
}

async function machine() {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  return {
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "unknown",
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    bun: undefined as string | undefined,
  };
}
