import { watch } from "node:fs";
import { basename, dirname } from "node:path";
import process from "node:process";

/** How long changes to the file settle before it is read (editors write in several steps). */
const SETTLE_MS = 150;

/**
 * Calls `reload` when the config file changes (its directory is watched, so editors that
 * replace the file are seen too) or the process gets SIGHUP. Reloads run one at a time;
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
  const watcher = watch(dirname(path), (_event, name) => {
    if (name !== basename(path)) return;
    clearTimeout(timer);
    timer = setTimeout(() => run("the file changed"), SETTLE_MS);
  });
  const onHangup = () => run("SIGHUP");
  process.on("SIGHUP", onHangup);
  return () => {
    clearTimeout(timer);
    watcher.close();
    process.off("SIGHUP", onHangup);
  };
}
