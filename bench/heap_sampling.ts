/**
 * A `--preload` script that runs V8's sampling heap profiler for a while and writes a
 * `.heapprofile` (open it in Chrome DevTools, Memory tab): which functions allocate, or,
 * with `HEAP_SAMPLING_MINOR=0`, which allocations outlive a young-generation collection
 * (those the scavenger copies and promotes: what makes the garbage collector slow).
 *
 * `HEAP_SAMPLING_FILE=/tmp/relay.heapprofile [HEAP_SAMPLING_START_S=5] [HEAP_SAMPLING_SPAN_S=6]
 * [HEAP_SAMPLING_MINOR=0] deno run -A --preload bench/heap_sampling.ts cli.ts …`, then load the
 * relay during the span.
 *
 * @module
 */
import { Session } from "node:inspector";

const file = Deno.env.get("HEAP_SAMPLING_FILE");
if (!file) throw new Error("bench/heap_sampling.ts needs HEAP_SAMPLING_FILE");
const startMs = Number(Deno.env.get("HEAP_SAMPLING_START_S") ?? 5) * 1000;
const spanMs = Number(Deno.env.get("HEAP_SAMPLING_SPAN_S") ?? 6) * 1000;
const minor = Deno.env.get("HEAP_SAMPLING_MINOR") !== "0";

const session = new Session();
session.connect();
const post = <T>(method: string, params: object = {}) =>
  new Promise<T>((resolve, reject) =>
    session.post(method, params, (error, result) => error ? reject(error) : resolve(result as T))
  );

// The timers must not keep the process alive (nor the preload from handing over to the main module).
Deno.unrefTimer(setTimeout(async () => {
  await post("HeapProfiler.enable");
  await post("HeapProfiler.startSampling", {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: minor,
  });
  console.error(`heap sampling for ${spanMs / 1000} s`);
  Deno.unrefTimer(setTimeout(async () => {
    const { profile } = await post<{ profile: unknown }>("HeapProfiler.stopSampling");
    Deno.writeTextFileSync(file, JSON.stringify(profile));
    console.error(`heap profile: ${file}`);
  }, spanMs));
}, startMs));
