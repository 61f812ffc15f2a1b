/**
 * A `--preload` script that writes the process's V8 `total_allocated_bytes` to a file every
 * 100 ms, for bytes allocated per stream: read the file before and after a load and divide
 * by the streams served. On a shared machine this moves far less between runs than CPU time.
 *
 * `ALLOCATED_BYTES_FILE=/tmp/alloc.txt deno run -A --preload bench/allocated_bytes.ts cli.ts …`
 *
 * @module
 */
import v8 from "node:v8";

/** The figure V8 reports that the `HeapInfo` type of `node:v8` leaves out. */
interface HeapStatistics {
  total_allocated_bytes: number;
}

const file = Deno.env.get("ALLOCATED_BYTES_FILE");
if (!file) throw new Error("bench/allocated_bytes.ts needs ALLOCATED_BYTES_FILE");
const timer = setInterval(
  () =>
    Deno.writeTextFileSync(file, String((v8.getHeapStatistics() as unknown as HeapStatistics).total_allocated_bytes)),
  100,
);
// The timer must not keep the process alive (nor the preload from handing over to the main module).
Deno.unrefTimer(timer);
