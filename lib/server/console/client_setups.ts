/**
 * The client setups of the client documentation (`docs/clients.md`), as the console's
 * "Connect a client" page shows them: one per `### <client>` section, its first paragraph
 * saying where the text goes, its fenced blocks the text, the rest of its prose a note.
 * The documentation writes the relay as {@link DOCUMENTED_BASE} and the model as
 * {@link DOCUMENTED_MODEL}; {@link fillClientSetups} puts in this relay's and the model chosen.
 *
 * @module
 */
import { RelayError } from "../../hub/errors.ts";

/** The relay's address as the documentation writes it. */
export const DOCUMENTED_BASE = "http://127.0.0.1:8787";

/** The model id as the documentation writes it. */
export const DOCUMENTED_MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

/** The longest model id the page fills in. */
export const MAX_MODEL_LENGTH = 256;

/** One client's setup. */
export interface ClientSetup {
  /** The client's name (the section's heading). */
  client: string;
  /** Where the text goes (the section's first paragraph, unwrapped). */
  where: string;
  /** The section's other paragraphs, if any. */
  note?: string;
  /** The configuration: the section's fenced blocks, a blank line between two. */
  text: string;
}

/** A run of lines: a paragraph (lines joined) or a fenced block (as written). */
type Piece = { kind: "prose" | "code"; text: string };

/**
 * Every `### ` section of `markdown` that has a fenced block, in order; a heading of
 * level 1 to 3 ends a section. Links show their text; the rest of the prose stays as
 * written (inline code included).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { parseClientSetups } from "./client_setups.ts";
 * const fence = "`".repeat(3);
 * const markdown = [
 *   "## Setups", "", "### Aider", "", "In a", "shell:", "", `${fence}sh`, "aider --model m", fence, "",
 *   "See [keys](#keys).", "", "## Browsers", "", "### No block here", "", "Just prose.",
 * ].join("\n");
 * deepEqual(parseClientSetups(markdown), [
 *   { client: "Aider", where: "In a shell:", note: "See keys.", text: "aider --model m" },
 * ]);
 * ```
 */
export function parseClientSetups(markdown: string): ClientSetup[] {
  const setups: ClientSetup[] = [];
  let current: { client: string; lines: string[] } | undefined;
  const end = () => {
    if (current) {
      const setup = setupOf(current.client, pieces(current.lines));
      if (setup) setups.push(setup);
    }
    current = undefined;
  };
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    if (fence === undefined) {
      const heading = /^(#{1,3})\s+(.+?)\s*#*\s*$/.exec(line);
      if (heading) {
        end();
        if (heading[1].length === 3) current = { client: heading[2], lines: [] };
        continue;
      }
    }
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && fence === undefined) fence = marker;
    else if (marker && fence !== undefined && marker.startsWith(fence) && line.trim() === marker) fence = undefined;
    current?.lines.push(line);
  }
  end();
  return setups;
}

/** A section's lines as paragraphs and fenced blocks. */
function pieces(lines: readonly string[]): Piece[] {
  const found: Piece[] = [];
  let prose: string[] = [];
  let code: string[] | undefined;
  let fence = "";
  const endProse = () => {
    if (prose.length) found.push({ kind: "prose", text: unlinked(prose.map((line) => line.trim()).join(" ")) });
    prose = [];
  };
  for (const line of lines) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (code) {
      if (marker && marker.startsWith(fence) && line.trim() === marker) {
        found.push({ kind: "code", text: code.join("\n") });
        code = undefined;
      } else code.push(line);
    } else if (marker) {
      endProse();
      code = [];
      fence = marker;
    } else if (line.trim() === "") endProse();
    else prose.push(line);
  }
  endProse();
  if (code) found.push({ kind: "code", text: code.join("\n") });
  return found;
}

/** A section's setup, or undefined when it has no fenced block. */
function setupOf(client: string, found: readonly Piece[]): ClientSetup | undefined {
  const code = found.filter((piece) => piece.kind === "code").map((piece) => piece.text);
  if (!code.length) return undefined;
  const [where = "", ...rest] = found.filter((piece) => piece.kind === "prose").map((piece) => piece.text);
  return { client, where, ...(rest.length ? { note: rest.join("\n\n") } : {}), text: code.join("\n\n") };
}

/** `[text](target)` as `text`. */
function unlinked(text: string): string {
  return text.replace(/\[([^\]]+)\]\([^)\s]*\)/g, "$1");
}

/**
 * `setups` with this relay's address (an http or https origin) and the model chosen in
 * place of the documented ones, in the text, where it goes and the note. Either may be
 * left out (the documented one stays). A 400 names what is wrong with either.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { fillClientSetups } from "./client_setups.ts";
 * const setups = [{ client: "Aider", where: "In a shell:", text: "aider --base http://127.0.0.1:8787/v1 --model anthropic::2024-10-22::claude-sonnet-4-latest" }];
 * const [aider] = fillClientSetups(setups, { base: "https://relay.example:8443/", model: "m-1" });
 * equal(aider.text, "aider --base https://relay.example:8443/v1 --model m-1");
 * throws(() => fillClientSetups(setups, { base: "https://relay.example/v1" }), /base must be an http or https origin/);
 * throws(() => fillClientSetups(setups, { model: "m".repeat(257) }), /model must be 1 to 256 characters/);
 * ```
 */
export function fillClientSetups(
  setups: readonly ClientSetup[],
  given: { base?: string; model?: string },
): ClientSetup[] {
  const base = given.base === undefined ? DOCUMENTED_BASE : originOf(given.base);
  const model = given.model ?? DOCUMENTED_MODEL;
  // Control characters (a newline) would write lines of their own into the configuration.
  // deno-lint-ignore no-control-regex
  if (!model || model.length > MAX_MODEL_LENGTH || /[\u0000-\u001f\u007f]/.test(model)) {
    throw new RelayError(400, `model must be 1 to ${MAX_MODEL_LENGTH} characters, none of them control characters`, {
      param: "model",
      code: "invalid_request",
    });
  }
  const fill = (text: string) => text.replaceAll(DOCUMENTED_BASE, base).replaceAll(DOCUMENTED_MODEL, model);
  return setups.map((setup) => ({
    client: setup.client,
    where: fill(setup.where),
    ...(setup.note === undefined ? {} : { note: fill(setup.note) }),
    text: fill(setup.text),
  }));
}

/** `text` as an origin without its trailing slash, or a 400. */
function originOf(text: string): string {
  const url = text.length <= 2048 && URL.canParse(text) ? new URL(text) : undefined;
  // The origin and nothing else: no path, query, fragment or user info.
  if (!url || !(url.protocol === "http:" || url.protocol === "https:") || `${url.origin}/` !== url.href) {
    throw new RelayError(400, "base must be an http or https origin, e.g. http://127.0.0.1:8787 (no path or query)", {
      param: "base",
      code: "invalid_request",
    });
  }
  return url.origin;
}
