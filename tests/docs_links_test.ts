/**
 * Every relative link of the documentation resolves: README.md, docs/*.md and
 * bench/README.md link only to files and folders that exist, and every `#anchor` (in the
 * same file or another Markdown file) names a heading as GitHub writes its anchor.
 */
import { deepEqual, equal } from "node:assert/strict";

const root = new URL("../", import.meta.url);

/** The documents whose links are checked, from the repository's root. */
async function documents(): Promise<string[]> {
  const docs = [];
  for await (const entry of Deno.readDir(new URL("docs/", root))) {
    if (entry.isFile && entry.name.endsWith(".md")) docs.push(`docs/${entry.name}`);
  }
  return ["README.md", "bench/README.md", ...docs.sort()];
}

/** `markdown` without its fenced blocks and code spans, where nothing is a link or a heading. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replaceAll(/(`+)[^`]*?\1/g, "");
  });
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, each space a hyphen. */
function slug(heading: string): string {
  return heading
    .replaceAll(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link's text stays
    .replaceAll(/<[^>]+>/g, "")
    .trim()
    .toLowerCase()
    .replaceAll(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replaceAll(" ", "-");
}

/** The anchors of `markdown`'s headings; a repeated one gets `-1`, `-2`, … as on GitHub. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = !fenced && line.match(/^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/);
    if (!heading) continue;
    const base = slug(heading[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count ? `${base}-${count}` : base);
  }
  return result;
}

/** The link targets of `markdown` (inline links, images and reference definitions), with their lines. */
function links(markdown: string): { line: number; target: string }[] {
  const found = [];
  for (const [index, line] of prose(markdown).entries()) {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      found.push({ line: index + 1, target: match[1] });
    }
    const definition = line.match(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/);
    if (definition) found.push({ line: index + 1, target: definition[1] });
  }
  return found;
}

/** What is wrong with each relative link of the document at `path` (from `base`), as "path:line: problem". */
async function brokenLinks(path: string, base: URL = root): Promise<string[]> {
  const source = new URL(path, base);
  const markdown = await Deno.readTextFile(source);
  const problems = [];
  for (const { line, target } of links(markdown)) {
    if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue;
    const [file, anchor] = target.split("#", 2) as [string, string | undefined];
    const url = file ? new URL(decodeURI(file), source) : source;
    const stat = await Deno.stat(url).catch(() => undefined);
    if (!stat) {
      problems.push(`${path}:${line}: ${target}: no such file`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!stat.isFile || !url.pathname.endsWith(".md")) {
      problems.push(`${path}:${line}: ${target}: an anchor into something other than a Markdown file`);
    } else if (!anchors(await Deno.readTextFile(url)).has(decodeURIComponent(anchor))) {
      problems.push(`${path}:${line}: ${target}: no heading has the anchor #${anchor}`);
    }
  }
  return problems;
}

Deno.test("every relative link and anchor in README.md, docs/ and bench/README.md resolves", async () => {
  const problems = [];
  for (const path of await documents()) problems.push(...await brokenLinks(path));
  deepEqual(problems, []);
});

Deno.test("slug and anchors follow GitHub: code, colons and quotes dropped, repeats numbered", () => {
  equal(slug("`server`: how the relay serves its clients"), "server-how-the-relay-serves-its-clients");
  equal(slug('`"type": "cody"`'), "type-cody");
  equal(slug("Relay ÷ floor"), "relay--floor");
  equal(slug("Time to first byte at a fixed 200 streams/s"), "time-to-first-byte-at-a-fixed-200-streamss");
  equal(
    slug("The targets (issue 17), reported next to the figures"),
    "the-targets-issue-17-reported-next-to-the-figures",
  );
  equal(slug("See [the docs](docs/x.md) first"), "see-the-docs-first");
  deepEqual([...anchors("# A\n## Notes\n```sh\n# not a heading\n```\n### Notes\n## Notes")], [
    "a",
    "notes",
    "notes-1",
    "notes-2",
  ]);
});

Deno.test("brokenLinks finds a missing file, a missing anchor and an anchor into a non-Markdown file", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${folder}/docs`);
    await Deno.writeTextFile(`${folder}/docs/b.md`, "# B\n\n## Has this\n");
    await Deno.writeTextFile(`${folder}/data.txt`, "");
    await Deno.writeTextFile(
      `${folder}/a.md`,
      [
        "# A",
        "[fine](docs/b.md#has-this) [self](#a) [web](https://example.com/x#y) [folder](docs/) `[code](nowhere.md)`",
        "[gone](docs/c.md) [wrong](docs/b.md#has-that) [text](data.txt#L1)",
        "```md",
        "[in a block](nowhere.md)",
        "```",
        "[ref]: docs/missing.md",
      ].join("\n"),
    );
    deepEqual(await brokenLinks("a.md", new URL(`file://${folder}/`)), [
      "a.md:3: docs/c.md: no such file",
      "a.md:3: docs/b.md#has-that: no heading has the anchor #has-that",
      "a.md:3: data.txt#L1: an anchor into something other than a Markdown file",
      "a.md:7: docs/missing.md: no such file",
    ]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
