/**
 * Two builds of the relay side by side: the CLI of each tree and the floor, against one
 * fixed upstream, loaded in turn for a number of rounds (interleaved, so that the
 * machine's drift hits all alike), reporting median streams/s (min–max) and median CPU ms
 * per stream. For a before/after of one change, with a worktree of the commit before:
 *
 * ```sh
 * git worktree add /tmp/before HEAD~1
 * deno run -A bench/ab.ts --before /tmp/before [--runtime bun] [--mode body|events|paced] [--concurrency 16] [--rounds 6] [--rate 1000]
 * ```
 *
 * With `--stages`, the stage proxy (`bench/stage_proxy.ts`: the exported stages with none of
 * the relay's features) is loaded too, as the relay is.
 *
 * With `--rate N`, each target is offered N requests per second (open loop) instead of
 * being kept busy, so CPU per stream compares the targets at the same load: it falls as
 * load rises (each wake-up of a busier process handles more). The median of each round's
 * p50 and p99 time to first byte is printed too. Two processes of one tree
 * differ by up to a fifth here (`--before` and `--after` the same tree), so a change
 * smaller than that needs several runs.
 *
 * The relay is asked as in `bench/run.ts` (`openai ← cody`); CPU per stream is the
 * target's utime + stime over a run ÷ the streams it completed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LoadPlan, LoadResult } from "./load/generator.ts";
import { FLOOR_ENV } from "./floor_proxy.ts";
import { cpuSeconds, type ServerProcess, startServer } from "./suite/processes.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    before: { type: "string" },
    after: { type: "string", default: new URL("..", import.meta.url).pathname },
    runtime: { type: "string", default: "deno" },
    mode: { type: "string", default: "body" },
    concurrency: { type: "string", default: "128" },
    rounds: { type: "string", default: "6" },
    seconds: { type: "string", default: "3" },
    rate: { type: "string" },
    stages: { type: "boolean", default: false },
  },
});
if (!values.before) throw new Error("usage: bench/ab.ts --before TREE [--after TREE] [--runtime deno|bun] …");

const here = (file: string) => new URL(file, import.meta.url).pathname;
const TOKEN = "sgp_0000000000000000000000000000000000000000";
const run = (script: string) => values.runtime === "bun" ? ["bun", script] : [Deno.execPath(), "run", "-A", script];

const upstream = await startServer([Deno.execPath(), "run", "-A", here("fixed_upstream.ts")], {});
const workDir = await Deno.makeTempDir({ prefix: "cody-relay-ab-" });
const config = `${workDir}/relay.json`;
await Deno.writeTextFile(
  config,
  JSON.stringify({ upstreams: { cody: { type: "cody", endpoint: upstream.url, accessToken: TOKEN } } }),
);
const relayOf = (
  tree: string,
) => [...run(`${tree}/cli.ts`), "--config", config, "--port", "0", "--log-level", "warning"];
const targets: [string, ServerProcess][] = [];
try {
  targets.push(["floor", await startServer([...run(here("floor_proxy.ts")), upstream.url], FLOOR_ENV)]);
  if (values.stages) {
    targets.push(["stages", await startServer([...run(here("stage_proxy.ts")), upstream.url, TOKEN], {})]);
  }
  targets.push(["before", await startServer(relayOf(values.before), {})]);
  targets.push(["after", await startServer(relayOf(values.after), {})]);
  const figures = new Map<string, { perSecond: number[]; cpuMs: number[]; p50: number[]; p99: number[] }>();
  for (let round = -2; round < Number(values.rounds); round++) {
    for (const [name, target] of targets) {
      const cpuBefore = cpuSeconds(target.pid);
      const result = await load(name, target, round < 0 ? 2000 : Number(values.seconds) * 1000);
      if (round < 0) continue; // run-in: the runtime compiles the hot path
      const figure = figures.get(name) ??
        figures.set(name, { perSecond: [], cpuMs: [], p50: [], p99: [] }).get(name)!;
      figure.perSecond.push(result.streamsPerSecond);
      figure.p50.push(result.firstByte.p50);
      figure.p99.push(result.firstByte.p99);
      figure.cpuMs.push((cpuSeconds(target.pid) - cpuBefore) * 1000 / result.allCompleted);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const [name, { perSecond, cpuMs, p50, p99 }] of figures) {
    const firstByte = values.rate
      ? `, first byte p50 ${median(p50).toFixed(2)} / p99 ${median(p99).toFixed(2)} ms`
      : "";
    console.log(
      `${values.runtime} ${values.mode} c=${values.concurrency} ${name}: ${median(perSecond).toFixed(0)} streams/s ` +
        `(${Math.min(...perSecond).toFixed(0)}–${Math.max(...perSecond).toFixed(0)}), CPU ${
          median(cpuMs).toFixed(3)
        } ms/stream${firstByte}`,
    );
  }
} finally {
  for (const [, target] of targets) await target.stop();
  await upstream.stop();
  await Deno.remove(workDir, { recursive: true });
}

/** Loads one target for `durationMs` in its own generator process. */
async function load(name: string, target: ServerProcess, durationMs: number): Promise<LoadResult> {
  const prompt = values.mode === "paced" ? "bench [[bench pace_ms=1]]" : `bench [[bench mode=${values.mode}]]`;
  const offered = values.rate ? { mode: "open", rate: Number(values.rate) } as const : { mode: "closed" } as const;
  const plan: LoadPlan = name === "floor"
    ? {
      url: `${target.url}/.api/completions/stream?api-version=9&client-name=cody-relay`,
      body: JSON.stringify({ messages: [{ speaker: "human", text: prompt }], maxTokensToSample: 4000, stream: true }),
      headers: { authorization: `token ${TOKEN}` },
      expectEnd: "event: done\ndata: {}\n\n",
      ...offered,
      concurrency: Number(values.concurrency),
      durationMs,
    }
    : {
      url: `${target.url}/v1/chat/completions`,
      body: JSON.stringify({ messages: [{ role: "user", content: prompt }], stream: true }),
      headers: {},
      expectEnd: "data: [DONE]\n\n",
      ...offered,
      concurrency: Number(values.concurrency),
      durationMs,
    };
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", here("load/generator.ts"), JSON.stringify(plan)],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`the load generator failed on ${name}`);
  const result: LoadResult = JSON.parse(new TextDecoder().decode(output.stdout));
  const failures = Object.entries(result.failures);
  if (failures.length) throw new Error(`${name}: failed streams: ${JSON.stringify(result.failures)}`);
  return result;
}
