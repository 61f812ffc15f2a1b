/**
 * cli.ts as a real process: its first stdout lines, its whole stderr, signals and exit status.
 * Each process leads its own process group, so ending it ends everything it started
 * (`npx` and `bunx` run the relay as their child, which outlives a signal to them).
 */

import { findBun } from "../tools/bun.ts";

const root = new URL("../", import.meta.url);

/** A started cli.ts (or simulator) process. */
export interface RelayProcess extends AsyncDisposable {
  /** The first stdout lines (the listening line first). */
  lines: string[];
  /** The URL of the listening line. */
  url: string;
  /** Everything written to stderr so far (complete once `status` resolved). */
  readonly stderr: string;
  /** Resolves when the process exited. */
  status: Promise<Deno.CommandStatus>;
  /** Sends a signal to the process (not to its children). */
  kill(signal?: Deno.Signal): void;
}

/**
 * Starts `command args` (in the repository root unless `cwd` says) as the leader of a new process group and reads
 * its first `lineCount` stdout lines (fewer if it exits); disposing of it ends the whole group (see endProcessGroup).
 */
export async function startProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  lineCount = 2,
  cwd: string | URL = root,
): Promise<RelayProcess> {
  const child = new Deno.Command(command, {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    detached: true, // setsid(): a group of its own, which endProcessGroup ends with everything in it
  }).spawn();
  let stderr = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (stderr += text) }),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const lines: string[] = [];
  const timeout = setTimeout(() => signalGroup(child.pid, "SIGKILL"), 20_000);
  while (lines.length < lineCount) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
  }
  clearTimeout(timeout);
  const status = child.status.then(async (status) => {
    await stderrDone;
    return status;
  });
  const drained = reader.read().then(function more(result): Promise<void> | void {
    if (!result.done) return reader.read().then(more);
  });
  return {
    lines,
    url: lines[0]?.split(" on ")[1] ?? "",
    get stderr() {
      return stderr;
    },
    status,
    kill: (signal) => child.kill(signal),
    async [Symbol.asyncDispose]() {
      await endProcessGroup(child.pid);
      await status;
      await drained;
    },
  };
}

/**
 * Ends process group `pgid` (the pid of a `detached` child, its leader): SIGTERM to every member, SIGKILL to those
 * left after `graceMs`; resolves once none is left, throws if some survive SIGKILL for 5 s.
 */
export async function endProcessGroup(pgid: number, graceMs = 5_000): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  const killAt = Date.now() + graceMs;
  for (let members = await groupMembers(pgid); members.length; members = await groupMembers(pgid)) {
    if (Date.now() > killAt + 5_000) throw new Error(`process group ${pgid} survived SIGKILL: ${members.join(", ")}`);
    if (Date.now() > killAt) signalGroup(pgid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Signals every process of group `pgid`; none left is not an error. */
function signalGroup(pgid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pgid, signal);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** The pids of the live processes of group `pgid`. */
export async function groupMembers(pgid: number): Promise<number[]> {
  return (await liveProcesses()).filter((process) => process.pgid === pgid).map((process) => process.pid);
}

/** Whether `pid` is a live process. */
export async function isAlive(pid: number): Promise<boolean> {
  return (await liveProcesses()).some((process) => process.pid === pid);
}

/** Every process but zombies (exited, not yet reaped: nothing may reap orphans), from /proc on Linux, `ps` elsewhere. */
async function liveProcesses(): Promise<{ pid: number; pgid: number }[]> {
  const processes: string[][] = []; // [pid, state, pgid]
  if (Deno.build.os === "linux") {
    for await (const { name } of Deno.readDir("/proc")) {
      // /proc/<pid>/stat: "pid (command) state ppid pgrp …"; the command may hold spaces and parentheses.
      const stat = /^\d+$/.test(name) ? await Deno.readTextFile(`/proc/${name}/stat`).catch(() => "") : "";
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      if (stat) processes.push([name, state, pgrp]);
    }
  } else {
    const { stdout } = await new Deno.Command("ps", { args: ["-A", "-o", "pid=,stat=,pgid="] }).output();
    processes.push(...new TextDecoder().decode(stdout).trim().split("\n").map((line) => line.trim().split(/\s+/)));
  }
  return processes.filter(([, state]) => !state.startsWith("Z")).map(([pid, , pgid]) => ({
    pid: Number(pid),
    pgid: Number(pgid),
  }));
}

/** Starts the relay with `deno run -A cli.ts …`. */
export function startRelay(args: string[], env: Record<string, string> = {}, lineCount = 2): Promise<RelayProcess> {
  return startProcess(Deno.execPath(), ["run", "-A", "cli.ts", ...args], env, lineCount);
}

/** Bun from the npm package, pinned, kept out of node_modules; spawned directly so signals reach it. "" when unavailable. */
export async function bunPath(): Promise<string> {
  return (await findBun())?.path ?? "";
}
