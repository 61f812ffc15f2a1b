import { equal } from "node:assert/strict";
import { watchConfig } from "../../lib/cli/watch_config.ts";

async function until(check: () => boolean, ms = 3_000): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return check();
}

Deno.test("watchConfig sees a Kubernetes ConfigMap update: the ..data symlink re-pointed, not the file written", async () => {
  // The layout of a ConfigMap volume: cody-relay.json → ..data/cody-relay.json, ..data → a dated folder, swapped by rename.
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/..2026_first`);
  await Deno.writeTextFile(`${dir}/..2026_first/cody-relay.json`, '{ "server": { "metrics": false } }');
  await Deno.symlink("..2026_first", `${dir}/..data`);
  await Deno.symlink("..data/cody-relay.json", `${dir}/cody-relay.json`);
  const reasons: string[] = [];
  const stop = watchConfig(`${dir}/cody-relay.json`, (why) => Promise.resolve(void reasons.push(why)));
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    await Deno.mkdir(`${dir}/..2026_second`);
    await Deno.writeTextFile(`${dir}/..2026_second/cody-relay.json`, '{ "server": { "metrics": true } }');
    await Deno.symlink("..2026_second", `${dir}/..data_tmp`);
    await Deno.rename(`${dir}/..data_tmp`, `${dir}/..data`);
    await Deno.remove(`${dir}/..2026_first`, { recursive: true });
    equal(await until(() => reasons.length > 0), true, "the re-pointed symlink was not seen");
    equal(reasons[0], "the file changed");

    // Another file of the folder changing is no reason to reload.
    const before = reasons.length;
    await Deno.writeTextFile(`${dir}/other.txt`, "unrelated");
    equal(await until(() => reasons.length > before, 600), false, "an unrelated file reloaded the config");
  } finally {
    stop();
    await Deno.remove(dir, { recursive: true });
  }
});
