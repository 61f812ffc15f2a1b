/**
 * The benchmark suite: `deno task bench [--quick] [--only micro,load,slow,leak,startup]
 * [--peers] [--out FILE] [--no-bun]`. It measures what users see, against one fixed
 * upstream answer (`bench/fixed_upstream.ts`) sent in two modes (one body, one chunk per
 * event; and paced, one chunk per event 1 ms apart, for the CPU a read costs):
 * saturated streams/s, CPU per stream and added time to first byte at a fixed
 * load for the relay and for the fastest pass-through in the same runtime (the floor,
 * `bench/floor_proxy.ts`), on Deno and Bun, in the same run; many slow streams (memory
 * per open stream, relay and floor); a leak check; start-up times; micro-benchmarks.
 * `--peers` (never in CI) installs Portkey's gateway and claude-code-router into a
 * temporary folder and loads them the same way. Loopback only, bounded in time; prints
 * tables (`bench/README.md` explains every figure) and writes every figure as JSON. It
 * reports and never judges speed; it exits non-zero only when streams fail.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LoadPlan, LoadResult } from "./load/generator.ts";
import { FLOOR_ENV } from "./floor_proxy.ts";
import { MICRO_INPUTS } from "./micro_inputs.ts";
import { type Peer, peerFolder, type PeerRequest, startPeers } from "./suite/peers.ts";
import { type ServerProcess, startServer, whileSampling } from "./suite/processes.ts";
import { type LoadRun, renderReport, type Report, type Route, type UpstreamMode } from "./suite/report.ts";
import { findBun } from "../tools/bun.ts";
import { build, hostTarget } from "../tools/build.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean" },
    out: { type: "string" },
    "no-bun": { type: "boolean" },
    only: { type: "string" },
    peers: { type: "boolean" },
  },
});
const SECTIONS = (flags.only ?? "micro,load,slow,leak,startup").split(",");
const QUICK = !!flags.quick;
const PEERS = !!flags.peers && !QUICK;
const ROOT = new URL("../", import.meta.url);
const DENO = Deno.execPath();
const TOKEN = "sgp_bench_0123456789abcdef";
const path = (relative: string) => new URL(relative, ROOT).pathname;
const MODES: UpstreamMode[] = ["body", "events"];
/** One chunk per event 1 ms apart: a reader keeps up, so each event costs it one read (CPU per stream at c=16 only). */
const PACED: UpstreamMode = "paced";

/** The suite's parameters; every figure in the report was measured with these. */
const PARAMS = {
  quick: QUICK,
  deltas: 200, // 202 Cody events (9.7 KB), 204 OpenAI events (36 KB)
  concurrency: [16, 128],
  repeats: QUICK ? 1 : 3,
  durationMs: QUICK ? 400 : 1500,
  warmupMs: QUICK ? 150 : 500,
  /** Streams each target serves before it is measured, per upstream mode. */
  warmRequests: QUICK ? { body: 500, events: 100 } : { body: 3000, events: 600 },
  /** The paced mode's closed loop: streams last ≥ 200 ms, so it runs longer to count enough of them. */
  paced: { concurrency: 16, durationMs: QUICK ? 1000 : 3000 },
  openLoop: { rate: 200, concurrency: 16, durationMs: QUICK ? 800 : 4000, warmupMs: QUICK ? 200 : 500 },
  slowStreams: QUICK
    ? [{ streams: 500, deltas: 10, paceMs: 100 }]
    : [{ streams: 1000, deltas: 200, paceMs: 50 }, { streams: 10_000, deltas: 20, paceMs: 500 }],
  slowStreamTimeoutMs: 60_000,
  leakRequests: QUICK ? 3_000 : 100_000,
  startupRuns: QUICK ? 2 : 5,
};

const report: Report = {
  date: new Date().toISOString(),
  machine: await machine(),
  params: PARAMS,
  upstream: `bench/fixed_upstream.ts on Deno ${Deno.version.deno}`,
  micro: [],
  load: [],
  openLoop: [],
  peers: [],
  slowStreams: [],
  leak: undefined,
  startup: [],
  notes: [],
};
let failed = false;

