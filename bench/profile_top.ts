/**
 * The functions that took the most CPU in a V8 `.cpuprofile` (from `deno run --cpu-prof`),
 * by self time, for reading a profile on a machine without DevTools:
 * `deno run --allow-read bench/profile_top.ts PROFILE.cpuprofile [COUNT]`; with
 * `--categories`, the busy time by kind of work (the table in `bench/README.md`).
 *
 * @module
 */

/** The parts of a `.cpuprofile` this reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time per function (name and location), largest first, in milliseconds.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { selfTimes } from "./profile_top.ts";
 * const profile = {
 *   nodes: [{ id: 1, callFrame: { functionName: "parse", url: "file:///a.ts", lineNumber: 0 } }],
 *   samples: [1, 1],
 *   timeDeltas: [500, 500],
 * };
 * equal(selfTimes(profile)[0].ms, 1);
 * ```
 */
export function selfTimes(profile: CpuProfile): { name: string; ms: number; share: number }[] {
  const names = new Map(profile.nodes.map((node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules|lib|bench)\//, "$1/")}:${lineNumber + 1}` : "";
    return [node.id, `${functionName || "(anonymous)"}${where ? ` ${where}` : ""}`];
  }));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const name = names.get(id) ?? "?";
    totals.set(name, (totals.get(name) ?? 0) + micros);
    all += micros;
  });
  return [...totals].map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / all }))
    .sort((a, b) => b.ms - a.ms);
}

/** Kinds of work, each matching the names {@link selfTimes} gives; a name goes to the first that matches. */
const CATEGORIES: readonly [category: string, name: RegExp][] = [
  ["garbage collection", /^\(garbage collector\)/],
  ["JSON.parse of upstream events", /lib\/(cody\/event_decoder|openai_compatible\/chunk_decoder)\.ts/],
  ["SSE parsing", /eventsource-parser|lib\/hub\/sse_decoder\.ts/],
  ["node:http client (the upstream request)", /node:|ext:deno_node|^writev|lib\/transport\//],
  ["Web Streams", /ext:deno_web\/06_streams|[Rr]eadableStream|TransformStream|WritableStream/],
  ["Deno.serve, Request, Response, Headers", /ext:deno_http|ext:deno_fetch|^op_http|ext:deno_webidl|^op_blob/],
  ["logging", /logtape|lib\/cli\/buffered_sink\.ts|^op_print/],
  ["zod (request parsing)", /zod/],
  ["hono (routing)", /hono/],
  ["the relay's own code (lib/)", /lib\//],
  ["runtime: microtasks, timers, compiled code, other", /./],
];

/**
 * Busy time (all but `(idle)`) by kind of work, as shares of the busy time.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { categories } from "./profile_top.ts";
 * const profile = {
 *   nodes: [
 *     { id: 1, callFrame: { functionName: "(garbage collector)", url: "", lineNumber: -1 } },
 *     { id: 2, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } },
 *   ],
 *   samples: [1, 2],
 *   timeDeltas: [500, 500],
 * };
 * equal(categories(profile).get("garbage collection"), 1);
 * ```
 */
export function categories(profile: CpuProfile): Map<string, number> {
  const busy = selfTimes(profile).filter((row) => !row.name.startsWith("(idle)"));
  const total = busy.reduce((sum, row) => sum + row.ms, 0);
  const shares = new Map(CATEGORIES.map(([category]) => [category, 0]));
  for (const row of busy) {
    const [category] = CATEGORIES.find(([, name]) => name.test(row.name))!;
    shares.set(category, shares.get(category)! + row.ms / total);
  }
  return shares;
}

if (import.meta.main) {
  const [file, count] = Deno.args.filter((arg) => arg !== "--categories");
  const profile = JSON.parse(await Deno.readTextFile(file));
  if (Deno.args.includes("--categories")) {
    for (const [category, share] of categories(profile)) {
      console.log(`${(share * 100).toFixed(1).padStart(5)}%  ${category}`);
    }
  } else {
    for (const row of selfTimes(profile).slice(0, Number(count ?? 30))) {
      console.log(`${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`);
    }
  }
}
