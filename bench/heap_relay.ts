/**
 * Where the relay's memory per open stream goes: starts the simulator, serves the relay as
 * the CLI builds it (web console included) or the pass-through floor in this process,
 * holds N slow streams open with the load generator, prints `Deno.memoryUsage()` before
 * and during, writes a V8 heap snapshot idle and one with the streams open, and prints the
 * object kinds that grew most, per open stream.
 *
 * `deno run -A bench/heap_relay.ts [relay|floor] [--streams 1000] [--transport node-http|fetch]
 * [--snapshot /tmp/relay.heapsnapshot]` (the idle one is written next to it, `….idle.heapsnapshot`);
 * open the snapshots in Chrome DevTools for retainers.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeHeapSnapshot } from "node:v8";
import { parseConfig } from "../lib/cli/config.ts";
import { configuredApp } from "../lib/cli/relay_app.ts";
import { serve } from "../lib/server/serve.ts";
import { floorProxy } from "./floor_proxy.ts";
import { startServer } from "./suite/processes.ts";

const { values: flags, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    streams: { type: "string", default: "1000" },
    transport: { type: "string", default: "node-http" },
    snapshot: { type: "string", default: "/tmp/relay.heapsnapshot" },
  },
});
const target = positionals[0] ?? "relay";
const streams = Number(flags.streams);
const DENO = Deno.execPath();
const TOKEN = "sgp_bench_0123456789abcdef";
const path = (relative: string) => new URL(`../${relative}`, import.meta.url).pathname;

const simulator = await startServer([DENO, "run", "-A", path("cli.ts"), "simulate", "--port", "0"], {});
const relay = async () => {
  const config = parseConfig(["--endpoint", simulator.url, "--upstream-transport", flags.transport], {
    SRC_ACCESS_TOKEN: TOKEN,
  });
  return (await configuredApp(config, new AbortController().signal)).app.fetch;
};
const server = await serve({ fetch: target === "floor" ? floorProxy(simulator.url) : await relay(), port: 0 });
const prompt = "slow [[sim words=40 pace_ms=250]]"; // ≈10 s per stream
const request = target === "floor"
  ? {
    url: `${server.url}/.api/completions/stream?api-version=9&client-name=cody-relay`,
    body: JSON.stringify({ messages: [{ speaker: "human", text: prompt }], maxTokensToSample: 4000, stream: true }),
    headers: { authorization: `token ${TOKEN}` },
    expectEnd: "event: done\ndata: {}\n\n",
  }
  : {
    url: `${server.url}/v1/chat/completions`,
    body: JSON.stringify({ messages: [{ role: "user", content: prompt }], max_tokens: 4000, stream: true }),
    headers: {},
    expectEnd: "data: [DONE]\n\n",
  };
const burst = (count: number) =>
  new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      path("bench/load/generator.ts"),
      JSON.stringify({ ...request, mode: "burst", concurrency: count, requests: count, timeoutMs: 60_000 }),
    ],
    stderr: "inherit",
  }).output();
const megabytes = (usage: Deno.MemoryUsage) =>
  Object.entries(usage).map(([name, bytes]) => `${name} ${(bytes / 1e6).toFixed(0)} MB`).join(", ");

try {
  await burst(Math.min(200, streams)); // warm up the code and the connection pools
  console.log(`idle: ${megabytes(Deno.memoryUsage())}`);
  const idle = kindsOf(
    JSON.parse(
      await Deno.readTextFile(writeHeapSnapshot(flags.snapshot.replace(/(\.heapsnapshot)?$/, ".idle.heapsnapshot"))),
    ),
  );
  const running = burst(streams);
  await new Promise((resolve) => setTimeout(resolve, 5000));
  console.log(`${streams} streams open: ${megabytes(Deno.memoryUsage())}`);
  const file = writeHeapSnapshot(flags.snapshot);
  console.log(`heap snapshot: ${file}`);
  printGrowth(idle, kindsOf(JSON.parse(await Deno.readTextFile(file))), streams);
  const { failures } = JSON.parse(new TextDecoder().decode((await running).stdout));
  console.log(`failed streams: ${JSON.stringify(failures)}`);
} finally {
  await server.shutdown();
  await simulator.stop();
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

type Kinds = Map<string, { bytes: number; count: number }>;

/** Self size and count per (type, constructor) in the snapshot. */
function kindsOf(heap: HeapSnapshot): Kinds {
  const fields = heap.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((field) => fields.indexOf(field));
  const kinds: Kinds = new Map();
  for (let node = 0; node < heap.nodes.length; node += fields.length) {
    const type = heap.snapshot.meta.node_types[0][heap.nodes[node + typeAt]];
    const named = type === "object" || type === "closure" || type === "native";
    const key = named ? `${type} ${heap.strings[heap.nodes[node + nameAt]].slice(0, 50) || "(anonymous)"}` : type;
    const kind = kinds.get(key) ?? kinds.set(key, { bytes: 0, count: 0 }).get(key)!;
    kind.bytes += heap.nodes[node + sizeAt];
    kind.count++;
  }
  return kinds;
}

/** The kinds that grew most from `idle` to `open`, per open stream, and the total growth. */
function printGrowth(idle: Kinds, open: Kinds, perStreams: number): void {
  const growth = [...open].map(([key, { bytes, count }]) => {
    const before = idle.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: (bytes - before.bytes) / perStreams, count: (count - before.count) / perStreams };
  }).sort((a, b) => b.bytes - a.bytes);
  const total = growth.reduce((sum, kind) => sum + kind.bytes, 0);
  console.log(`heap growth per open stream: ${(total / 1e3).toFixed(1)} KB; largest kinds (self size, count):`);
  for (const { key, bytes, count } of growth.slice(0, 30)) {
    console.log(`${(bytes / 1e3).toFixed(2).padStart(8)} KB ${count.toFixed(1).padStart(7)}  ${key}`);
  }
}
