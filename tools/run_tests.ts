/**
 * `deno task test`: runs `deno test --allow-all --doc` with this script's arguments and the
 * tests' own configuration (`deno.test.json`: the relay's imports plus the clients and tools
 * only the tests use, with their own lockfile, so `deno task start` fetches none of them), then fails
 * the run if a process that the tests started is still running. Deno's sanitizers see a test's
 * children but not what those start (the relay under `npx cody-relay` outlived its test). Every
 * process of the run inherits a marker variable; the ones still carrying it once `deno test`
 * exited (found in /proc/<pid>/environ) are listed with their command lines, killed, and the run
 * fails. Where /proc is absent (macOS) the check is skipped with a note. Exits with the code of
 * `deno test`, or 1 when it passed but left processes behind.
 *
 * @module
 */

const MARKER = "CODY_RELAY_TEST_RUN";

/** The processes whose environment holds `name=value`, with their command lines (never their environment). */
async function processesMarked(name: string, value: string): Promise<{ pid: number; command: string }[]> {
  const marked = [];
  for await (const { name: pid } of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    // Entries end with NUL; a process of another user, or one that exited meanwhile, reads as "".
    const environ = await Deno.readTextFile(`/proc/${pid}/environ`).catch(() => "");
    if (!`\0${environ}`.includes(`\0${name}=${value}\0`)) continue;
    const command = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    marked.push({ pid: Number(pid), command: command.replaceAll("\0", " ").trim().slice(0, 300) });
  }
  return marked;
}

const run = crypto.randomUUID();
const tests = new Deno.Command(Deno.execPath(), {
  args: [
    "test",
    "--config",
    new URL("../deno.test.json", import.meta.url).pathname,
    "--allow-all",
    "--doc",
    ...Deno.args,
  ],
  env: { [MARKER]: run },
}).spawn();
for (const signal of Deno.build.os === "windows" ? ["SIGINT"] as const : ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    try {
      tests.kill(signal);
    } catch {
      // it exited already
    }
  });
}
const { code } = await tests.status;

if (!await Deno.stat("/proc/self/environ").then(() => true, () => false)) {
  console.error(`Process leak check skipped: it reads /proc, which ${Deno.build.os} does not have.`);
  Deno.exit(code);
}
let leaked = await processesMarked(MARKER, run);
if (leaked.length) {
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // one still shutting down gets a second
  leaked = await processesMarked(MARKER, run);
}
if (leaked.length) {
  console.error(`error: ${leaked.length} process(es) started by the tests outlived them; killed:`);
  for (const { pid, command } of leaked) {
    console.error(`  ${pid} ${command}`);
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // it exited meanwhile
    }
  }
}
Deno.exit(leaked.length && !code ? 1 : code);
