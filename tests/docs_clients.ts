/**
 * The client setups of docs/clients.md as the web console's "Connect a client" page reads
 * them: one `### <name>` section per client, its first paragraph saying where the text goes,
 * its configuration in fenced blocks. The agent tests run their client with these blocks.
 *
 * @module
 */

/** The relay's address as every block writes it. */
export const DOCUMENTED_RELAY = "http://127.0.0.1:8787";
/** The model id as every block writes it. */
export const DOCUMENTED_MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

/** A fenced block: its info string's first word, and its text. */
export interface FencedBlock {
  lang: string;
  text: string;
}

/** One client's section. */
export interface ClientSetup {
  name: string;
  /** The section's first paragraph, unwrapped. */
  intro: string;
  blocks: FencedBlock[];
}

/** Every `### ` section of `markdown`, in order (a `## ` heading ends one). */
export function clientSetups(markdown: string): ClientSetup[] {
  const setups: ClientSetup[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const finish = () => current && setups.push(setup(current.name, current.lines));
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    if (!fenced && /^#{1,3} /.test(line)) {
      finish();
      current = line.startsWith("### ") ? { name: line.slice(4).trim(), lines: [] } : undefined;
    } else current?.lines.push(line);
  }
  finish();
  return setups;
}

function setup(name: string, lines: string[]): ClientSetup {
  const blocks: FencedBlock[] = [];
  const paragraphs: string[][] = [[]];
  let block: { lang: string; lines: string[] } | undefined;
  for (const line of lines) {
    if (block) {
      if (line.startsWith("```")) {
        blocks.push({ lang: block.lang, text: block.lines.join("\n") + "\n" });
        block = undefined;
      } else block.lines.push(line);
    } else if (line.startsWith("```")) {
      block = { lang: line.slice(3).trim().split(/\s+/)[0], lines: [] };
      paragraphs.push([]);
    } else if (line.trim() === "") paragraphs.push([]);
    else paragraphs.at(-1)!.push(line.trim());
  }
  if (block) throw new Error(`### ${name}: a fenced block is not closed`);
  const first = paragraphs.find((paragraph) => paragraph.length > 0) ?? [];
  return { name, intro: first.join(" "), blocks };
}

/** docs/clients.md's setups. */
export async function documentedSetups(): Promise<ClientSetup[]> {
  return clientSetups(await Deno.readTextFile(new URL("../docs/clients.md", import.meta.url)));
}

/** The first `lang` block of the client `name` in docs/clients.md, the relay's address replaced by `relayUrl`. */
export async function documentedBlock(name: string, lang: string, relayUrl = DOCUMENTED_RELAY): Promise<string> {
  const setup = (await documentedSetups()).find((setup) => setup.name === name);
  if (!setup) throw new Error(`docs/clients.md has no "### ${name}"`);
  const block = setup.blocks.find((block) => block.lang === lang);
  if (!block) throw new Error(`"### ${name}" in docs/clients.md has no ${lang} block`);
  return block.text.replaceAll(DOCUMENTED_RELAY, relayUrl);
}

/** The variables the `export NAME=value …` lines of a shell block set. */
export function shellExports(block: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of block.split("\n")) {
    if (!line.startsWith("export ")) continue;
    for (const assignment of line.slice(7).trim().split(/\s+/)) {
      const [name, ...value] = assignment.split("=");
      variables[name] = value.join("=");
    }
  }
  return variables;
}
