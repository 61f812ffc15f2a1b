/** Probes of the runtime timers the time limits use: how many a piece of code starts, and what a process keeps waiting for. */

/** How many times `run` calls the global `setTimeout` or `setInterval` (counted while it runs, awaited). */
export async function countCalls(name: "setTimeout" | "setInterval", run: () => unknown): Promise<number> {
  const timers = globalThis as unknown as Record<typeof name, (...args: unknown[]) => unknown>;
  const real = timers[name];
  let calls = 0;
  timers[name] = (...args) => {
    calls++;
    return real(...args);
  };
  try {
    await run();
  } finally {
    timers[name] = real;
  }
  return calls;
}

/**
 * Runs `code` in its own Deno process with `name` imported from the module at `path`
 * (relative to `lib/hub/`); its output and how long the process ran.
 */
export async function inProcess(path: string, name: string, code: string): Promise<{ stdout: string; ms: number }> {
  const module = new URL(`../../lib/hub/${path}`, import.meta.url).href;
  const started = performance.now();
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { ${name} } from "${module}";\n${code}`],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(20_000),
  }).output();
  return { stdout: new TextDecoder().decode(stdout), ms: performance.now() - started };
}