const began = performance.now();
const log = (line: string) =>
  console.error(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const bun = flags["no-bun"] ? undefined : await findBun();
if (!bun && !flags["no-bun"]) report.notes.push("Bun figures skipped: `npx -y bun@1.4.4` is not available here");
report.machine.bun = bun?.version;
if (flags.peers && QUICK) report.notes.push("--peers is ignored with --quick");

if (!QUICK && SECTIONS.includes("micro")) await micro();
/** Config files of the relays started here. */
const workDir = await Deno.makeTempDir({ prefix: "cody-relay-bench-" });
const upstream = await startServer([DENO, "run", "-A", path("bench/fixed_upstream.ts")], {});
try {
  if (SECTIONS.includes("load")) await load();
  if (SECTIONS.includes("slow")) await slowStreams();
  if (SECTIONS.includes("leak")) await leak();
  if (SECTIONS.includes("startup")) await startup();
} finally {
  await upstream.stop();
  await Deno.remove(workDir, { recursive: true }).catch(() => {});
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

/** Something the load generator sends requests to. */
interface Target {
  /** `direct` (the fixed upstream alone), `floor`, `relay` or a peer's name. */
  name: string;
  runtime: string;
  /** Client dialect ← upstream dialect. */
  route: Route;
  process: ServerProcess;
  /** A peer's own request shape. */
  peer?: PeerRequest;
}

/** A closed-loop configuration: which concurrencies and modes a target is run at. */
interface Plan {
  target: Target;
  concurrency: number[];
  modes: UpstreamMode[];
}

async function load(): Promise<void> {
  const direct: Target = { name: "direct", runtime: "deno", route: "cody", process: upstream };
  const directOpenAI: Target = { ...direct, route: "openai" };
  const runtimes: [string, string[]][] = [["deno", [DENO, "run", "-A"]]];
  if (bun) runtimes.push(["bun", [bun.path]]);
  const started: ServerProcess[] = [];
  const plans: Plan[] = [
    { target: direct, concurrency: PARAMS.concurrency, modes: MODES },
    { target: direct, concurrency: [PARAMS.paced.concurrency], modes: [PACED] },
  ];
  const openLoop: Target[] = [direct];
  const relays = new Map<string, ServerProcess>();
  let folder: Awaited<ReturnType<typeof peerFolder>> | undefined;
  let peers: Peer[] = [];
  try {
    for (const [runtime, command] of runtimes) {
      const [floor, relay] = await Promise.all([
        startServer([...command, path("bench/floor_proxy.ts"), upstream.url], FLOOR_ENV),
        startRelay(command, {}),
      ]);
      started.push(floor, relay);
      relays.set(runtime, relay);
      const floorTarget: Target = { name: "floor", runtime, route: "cody", process: floor };
      const relayTarget: Target = { name: "relay", runtime, route: "openai←cody", process: relay };
      // The other front and upstream, at the concurrency the issue measured; both modes in a full run.
      const variants = QUICK ? ["body" as const] : MODES;
      plans.push(
        { target: floorTarget, concurrency: PARAMS.concurrency, modes: MODES },
        { target: relayTarget, concurrency: PARAMS.concurrency, modes: MODES },
        { target: floorTarget, concurrency: [PARAMS.paced.concurrency], modes: [PACED] },
        { target: relayTarget, concurrency: [PARAMS.paced.concurrency], modes: [PACED] },
        { target: { ...relayTarget, route: "openai←openai" }, concurrency: [128], modes: variants },
        { target: { ...relayTarget, route: "anthropic←cody" }, concurrency: [128], modes: variants },
      );
      openLoop.push(floorTarget, relayTarget);
    }
    if (PEERS) {
      folder = await peerFolder();
      peers = await startPeers(folder.dir, upstream.url, bun?.path, log);
      for (const peer of peers) {
        const { name, package: installed, runtime, skipped, tried } = peer;
        report.peers.push({ name, package: installed, runtime, skipped, tried });
        if (peer.skipped) log(`peer ${peer.name} skipped: ${peer.skipped}`);
      }
      const peerTargets = peers.filter((peer) => peer.process).map((peer): Target => ({
        name: peer.name,
        runtime: peer.runtime ?? "node",
        route: peer.request!.path === "/v1/messages" ? "anthropic←openai" : "openai←openai",
        process: peer.process!,
        peer: peer.request,
      }));
      // The relay on each runtime on the peers' routes, at every concurrency and mode.
      openLoop.push(directOpenAI);
      for (const [runtime, relay] of relays) {
        const openAIRelay = plans.find((plan) =>
          plan.target.route === "openai←openai" && plan.target.runtime === runtime
        )!;
        openAIRelay.concurrency = PARAMS.concurrency;
        openAIRelay.modes = MODES;
        const anthropicRelay: Target = { name: "relay", runtime, route: "anthropic←openai", process: relay };
        plans.push({ target: anthropicRelay, concurrency: PARAMS.concurrency, modes: MODES });
        openLoop.push(openAIRelay.target, anthropicRelay);
      }
      plans.push(...peerTargets.map((target) => ({ target, concurrency: PARAMS.concurrency, modes: MODES })));
      openLoop.push(...peerTargets);
    }

    for (const { target } of plans.filter((plan) => !plan.modes.includes(PACED))) await warm(target);
    for (let repeat = 0; repeat < PARAMS.repeats; repeat++) {
      for (const mode of [...MODES, PACED]) {
        for (const concurrency of PARAMS.concurrency) {
          for (
            const { target } of plans.filter((plan) =>
              plan.modes.includes(mode) && plan.concurrency.includes(concurrency)
            )
          ) {
            log(
              `load: ${label(target)} ${mode} c=${concurrency} run ${repeat + 1}/${PARAMS.repeats}`,
            );
            const run = await measure(target, mode, concurrency, repeat);
            if (run) report.load.push(run);
          }
        }
      }
    }
    for (const mode of MODES) {
      for (const target of openLoop) {
        log(`open loop: ${label(target)} ${mode} at ${PARAMS.openLoop.rate}/s`);
        try {
          const result = await runLoad({
            ...request(target, prompt(mode)),
            mode: "open",
            rate: PARAMS.openLoop.rate,
            concurrency: PARAMS.openLoop.concurrency,
            durationMs: PARAMS.openLoop.durationMs,
            warmupMs: PARAMS.openLoop.warmupMs,
          });
          check(`open loop ${label(target)} ${mode}`, result, !target.peer);
          report.openLoop.push({ target: target.name, runtime: target.runtime, route: target.route, mode, result });
        } catch (error) {
          fail(`open loop ${label(target)} ${mode}`, error, !target.peer);
        }
      }
    }
  } finally {
    await Promise.all(
      [...started, ...peers.flatMap((peer) => peer.process ? [peer.process] : [])].map((server) => server.stop()),
    );
    await folder?.cleanup();
  }
}

/**
 * Runs a target's code paths hot before anything is measured (a runtime compiles hot code
 * over the first few thousand streams; the relay's first thousand cost twice the CPU).
 */
async function warm(target: Target): Promise<void> {
  if (target.name === "direct") return;
  for (const mode of ["body", "events"] as const) {
    const requests = PARAMS.warmRequests[mode];
    log(`warm-up: ${label(target)} ${mode}, ${requests} streams`);
    try {
      const result = await runLoad({ ...request(target, prompt(mode)), mode: "burst", concurrency: 32, requests });
      check(`warm-up ${label(target)} ${mode}`, result, !target.peer);
    } catch (error) {
      fail(`warm-up ${label(target)} ${mode}`, error, !target.peer);
    }
  }
}

/** One closed-loop run with the target's CPU and RSS sampled from `/proc`. */
async function measure(target: Target, mode: UpstreamMode, concurrency: number, repeat: number) {
  try {
    const { result, peakRss, cpu } = await whileSampling(target.process.pid, () =>
      runLoad({
        ...request(target, prompt(mode)),
        mode: "closed",
        concurrency,
        durationMs: mode === PACED ? PARAMS.paced.durationMs : PARAMS.durationMs,
        warmupMs: PARAMS.warmupMs,
      }));
    check(`${label(target)} ${mode} c=${concurrency}`, result, !target.peer);
    const run: LoadRun = {
      target: target.name,
      runtime: target.runtime,
      route: target.route,
      mode,
      concurrency,
      repeat,
      result,
      peakRss,
      cpuMsPerStream: cpu * 1000 / result.allCompleted,
    };
    return run;
  } catch (error) {
    fail(`${label(target)} ${mode} c=${concurrency}`, error, !target.peer);
    return undefined;
  }
}

async function slowStreams(): Promise<void> {
  for (const { streams, deltas, paceMs } of PARAMS.slowStreams) {
    // One HTTP/1.1 connection per stream in and one out would need more than the 20,000
    // descriptors a process may open here, so beyond 5,000 streams clients reach the relay
    // and the floor over HTTP/2 (100 streams per connection), as through a TLS front
    // proxy. Bun.serve speaks no cleartext HTTP/2, so those runs are Deno only. The fixed
    // upstream speaks HTTP/1.1 only: direct streams use one connection each.
    const http2 = streams > 5000;
    const prompt = `slow [[bench deltas=${deltas} pace_ms=${paceMs}]]`;
    const burst = {
      mode: "burst",
      concurrency: streams,
      requests: streams,
      timeoutMs: PARAMS.slowStreamTimeoutMs,
    } as const;
    log(`slow streams: ${streams} direct`);
    const direct = await runLoad({
      ...request({ name: "direct", runtime: "deno", route: "cody", process: upstream }, prompt),
      ...burst,
    });
    check(`slow direct ${streams}`, direct, false);
    report.slowStreams.push({
      streams,
      deltas,
      paceMs,
      target: "direct",
      runtime: "deno",
      transport: "HTTP/1.1",
      result: direct,
      idleRss: 0,
      peakRss: 0,
      rssPerStream: 0,
      addedGapP99: 0,
    });
    const runtimes: [string, string[]][] = [["deno", [DENO, "run", "-A"]]];
    if (bun && !http2) runtimes.push(["bun", [bun.path]]);
    for (const [runtime, command] of runtimes) {
      for (const name of ["floor", "relay"] as const) {
        const server = name === "floor"
          ? await startServer([...command, path("bench/floor_proxy.ts"), upstream.url], FLOOR_ENV)
          : await startRelay(command, {});
        try {
          const target: Target = { name, runtime, route: name === "floor" ? "cody" : "openai←cody", process: server };
          await runLoad({
            ...request(target, `warm [[bench deltas=20]]`),
            mode: "burst",
            concurrency: 8,
            requests: 64,
          });
          const idleRss = (await whileSampling(server.pid, () => Promise.resolve())).peakRss;
          log(`slow streams: ${streams} through the ${name} (${runtime})`);
          const { result, peakRss } = await whileSampling(
            server.pid,
            () => runLoad({ ...request(target, prompt), ...burst, http2 }),
          );
          check(`slow ${name}/${runtime} ${streams}`, result, false);
          const firstByteMs = result.firstByte?.p50 ?? 0;
          if (firstByteMs > deltas * paceMs) {
            const held = `${streams} slow streams through the ${name} (${runtime}) were not all open at once: ` +
              `half waited ${Math.round(firstByteMs)} ms for a first byte, longer than a whole stream ` +
              `(${deltas * paceMs} ms), so its memory per open stream is understated`;
            log(held);
            report.notes.push(held);
          }
          report.slowStreams.push({
            streams,
            deltas,
            paceMs,
            target: name,
            runtime,
            transport: http2 ? "HTTP/2 (100 streams per connection)" : "HTTP/1.1",
            result,
            idleRss,
            peakRss,
            rssPerStream: (peakRss - idleRss) / streams,
            addedGapP99: result.readGaps!.p99 - direct.readGaps!.p99,
          });
        } finally {
          await server.stop();
        }
      }
    }
  }
}

async function leak(): Promise<void> {
  const relay = await startRelay([DENO, "run", "-A"], {});
  try {
    const plan = (requests: number): LoadPlan => ({
      ...request({ name: "relay", runtime: "deno", route: "openai←cody", process: relay }, "leak [[bench deltas=20]]"),
      mode: "burst",
      concurrency: 64,
      requests,
    });
    const rss: Record<string, number> = {};
    let rest: LoadResult | undefined;
    const milestones = [...new Set([1000, 10_000, PARAMS.leakRequests])].filter((done) => done <= PARAMS.leakRequests);
    const steps = milestones.map((done, index) => [done, done - (milestones[index - 1] ?? 0)]);
    for (const [done, requests] of steps) {
      log(`leak: up to ${done.toLocaleString("en")} requests`);
      rest = await runLoad(plan(requests));
      check(`leak up to ${done}`, rest);
      await new Promise((resolve) => setTimeout(resolve, 500));
      rss[done] = (await whileSampling(relay.pid, () => Promise.resolve())).peakRss;
    }
    const last = steps.at(-1)![0];
    report.leak = {
      requests: last,
      rssAfter: rss,
      growth: rss[last] / rss[1000] - 1,
      growthAfter10000: rss[10_000] ? rss[last] / rss[10_000] - 1 : undefined,
      streamsPerSecond: rest!.streamsPerSecond,
    };
  } finally {
    await relay.stop();
  }
}

async function startup(): Promise<void> {
  const dist = await Deno.makeTempDir({ prefix: "cody-relay-bench-dist-" });
  const host = hostTarget();
  const artifacts = await build({ out: dist, targets: bun && !QUICK ? [host] : [] });
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

/**
 * The relay with a config file of two upstreams at the fixed upstream: `cody` (a
 * Sourcegraph instance, the default) and `local` (OpenAI-compatible, reached as
 * `local/bench-model`), so one process serves every route measured.
 */
async function startRelay(command: string[], env: Record<string, string>): Promise<ServerProcess> {
  const config = `${workDir}/relay-${crypto.randomUUID()}.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      upstreams: {
        cody: { type: "cody", endpoint: upstream.url, accessToken: TOKEN },
        local: { type: "openai-compatible", baseUrl: `${upstream.url}/v1`, apiKey: "sk-bench" },
      },
      models: { default: "cody" },
    }),
  );
  return await startServer(
    [...command, path("cli.ts"), "--config", config, "--port", "0", "--log-level", "warning"],
    env,
  );
}

function prompt(mode: UpstreamMode): string {
  return mode === PACED ? "bench [[bench pace_ms=1]]" : `bench [[bench mode=${mode}]]`;
}

function label(target: Target): string {
  return target.name === "direct"
    ? `direct (${target.route})`
    : `${target.name} (${target.runtime}${target.name === "floor" ? "" : `, ${target.route}`})`;
}

function request(target: Target, prompt: string): Omit<LoadPlan, "mode" | "concurrency"> {
  const url = target.process.url;
  if (target.peer) {
    return {
      url: `${url}${target.peer.path}`,
      body: target.peer.body(prompt),
      headers: target.peer.headers,
      expectEnd: target.peer.expectEnd,
    };
  }
  const [front, back] = target.route.split("←");
  const model = back === "openai" ? "local/bench-model" : undefined;
  if (target.route === "cody") {
    return {
      url: `${url}/.api/completions/stream?api-version=9&client-name=cody-relay`,
      body: JSON.stringify({ messages: [{ speaker: "human", text: prompt }], maxTokensToSample: 4000, stream: true }),
      headers: { authorization: `token ${TOKEN}` },
      expectEnd: "event: done\ndata: {}\n\n",
    };
  }
  if (target.route === "openai") {
    return {
      url: `${url}/v1/chat/completions`,
      body: JSON.stringify({
        model: "bench-model",
        messages: [{ role: "user", content: prompt }],
        stream: true,
        stream_options: { include_usage: true },
      }),
      headers: { authorization: "Bearer sk-bench" },
      expectEnd: "data: [DONE]\n\n",
    };
  }
  if (front === "anthropic") {
    return {
      url: `${url}/v1/messages`,
      body: JSON.stringify({
        model: model ?? "claude-sonnet-4-5",
        max_tokens: 4000,
        messages: [{ role: "user", content: prompt }],
        stream: true,
      }),
      headers: { "anthropic-version": "2023-06-01" },
      expectEnd: '{"type":"message_stop"}\n\n',
    };
  }
  return {
    url: `${url}/v1/chat/completions`,
    body: JSON.stringify({
      ...(model ? { model } : {}),
      messages: [{ role: "user", content: prompt }],
      max_tokens: 4000,
      stream: true,
    }),
    headers: {},
    expectEnd: "data: [DONE]\n\n",
  };
}

/** Runs the load generator in its own process; a run that does not end in time is killed and throws. */
async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const limitMs = (plan.warmupMs ?? 500) + (plan.durationMs ?? 3000) + (plan.timeoutMs ?? 0) + 60_000;
  const output = await new Deno.Command(DENO, {
    args: ["run", "--allow-net", "--allow-read", path("bench/load/generator.ts"), JSON.stringify(plan)],
    stderr: "inherit",
    signal: AbortSignal.timeout(limitMs),
  }).output();
  if (!output.success) {
    throw new Error(`the load generator failed (exit ${output.code}${output.signal ? `, ${output.signal}` : ""})`);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** Logs failed streams; unless they are a figure to report (overload, a peer), the run fails. */
function check(label: string, result: LoadResult, fatal = true): void {
  const failures = Object.entries(result.failures);
  if (!failures.length) return;
  if (fatal) failed = true;
  log(`FAILED streams in ${label}: ${failures.map(([message, count]) => `${count}× ${message}`).join("; ")}`);
}

function fail(label: string, error: unknown, fatal: boolean): void {
  if (fatal) failed = true;
  const message = error instanceof Error ? error.message : String(error);
  log(`FAILED ${label}: ${message}`);
  report.notes.push(`${label} not measured: ${message}`);
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
