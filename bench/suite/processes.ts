/**
 * Child processes for the benchmark suite, measured from outside: start to the
 * `listening` line, CPU seconds and resident memory from `/proc` (Linux).
 *
 * @module
 */

/** A started server process. */
export interface ServerProcess {
  /** The operating-system process id (the runtime itself, not a wrapper). */
  pid: number;
  /** The URL from its `listening on` line. */
  url: string;
  /** Milliseconds from spawn to the `listening` line. */
  startupMs: number;
  /** The last lines it wrote to stderr, for failure reports. */
  stderrTail(): string;
  /** Terminates it and waits for the exit. */
  stop(): Promise<void>;
}

const LISTENING = /listening on (https?:\/\/\S+)/;

/**
 * Spawns a server and resolves once it prints `… listening on URL` on stdout.
 *
 * @example
 * ```ts ignore
 * const relay = await startServer([Deno.execPath(), "run", "-A", "cli.ts", "--port", "0"], {});
 * await relay.stop();
 * ```
 */
export async function startServer(command: string[], env: Record<string, string>): Promise<ServerProcess> {
  const started = performance.now();
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr: string[] = [];
  drainLines(child.stderr, (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let found = false;
    drainLines(child.stdout, (line) => {
      const match = LISTENING.exec(line);
      if (match && !found) {
        found = true;
        resolve(match[1]);
      }
    }).then(() => found || reject(new Error(`${command.join(" ")} exited before listening:\n${stderr.join("\n")}`)));
  });
  const startupMs = performance.now() - started;
  return {
    pid: child.pid,
    url,
    startupMs,
    stderrTail: () => stderr.join("\n"),
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    },
  };
}

async function drainLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    lines.forEach(onLine);
  }
  if (buffered) onLine(buffered);
}

/**
 * CPU seconds (user + system, all threads) a process has used so far.
 *
 * @example
 * ```ts ignore
 * console.log(cpuSeconds(Deno.pid));
 * ```
 */
export function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * Resident set size of a process in bytes.
 *
 * @example
 * ```ts ignore
 * console.log(rssBytes(Deno.pid));
 * ```
 */
export function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/**
 * Samples a process's RSS every 50 ms while `work` runs; returns its result with the peak.
 *
 * @example
 * ```ts ignore
 * const { result, peakRss } = await whileSampling(pid, () => runSomething());
 * ```
 */
export async function whileSampling<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peakRss: number; cpu: number }> {
  let peakRss = rssBytes(pid);
  const cpuBefore = cpuSeconds(pid);
  const timer = setInterval(() => peakRss = Math.max(peakRss, rssBytes(pid)), 50);
  try {
    const result = await work();
    peakRss = Math.max(peakRss, rssBytes(pid));
    return { result, peakRss, cpu: cpuSeconds(pid) - cpuBefore };
  } finally {
    clearInterval(timer);
  }
}
