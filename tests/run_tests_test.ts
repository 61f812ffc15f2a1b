/**
 * tools/run_tests.ts (`deno task test`): a process that a test leaves running fails the run,
 * and is named and killed; a run that leaves nothing passes.
 */
import { equal, match, ok } from "node:assert/strict";
import { isAlive } from "./process.ts";

const FIXTURE = "tests/fixtures/leaky_suite.ts";
const procfs = await Deno.stat("/proc/self/environ").then(() => true, () => false);
if (!procfs) console.log("The process leak test is ignored: it reads /proc, which this system does not have.");

/** Runs `deno task test` with `args`: its exit code and its whole output. */
async function runTests(...args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "tools/run_tests.ts", ...args],
    cwd: new URL("../", import.meta.url),
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder();
  return { code, output: text.decode(stdout) + text.decode(stderr) };
}

Deno.test({
  name: "a process a test left running fails the run, is listed with its command line and killed",
  ignore: !procfs,
  async fn() {
    const { code, output } = await runTests("--filter", "leaks a grandchild", FIXTURE);
    const sleep = Number(/leaked pid (\d+)/.exec(output)?.[1]);
    try {
      match(output, /1 passed/);
      equal(code, 1, output);
      match(
        output,
        new RegExp(`1 process\\(es\\) started by the tests outlived them; killed:\\n  ${sleep} sleep 30\\n`),
      );
      equal(await isAlive(sleep), false, "killed");
    } finally {
      if (sleep && await isAlive(sleep)) Deno.kill(sleep, "SIGKILL");
    }
  },
});

Deno.test("a run that leaves nothing running passes", async () => {
  const { code, output } = await runTests("--filter", "ends its grandchild", FIXTURE);
  equal(code, 0, output);
  match(output, /1 passed/);
  if (procfs) ok(!output.includes("outlived"), output);
  else match(output, /leak check skipped/);
});
