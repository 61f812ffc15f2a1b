import { statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import process from "node:process";

/** How long changes to the file settle before it is read (editors write in several steps). */
const SETTLE_MS = 150;

/** What tells one version of the file from another: the file a symlink leads to, its size and time. */
function version(path: string): string {
  try {
    const { dev, ino, size, mtimeMs } = statSync(path);
    return `${dev}:${ino}:${size}:${mtimeMs}`;
  } catch {
    return "missing";
  }
}

/**
 * Calls `reload` when the config file changes (its directory is watched, so editors that
 * replace the file are seen too, and so is a symlink in it re-pointed, as a Kubernetes
 * ConfigMap volume updates its files) or the process gets SIGHUP. Reloads run one at a time;
 * one that fails is the caller's to report (the previous config keeps serving). Returns a
 * function that stops watching.
 *
 * @example
 * ```ts ignore
 * import { watchConfig } from "./watch_config.ts";
 * const stop = watchConfig("cody-relay.json", async () => console.log("changed"));
 * stop();
 * ```
 */
export function watchConfig(path: string, reload: (why: string) => Promise<void>): () => void {
  let chain = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (why: string) => {
    chain = chain.then(() => reload(why)).catch(() => {});
  };
  let seen = version(path);
  let named = false;
  // Any change in the directory is looked at: the file's own name, or (a re-pointed symlink) what the path leads to.
  const watcher = watch(dirname(path), (_event, name) => {
    named ||= name === basename(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = version(path);
      const changed = named || now !== seen;
      seen = now;
      named = false;
      if (changed) run("the file changed");
    }, SETTLE_MS);
  });
  const onHangup = () => run("SIGHUP");
  process.on("SIGHUP", onHangup);
  return () => {
    clearTimeout(timer);
    watcher.close();
    process.off("SIGHUP", onHangup);
  };
}
