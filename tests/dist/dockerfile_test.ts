/**
 * The Dockerfile, without a Docker engine (none runs here): linted by `dockerfile-utils`
 * (the Docker language server's checks), held to the image's rules (multi-stage, pinned
 * bases, a non-root user, the port exposed, a health check on /health, only built
 * artifacts in the final stage), and re-enacted: its COPY and RUN steps are carried out in
 * a temp folder standing in for each stage's file system, then its ENTRYPOINT is started
 * with its ENV and its HEALTHCHECK command must pass against it.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { type Copy, DockerfileParser, type Instruction, type JSONInstruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { startProcess } from "../process.ts";
import { assertServesConsole } from "./helpers.ts";

const root = new URL("../../", import.meta.url).pathname;
const text = await Deno.readTextFile(`${root}Dockerfile`);
const dockerfile = DockerfileParser.parse(text);

/** The instructions of each stage, by the index of its FROM. */
function stages(): { name: string; image: string; instructions: Instruction[] }[] {
  const result: { name: string; image: string; instructions: Instruction[] }[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === "FROM") {
      const [image, , name] = instruction.getArguments().map((argument) => argument.getValue());
      result.push({ name: name ?? String(result.length), image, instructions: [] });
    } else result.at(-1)?.instructions.push(instruction);
  }
  return result;
}

const keyword = (stage: { instructions: Instruction[] }, word: string) =>
  stage.instructions.filter((instruction) => instruction.getKeyword() === word);
const jsonArgs = (instruction: Instruction) =>
  (instruction as JSONInstruction).getJSONStrings().map((argument) => argument.getJSONValue());

Deno.test("dockerfile-utils finds nothing to report (and does report a broken file)", () => {
  deepEqual(validate(text).map((problem) => `${problem.range.start.line + 1}: ${problem.message}`), []);
  ok(validate("FROM\nEXPOSE port\n").length >= 2, "the linter runs");
});

Deno.test("the image's rules: multi-stage, pinned bases, non-root, port, health check, only artifacts copied", () => {
  const all = stages();
  ok(all.length >= 2, "a build stage and a runtime stage");
  for (const stage of all) match(stage.image, /:[\w.-]*\d+\.\d+[\w.-]*$/, `${stage.image} is pinned to a version`);
  const final = all.at(-1)!;
  const user = keyword(final, "USER")[0]?.getArgumentsContent() ?? "root";
  ok(!/^(root|0)(:|$)/.test(user), `runs as ${user}`);
  const port = /PORT=(\d+)/.exec(keyword(final, "ENV").map((env) => env.getArgumentsContent()).join(" "))?.[1];
  equal(keyword(final, "EXPOSE")[0]?.getArgumentsContent(), port, "EXPOSE is the port it listens on");
  match(keyword(final, "HEALTHCHECK")[0]?.getArgumentsContent() ?? "", /\/health/);
  for (const copy of keyword(final, "COPY") as Copy[]) {
    equal(copy.getFromFlag()?.getValue(), all[0].name, `${copy.getArgumentsContent()} comes from the build stage`);
  }
  deepEqual(keyword(final, "RUN"), [], "nothing is installed or run in the final stage");
  ok(jsonArgs(keyword(final, "ENTRYPOINT")[0]).length > 0, "ENTRYPOINT in exec form (signals reach the relay)");
});

Deno.test("re-enacted: the build stage's steps make the artifact, the final stage serves and passes its health check", async () => {
  const scratch = await Deno.makeTempDir({ prefix: "cody-relay-docker-" });
  try {
    const all = stages();
    /** A stage's absolute container path, in the temp folder standing in for its file system. */
    const at = (stage: string, path: string) => `${scratch}/${stage}${path}`;
    let env: Record<string, string> = {};
    let entrypoint: string[] = [];
    let healthcheck: string[] = [];
    for (const stage of all) {
      let workdir = "/";
      env = { PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:${Deno.env.get("PATH")}` };
      const inStage = (path: string) => at(stage.name, path.startsWith("/") ? path : `${workdir}/${path}`);
      for (const instruction of stage.instructions) {
        const args = instruction.getArguments().map((argument) => argument.getValue());
        switch (instruction.getKeyword()) {
          case "WORKDIR":
            workdir = args[0];
            await Deno.mkdir(inStage(workdir), { recursive: true });
            break;
          case "ENV":
            for (const pair of args) {
              const [name, value] = pair.split("=");
              env[name] = value.startsWith("/") ? inStage(value) : value;
            }
            break;
          case "COPY": {
            const from = (instruction as Copy).getFromFlag()?.getValue();
            const sources = args.filter((arg) => !arg.startsWith("--"));
            const target = sources.pop()!;
            for (const source of sources) {
              const origin = from ? at(from, source) : `${root}${source}`;
              const destination = target.endsWith("/")
                ? `${inStage(target)}${source.split("/").at(-1)}`
                : inStage(target);
              await Deno.mkdir(destination.replace(/\/[^/]+$/, ""), { recursive: true });
              const copied = await new Deno.Command("cp", { args: ["-R", origin, destination] }).output();
              ok(copied.success, `COPY ${source}: ${new TextDecoder().decode(copied.stderr)}`);
            }
            break;
          }
          case "RUN": {
            // Absolute paths in the command are the stage's.
            const command = instruction.getArgumentsContent()!.replace(/(?<=\s)\/(?=\w)/g, `${at(stage.name, "")}/`);
            const run = await new Deno.Command("sh", { args: ["-c", command], cwd: inStage(workdir), env }).output();
            ok(run.success, `RUN ${command}: ${new TextDecoder().decode(run.stderr)}`);
            break;
          }
          case "ENTRYPOINT":
            entrypoint = jsonArgs(instruction).map((arg) => arg.startsWith("/") ? inStage(arg) : arg);
            break;
          case "HEALTHCHECK":
            healthcheck = JSON.parse(/\bCMD\s+(\[.*\])\s*$/s.exec(instruction.getArgumentsContent()!)![1]);
            break;
        }
      }
    }
    ok((await Deno.stat(at(all.at(-1)!.name, "/app/cody-relay.js"))).size > 100_000, "the bundle is in place");
    // A free port for PORT, and a gateway key since it listens on 0.0.0.0 (as `docker run -e RELAY_API_KEYS=…`).
    const probe = Deno.listen({ port: 0 });
    const port = String((probe.addr as Deno.NetAddr).port);
    probe.close();
    const runEnv = { ...env, PORT: port, RELAY_API_KEYS: "docker-test-key" };
    await using relay = await startProcess(entrypoint[0], entrypoint.slice(1), runEnv);
    match(relay.lines[0] ?? "", new RegExp(`listening on http://0\\.0\\.0\\.0:${port}$`), relay.stderr);
    const check = await new Deno.Command(healthcheck[0], { args: healthcheck.slice(1), env: runEnv }).output();
    ok(check.success, `HEALTHCHECK failed: ${new TextDecoder().decode(check.stderr)}`);
    const refused = await fetch(`http://127.0.0.1:${port}/v1/models`);
    equal(refused.status, 401, "a gateway key is required");
    await refused.body?.cancel();
    await assertServesConsole(`http://127.0.0.1:${port}`, "docker-test-key");
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});
