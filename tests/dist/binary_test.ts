/**
 * The standalone binaries: `bun build --compile` for this machine (started and streamed
 * through), and `deno compile`, which runs only where Deno can fetch its runtime (`denort`)
 * and says so when it cannot.
 */
import { match } from "node:assert/strict";
import { hostTarget } from "../../tools/build.ts";
import { startProcess } from "../process.ts";
import { assertServesConsole, assertStreamsPing, buildFresh, simulatorServer } from "./helpers.ts";

const host = hostTarget();
const built = await buildFresh([host], true);
const artifact = (prefix: string) => built.artifacts.find((artifact) => artifact.name.startsWith(prefix))!;
const bunBinary = artifact(`cody-relay-${host}`);
const denoBinary = artifact("cody-relay-deno-");
for (const skipped of [bunBinary, denoBinary].filter((artifact) => artifact.skipped)) {
  console.log(`${skipped.name} not tested: ${skipped.skipped}`);
}

async function streamsThrough(binary: string): Promise<void> {
  await using upstream = await simulatorServer();
  await using relay = await startProcess(binary, ["--port", "0"], { SRC_ENDPOINT: upstream.url });
  match(relay.lines[0], /^cody-relay listening on http:\/\/127\.0\.0\.1:\d+$/, relay.stderr);
  await assertStreamsPing(relay.url);
  await assertServesConsole(relay.url);
}

Deno.test({
  name: `bun build --compile (${host}): the binary starts and streams a chat`,
  ignore: !!bunBinary.skipped,
  fn: () => streamsThrough(`${built.dir}/${bunBinary.name}`),
});

Deno.test({
  name: `deno compile (${Deno.build.os}-${Deno.build.arch}): the binary starts and streams a chat`,
  ignore: !!denoBinary.skipped,
  fn: () => streamsThrough(`${built.dir}/${denoBinary.name}`),
});
