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

/** How {@link startServer} runs a command and knows it is ready. */
export interface StartOptions {
  /** Working directory. */
  cwd?: string;
  /**
   * Ready when this URL answers any HTTP status (for servers that print no
   * `listening on URL` line); otherwise ready at that line.
   */
  readyUrl?: string;
  /** Give up after this long. @default 30000 */
  timeoutMs?: number;
}

/**
 * Spawns a server and resolves once it prints `… listening on URL` on stdout (or once
 * `readyUrl` answers). Stopping it also kills every process it started.
 *
 * @example
 * ```ts ignore
 * const relay = await startServer([Deno.execPath(), "run", "-A", "cli.ts", "--port", "0"], {});
 * await relay.stop();
 * ```
 */
export async function startServer(
  command: string[],
  env: Record<string, string>,
  options: StartOptions = {},
): Promise<ServerProcess> {
  const started = performance.now();
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr: string[] = [];
  const keep = (line: string) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
  };
  drainLines(child.stderr, keep);
  const stop = async () => {
    const family = [child.pid, ...descendants(child.pid)];
    for (const pid of family) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* already gone */ }
    }
    await child.status;
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      let found = false;
      const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
      const done = (value: string) => {
        if (found) return;
        found = true;
        clearTimeout(timer);
        resolve(value);
      };
      drainLines(child.stdout, (line) => {
        const match = LISTENING.exec(line);
        if (!options.readyUrl && match) done(match[1]);
        else if (options.readyUrl) keep(line);
      }).then(() => {
        if (found) return;
        clearTimeout(timer);
        reject(new Error(`${command.join(" ")} exited before it was ready`));
      });
      if (options.readyUrl) {
        const readyUrl = options.readyUrl;
        (async () => {
          while (!found) {
            try {
              const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
              await response.body?.cancel();
              done(new URL(readyUrl).origin);
            } catch {
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }
        })();
      }
    });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr.join("\n")}`);
  }
  const startupMs = performance.now() - started;
  return { pid: child.pid, url, startupMs, stderrTail: () => stderr.join("\n"), stop };
}

/**
 * Every live process descended from `pid` (from `/proc`), children first.
 *
 * @example
 * ```ts ignore
 * console.log(descendants(Deno.pid));
 * ```
 */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(parent, [...(parents.get(parent) ?? []), Number(entry.name)]);
    } catch { /* exited meanwhile */ }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
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
