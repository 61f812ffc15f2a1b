/**
 * The files generated from the settings schema, as they should be: `config.schema.json`,
 * and `docs/configuration.md` with its reference part regenerated (formatted as
 * `deno fmt` formats Markdown, so `deno task check` accepts it as written).
 *
 * @module
 */
import { configJsonSchema } from "../lib/config/json_schema.ts";
import { withReference } from "../lib/config/reference.ts";

const root = new URL("../", import.meta.url);

/** The command that writes them. */
export const GENERATE_COMMAND = "deno task generate";

/**
 * Each generated file's path from the repository root, and its content as generated from
 * the schema and the file's hand-written parts.
 */
export async function generatedFiles(): Promise<Record<string, string>> {
  const configuration = await Deno.readTextFile(new URL("docs/configuration.md", root));
  return {
    "config.schema.json": configJsonSchema(),
    "docs/configuration.md": await formatMarkdown(withReference(configuration)),
  };
}

/** `markdown` as `deno fmt` writes it, with the repository's settings. */
async function formatMarkdown(markdown: string): Promise<string> {
  const formatter = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = formatter.stdin.getWriter();
  await writer.write(new TextEncoder().encode(markdown));
  await writer.close();
  const { code, stdout, stderr } = await formatter.output();
  if (code !== 0) throw new Error(`deno fmt failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  for (const [path, content] of Object.entries(await generatedFiles())) {
    await Deno.writeTextFile(new URL(path, root), content);
    console.log(`wrote ${path}`);
  }
}
