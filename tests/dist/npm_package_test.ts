/**
 * The npm package as users get it: `npm pack` of a fresh build, installed into an empty
 * project; `npx cody-relay` and `bunx cody-relay` serve a chat; an embedder's script
 * imports the package entry point (never an internal path) and pipes a recorded Cody
 * stream through the public transforms on Node, Bun and Deno, and type-checks against
 * the shipped declarations.
 */
import { equal, match, ok } from "node:assert/strict";
import { bunPath, startProcess } from "../process.ts";
import { assertServesConsole, buildFresh } from "./helpers.ts";

const root = new URL("../../", import.meta.url).pathname;
const bun = await bunPath();
if (!bun) console.log("Bun package tests skipped: `npx -y bun@1.4.4` cannot run here.");

/** Runs a command to success and returns its stdout; a failure throws with its stderr. */
async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(command, { args, cwd, env: { NO_COLOR: "1", ...env } })
    .output();
  const text = new TextDecoder();
  if (!success) throw new Error(`${command} ${args.join(" ")} failed:\n${text.decode(stderr)}`);
  return text.decode(stdout);
}

/** Packs the package as `npm publish` would, from the repository's files and a fresh build. */
async function pack(): Promise<{ tarball: string; files: string[] }> {
  const built = await buildFresh();
  const stage = await Deno.makeTempDir({ prefix: "cody-relay-stage-" });
  await Deno.mkdir(`${stage}/docs`);
  await Deno.mkdir(`${stage}/bench`);
  const docs = [...Deno.readDirSync(`${root}docs`)].map((entry) => `docs/${entry.name}`);
  for (const file of ["package.json", "README.md", "LICENSE", "config.schema.json", "bench/README.md", ...docs]) {
    await Deno.copyFile(`${root}${file}`, `${stage}/${file}`);
  }
  await Deno.mkdir(`${stage}/dist`);
  for (const file of ["cody-relay.js", "mod.js", "mod.d.ts"]) {
    await Deno.copyFile(`${built.dir}/${file}`, `${stage}/dist/${file}`);
  }
  // The build ran above; the prepack script (which runs it from a checkout) is not needed here.
  const [report] = JSON.parse(
    await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", built.dir], stage),
  );
  await Deno.remove(stage, { recursive: true });
  return { tarball: `${built.dir}/${report.filename}`, files: report.files.map((file: { path: string }) => file.path) };
}

const { tarball, files } = await pack();
const project = await Deno.makeTempDir({ prefix: "cody-relay-consumer-" });
globalThis.addEventListener("unload", () => Deno.removeSync(project, { recursive: true }));
await Deno.writeTextFile(
  `${project}/package.json`,
  JSON.stringify({ name: "consumer", type: "module", private: true }),
);
await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], project);

/** An embedder's script: the package's transforms on a recorded Cody stream, printing the OpenAI text. */
const recorded = await Deno.readTextFile(`${root}tests/fixtures/cody/v9-text-then-tool-call.sse`);
const EMBEDDER = `
import { CodyEventDecoderStream, OpenAIChatStream, VERSION } from "cody-relay";
const recorded: string = ${JSON.stringify(recorded)};
const chunks = new Blob([recorded]).stream()
  .pipeThrough(new CodyEventDecoderStream())
  .pipeThrough(new OpenAIChatStream({ id: "chatcmpl-1", created: 0, model: "m", includeUsage: true }))
  .pipeThrough(new TextDecoderStream());
let text = "";
for await (const chunk of chunks) text += chunk;
console.log(JSON.stringify({ version: VERSION, text }));
`;
await Deno.writeTextFile(`${project}/embed.ts`, EMBEDDER);
await Deno.writeTextFile(`${project}/embed.mjs`, EMBEDDER.replace("const recorded: string", "const recorded"));

Deno.test("the packed package holds the command, the library, its declarations and nothing else of the source", () => {
  for (const file of ["dist/cody-relay.js", "dist/mod.js", "dist/mod.d.ts", "package.json", "README.md", "LICENSE"]) {
    ok(files.includes(file), `${file} is packed (${files.join(", ")})`);
  }
  ok(!files.some((file) => file.endsWith(".ts") && !file.endsWith(".d.ts")), "no TypeScript sources");
  ok(!files.some((file) => file.startsWith("tests/")), "no tests");
});

Deno.test("every relative link in the packed README and docs points at a packed file", async () => {
  const documents = files.filter((file) => file.endsWith(".md"));
  ok(documents.includes("docs/configuration.md"), `the docs are packed (${files.join(", ")})`);
  for (const document of documents) {
    const text = await Deno.readTextFile(`${root}${document}`);
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // a web address
      const resolved = new URL(target, `file:///package/${document}`).pathname.slice("/package/".length);
      ok(files.includes(resolved), `${document} links to ${target}, which the package does not hold`);
    }
  }
});

const runtimes: [string, string, string[]][] = [
  ["Node", "node", ["embed.mjs"]],
  ["Deno", Deno.execPath(), ["run", "--allow-read", "--allow-env", "embed.mjs"]],
];
if (bun) runtimes.push(["Bun", bun, ["embed.mjs"]]);
for (const [name, command, args] of runtimes) {
  Deno.test(`${name}: an embedder imports "cody-relay" and pipes a recorded Cody stream through its transforms`, async () => {
    const { version, text } = JSON.parse(await run(command, args, project));
    match(version, /^\d+\.\d+\.\d+/);
    match(text, /"tool_calls":\[\{"index":0,"id":"[^"]+","type":"function","function":\{"name":"must_call_this_tool"/);
    match(text, /"finish_reason":"tool_calls"[\s\S]*data: \[DONE\]/);
  });
}

Deno.test("the shipped declarations type-check an embedder's TypeScript (deno check), and catch a misuse", async () => {
  await run(Deno.execPath(), ["check", "embed.ts"], project);
  await Deno.writeTextFile(
    `${project}/misuse.ts`,
    'import { VERSION } from "cody-relay";\nconst n: number = VERSION;\n',
  );
  const misuse = await run(Deno.execPath(), ["check", "misuse.ts"], project).then(() => "", (error) => error.message);
  match(misuse, /TS2322/, "a string export assigned to a number is an error: the declarations were read");
});

const launchers: [string, string, string[]][] = [["npx cody-relay", "npx", ["--no-install", "cody-relay"]]];
if (bun) {
  launchers.push(["bunx cody-relay", bun, ["x", "cody-relay"]], ["bunx --bun cody-relay", bun, [
    "x",
    "--bun",
    "cody-relay",
  ]]);
}
for (const [name, command, args] of launchers) {
  Deno.test(`${name} serves a chat from the installed package`, async () => {
    // The launcher runs the relay as its child; disposing of it ends both.
    await using relay = await startProcess(command, [...args, "--port", "0"], {}, 1, project);
    match(relay.lines[0] ?? "", /listening on http:/, `${name} printed: ${relay.lines.join("\n")}${relay.stderr}`);
    const response = await fetch(`${relay.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "cody-sonnet", messages: [{ role: "user", content: "ping" }] }),
    });
    equal(response.status, 200);
    match((await response.json()).choices[0].message.content, /You said: ping$/);
    await assertServesConsole(relay.url);
  });
}
