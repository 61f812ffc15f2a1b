/**
 * The functions that took the most CPU in a V8 `.cpuprofile` (from `deno run --cpu-prof`),
 * by self time, for reading a profile on a machine without DevTools:
 * `deno run --allow-read bench/profile_top.ts PROFILE.cpuprofile [COUNT]`.
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
 * import { selfTimes } from "./profile_top.ts";
 * const profile = {
 *   nodes: [{ id: 1, callFrame: { functionName: "parse", url: "file:///a.ts", lineNumber: 0 } }],
 *   samples: [1, 1],
 *   timeDeltas: [500, 500],
 * };
 * console.assert(selfTimes(profile)[0].ms === 1);
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

if (import.meta.main) {
  const [file, count] = Deno.args;
  const rows = selfTimes(JSON.parse(await Deno.readTextFile(file)));
  for (const row of rows.slice(0, Number(count ?? 30))) {
    console.log(`${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`);
  }
}
