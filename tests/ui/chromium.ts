/**
 * Debian's Chromium for the web console's browser test and its screenshot tool, driven by
 * `puppeteer-core`: where it is, launched headless, and closed so that none of its
 * processes outlives the caller.
 *
 * @module
 */
import puppeteer, { type Browser } from "puppeteer-core";

/** The Chromium executable: `CHROMIUM_PATH`, else Debian's. */
export const CHROMIUM: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/**
 * Whether {@link CHROMIUM} is there.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { hasChromium } from "./chromium.ts";
 * equal(typeof await hasChromium(), "boolean");
 * ```
 */
export function hasChromium(): Promise<boolean> {
  return Deno.stat(CHROMIUM).then((info) => info.isFile, () => false);
}

/**
 * Chromium, headless, without sandbox (it runs as root in CI), proxy or GPU.
 *
 * @example
 * ```ts ignore
 * const browser = await launchChromium();
 * try {
 *   const page = await browser.newPage();
 * } finally {
 *   await closeBrowser(browser);
 * }
 * ```
 */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless=new", "--no-proxy-server", "--disable-gpu", "--no-first-run"],
    headless: true,
  });
}

/**
 * Closes the browser and waits until none of its processes (the browser, its zygotes and
 * renderers, all started with its profile folder) is left; any still there after three
 * seconds is killed.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { closeBrowser } from "./chromium.ts";
 * equal(await closeBrowser(undefined), undefined); // nothing to close
 * ```
 */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  if (!browser) return;
  const profile = browser.process()?.spawnargs.find((arg) => arg.startsWith("--user-data-dir="));
  await browser.close().catch(() => browser.process()?.kill("SIGKILL"));
  if (!profile) return;
  const left = async () => {
    const pids: number[] = [];
    for await (const { name } of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      const command = await Deno.readTextFile(`/proc/${name}/cmdline`).catch(() => "");
      if (command.split("\0").includes(profile)) pids.push(Number(name));
    }
    return pids;
  };
  for (let waited = 0; waited < 3_000 && (await left()).length; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const pid of await left()) {
    console.error(`chromium process ${pid} outlived the browser: killed`);
    Deno.kill(pid, "SIGKILL");
  }
}
