/**
 * Checks that the fixed upstream's two modes reach the socket, and the relay, as intended:
 *
 * 1. it asks `bench/fixed_upstream.ts` for the Cody and the OpenAI answer in each mode, one
 *    request at a time, and counts the upstream's send system calls per response (with
 *    `perf stat`, where it may trace system calls: Linux, root or a permissive
 *    `perf_event_paranoid`) and the reads a raw client (`bench/load/http_client.ts`) made;
 * 2. with `perf`, it loads the floor and the relay (Deno, and Bun when available) at c=1 and
 *    c=16 in each mode, and with one chunk per event paced 1 ms apart, and counts their
 *    receive system calls per stream: with one body the upstream's answer takes one of
 *    them, so the difference to one body is the reads the events cost.
 *
 * One body should take one write and one read; one chunk per event one write per event,
 * and as many reads as the reader keeps up with (a reader that falls behind finds several
 * events waiting, exactly as it would behind a fast model).
 *
 * `deno run -A bench/check_upstream.ts [--no-bun]`; prints Markdown tables.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Connection, encodeRequest } from "./load/http_client.ts";
import type { LoadPlan, LoadResult } from "./load/generator.ts";
import { FLOOR_ENV } from "./floor_proxy.ts";
import { cpuSeconds, type ServerProcess, startServer } from "./suite/processes.ts";
import { findBun } from "../tools/bun.ts";

const { values: flags } = parseArgs({ args: Deno.args, options: { "no-bun": { type: "boolean" } } });
const DENO = Deno.execPath();
const TOKEN = "sgp_bench_0123456789abcdef";
const path = (relative: string) => new URL(`../${relative}`, import.meta.url).pathname;
const SENDS = ["sendto", "sendmsg", "write", "writev"];
const RECEIVES = ["recvfrom", "recvmsg", "read", "readv"];
const REQUESTS = 20;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** Whether `perf stat` can count system calls here. */
async function perfWorks(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("perf", {
      args: ["stat", "-e", "syscalls:sys_enter_recvfrom", "--", "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Counts the system calls `names` that process `pid` (all its threads) makes while `work` runs. */
async function countSyscalls<T>(
  pid: number,
  names: string[],
  work: () => Promise<T>,
): Promise<{ result: T; calls: number }> {
  const file = await Deno.makeTempFile({ prefix: "cody-relay-perf-" });
  const perf = new Deno.Command("perf", {
    args: [
      "stat",
      "-x",
      ",",
      "-o",
      file,
      "-e",
      names.map((name) => `syscalls:sys_enter_${name}`).join(","),
      "-p",
      `${pid}`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await new Promise((resolve) => setTimeout(resolve, 300)); // perf attaches
    const result = await work();
    perf.kill("SIGINT");
    await perf.status;
    const text = await Deno.readTextFile(file);
    const calls = text.split("\n").filter((line) => line.includes("syscalls:"))
      .reduce((sum, line) => sum + (Number(line.split(",")[0]) || 0), 0);
    return { result, calls };
  } finally {
    try {
      perf.kill("SIGKILL");
    } catch { /* already gone */ }
    await perf.status;
    await Deno.remove(file).catch(() => {});
  }
}

/** `body`, `events`, or `paced`: one chunk per event, 1 ms apart (a model at 1,000 events/s). */
function options(mode: string): string {
  return mode === "paced" ? "pace_ms=1" : `mode=${mode}`;
}

function codyRequest(url: string, mode: string) {
  return {
    url: `${url}/.api/completions/stream?api-version=9`,
    body: JSON.stringify({ messages: [{ speaker: "human", text: `[[bench ${options(mode)}]]` }], stream: true }),
    headers: { authorization: `token ${TOKEN}` },
    expectEnd: "event: done\ndata: {}\n\n",
  };
}

function openAIRequest(url: string, mode: string, direct: boolean) {
  return {
    url: `${url}/v1/chat/completions`,
    body: JSON.stringify({
      ...(direct ? { stream_options: { include_usage: true } } : {}),
      messages: [{ role: "user", content: `[[bench ${options(mode)}]]` }],
      stream: true,
    }),
    headers: {},
    expectEnd: "data: [DONE]\n\n",
  };
}

async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const output = await new Deno.Command(DENO, {
    args: ["run", "--allow-net", "--allow-read", path("bench/load/generator.ts"), JSON.stringify(plan)],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error("the load generator failed");
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

async function startRelay(command: string[], upstream: string, dir: string): Promise<ServerProcess> {
  const config = `${dir}/relay.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({ upstreams: { cody: { type: "cody", endpoint: upstream, accessToken: TOKEN } } }),
  );
  return await startServer(
    [...command, path("cli.ts"), "--config", config, "--port", "0", "--log-level", "warning"],
    {},
  );
}

if (import.meta.main) {
  const perf = await perfWorks();
  const bun = flags["no-bun"] ? undefined : await findBun();
  const dir = await Deno.makeTempDir({ prefix: "cody-relay-check-" });
  const upstream = await startServer([DENO, "run", "-A", path("bench/fixed_upstream.ts")], {});
  try {
    console.log(
      `The fixed upstream (Deno ${Deno.version.deno}), one request at a time, median of ${REQUESTS}:\n\n` +
        "| answer | mode | SSE events | bytes | upstream send calls per response | raw client reads per response |\n" +
        "|---|---|---:|---:|---:|---:|",
    );
    for (const route of ["cody", "openai"] as const) {
      for (const mode of ["body", "events"] as const) {
        const plan = route === "cody" ? codyRequest(upstream.url, mode) : openAIRequest(upstream.url, mode, true);
        const bytes = encodeRequest(new URL(plan.url), plan.body, plan.headers);
        const reads: number[] = [];
        let events = 0;
        let size = 0;
        const work = async () => {
          for (let index = 0; index < REQUESTS; index++) {
            const connection = await Connection.open(new URL(plan.url));
            const exchange = await connection.exchange(bytes, false);
            connection.close();
            reads.push(exchange.reads);
            size = exchange.bytes;
          }
        };
        let sends = "–";
        if (perf) sends = ((await countSyscalls(upstream.pid, SENDS, work)).calls / REQUESTS).toFixed(1);
        else await work();
        const sample = await fetch(plan.url, { method: "POST", body: plan.body, headers: plan.headers });
        events = ((await sample.text()).match(/\n\n/g) ?? []).length;
        console.log(
          `| ${route} | ${mode === "body" ? "one body" : "one chunk per event"} | ${events} | ${size} | ${sends} | ${
            median(reads)
          } |`,
        );
      }
    }
    if (!perf) {
      console.log("\n`perf stat` cannot trace system calls here: the targets' reads were not counted.");
    } else {
      console.log(
        "\nPer stream in the target process, closed loop for 1 s (paced: 3 s): receive system calls (the client's " +
          "request and the upstream's answer) and CPU ms. Paced = one chunk per event, 1 ms apart (c=16 only).\n\n" +
          "| target | c | receives: one body | one chunk per event | paced | CPU ms: one body | one chunk per event | paced |\n" +
          "|---|---:|---:|---:|---:|---:|---:|---:|",
      );
      const runtimes: [string, string[]][] = [["deno", [DENO, "run", "-A"]]];
      if (bun) runtimes.push(["bun", [bun.path]]);
      for (const [runtime, command] of runtimes) {
        for (const name of ["floor", "relay"] as const) {
          const server = name === "floor"
            ? await startServer([...command, path("bench/floor_proxy.ts"), upstream.url], FLOOR_ENV)
            : await startRelay(command, upstream.url, dir);
          try {
            const plan = (mode: string) =>
              name === "floor" ? codyRequest(server.url, mode) : openAIRequest(server.url, mode, false);
            for (const mode of ["body", "events"]) {
              await runLoad({ ...plan(mode), mode: "burst", concurrency: 16, requests: 1000 }); // warm
            }
            for (const concurrency of [1, 16]) {
              const receives: string[] = [];
              const cpu: string[] = [];
              for (const mode of ["body", "events", "paced"]) {
                if (mode === "paced" && concurrency === 1) {
                  // About four streams a second: too few for CPU figures in clock ticks.
                  [receives, cpu].forEach((column) => column.push("–"));
                  continue;
                }
                const durationMs = mode === "paced" ? 3000 : 1000;
                const before = cpuSeconds(server.pid);
                const { result, calls } = await countSyscalls(
                  server.pid,
                  RECEIVES,
                  () => runLoad({ ...plan(mode), mode: "closed", concurrency, durationMs, warmupMs: 0 }),
                );
                receives.push((calls / result.allCompleted).toFixed(1));
                cpu.push(((cpuSeconds(server.pid) - before) * 1000 / result.allCompleted).toFixed(2));
              }
              console.log(`| ${name} (${runtime}) | ${concurrency} | ${receives.join(" | ")} | ${cpu.join(" | ")} |`);
            }
          } finally {
            await server.stop();
          }
        }
      }
    }
  } finally {
    await upstream.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
