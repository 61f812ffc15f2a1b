/** cli.ts as a real process: its first stdout lines, its whole stderr, signals and exit status. */

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
  /** Sends a signal. */
  kill(signal?: Deno.Signal): void;
}

/** Starts `command args` (in the repository root unless `cwd` says) and reads its first `lineCount` stdout lines (fewer if it exits). */
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
  }).spawn();
  let stderr = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (stderr += text) }),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const lines: string[] = [];
  const timeout = setTimeout(() => child.kill(), 20_000);
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
      try {
        child.kill();
      } catch {
        // already exited
      }
      await status;
      await drained;
    },
  };
}

/** Starts the relay with `deno run -A cli.ts …`. */
export function startRelay(args: string[], env: Record<string, string> = {}, lineCount = 2): Promise<RelayProcess> {
  return startProcess(Deno.execPath(), ["run", "-A", "cli.ts", ...args], env, lineCount);
}

/** Bun from the npm package, pinned, kept out of node_modules; spawned directly so signals reach it. "" when unavailable. */
export async function bunPath(): Promise<string> {
  return (await findBun())?.path ?? "";
}
