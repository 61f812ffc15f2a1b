/**
 * The JSR package: `deno publish --dry-run` (offline: it checks slow types, docs and the
 * file list without uploading) passes and publishes the library and the command only.
 */
import { match, ok } from "node:assert/strict";

Deno.test("deno publish --dry-run: no slow types, a license, only mod.ts, cli.ts, lib/ and their documents (README.md, docs/)", async () => {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: new URL("../../", import.meta.url),
    env: { NO_COLOR: "1" },
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  ok(success, output);
  match(output, /Success.*Dry run complete/);
  const published = [...output.matchAll(/file:\/\/\S*? \(/g)].length;
  ok(published > 50, `${published} files listed`);
  for (const file of ["mod.ts", "cli.ts", "lib/pipeline/relay.ts", "LICENSE", "README.md", "docs/clients.md"]) {
    ok(output.includes(`/${file} (`), `${file} is published`);
  }
  for (const folder of ["tests/", "bench/", "tools/", "node_modules/"]) {
    ok(!output.includes(`/${folder}`), `nothing from ${folder} is published`);
  }
});
