/** `deno task build`'s command line as development.md gives it: a flag it does not take is a short error. */
import { equal } from "node:assert/strict";

const root = new URL("../../", import.meta.url);

Deno.test("deno task build with a mistyped flag exits 2 with the usage, no stack trace, and builds nothing", async () => {
  const out = await Deno.makeTempDir({ prefix: "cody-relay-build-cli-" });
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tools/build.ts", "--target", "all", "--out", out],
      cwd: root,
      env: { NO_COLOR: "1" },
    }).output();
    equal(code, 2);
    equal(
      new TextDecoder().decode(stderr),
      "Unknown option '--target'\nusage: deno task build [--targets host|all|none|T,…] [--deno-compile] [--out DIR]\n",
    );
    equal([...Deno.readDirSync(out)].length, 0);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
