/** A prompt's fill-in-the-middle parts, once its template is recognised. */
export interface FimParts {
  /** The code before the cursor. */
  prefix: string;
  /** The code after the cursor. */
  suffix: string;
  /** Which template it was, e.g. `starcoder`, `deepseek`, `hole-filler`. */
  template: string;
}

/**
 * A template's markers. Found with `indexOf`/`lastIndexOf` only, so recognising a prompt
 * costs time linear in its length whatever the client sends (backtracking patterns cost
 * the square of it on prompts full of markers).
 */
interface Template {
  name: string;
  /**
   * Opens the FIM part. Context a template may put before its FIM part (repository
   * snippets, examples) is not code around the cursor, so its last occurrence counts, or
   * with `atStart` only one at the very start.
   */
  open: string;
  atStart?: boolean;
  /** Between the two parts: its first occurrence after `open`. */
  middle: string;
  /** Closes the FIM part: the prompt ends with it (then only whitespace), or with `closeAnywhere` at its last occurrence. */
  close?: string;
  closeAnywhere?: boolean;
  /** The part before `middle` is the suffix (Codestral and CodeGeeX put the code after the cursor first). */
  suffixFirst?: boolean;
}

const TEMPLATES: Template[] = [
  { name: "starcoder", open: "<fim_prefix>", middle: "<fim_suffix>", close: "<fim_middle>" },
  { name: "qwen", open: "<|fim_prefix|>", middle: "<|fim_suffix|>", close: "<|fim_middle|>" },
  { name: "deepseek", open: "<｜fim▁begin｜>", middle: "<｜fim▁hole｜>", close: "<｜fim▁end｜>" },
  { name: "codestral", open: "[SUFFIX]", middle: "[PREFIX]", suffixFirst: true },
  { name: "codellama", open: "<PRE> ", middle: " <SUF>", close: " <MID>" },
  {
    name: "codegeex",
    open: "<|code_suffix|>",
    middle: "<|code_prefix|>",
    close: "<|code_middle|>",
    closeAnywhere: true,
    suffixFirst: true,
  },
  // Continue's prompt for chat-model ids (VictorTaelin's AI-scripts): its examples also
  // contain the hole, so only the last <QUERY> block is the user's code.
  { name: "hole-filler", open: "<QUERY>\n", middle: "{{FILL_HERE}}", close: "\n</QUERY>", closeAnywhere: true },
  {
    name: "blank",
    open: "```\n",
    atStart: true,
    middle: "[BLANK]",
    close: "\n```\n\nFill in the blank to complete the code block.",
    closeAnywhere: true,
  },
];

/** The prompt's two parts in `template`, in the order they appear, or undefined when it is not that template. */
function split(prompt: string, template: Template): [string, string] | undefined {
  let end = prompt.length;
  if (template.close !== undefined) {
    const trimmed = template.closeAnywhere ? prompt : prompt.trimEnd();
    end = template.closeAnywhere ? prompt.lastIndexOf(template.close) : trimmed.length - template.close.length;
    if (end < 0 || (!template.closeAnywhere && !trimmed.endsWith(template.close))) return undefined;
  }
  const open = template.atStart
    ? (prompt.startsWith(template.open) ? 0 : -1)
    : prompt.lastIndexOf(template.open, end - template.open.length);
  if (open < 0) return undefined;
  const first = open + template.open.length;
  const middle = prompt.indexOf(template.middle, first);
  if (middle < 0 || middle + template.middle.length > end) return undefined;
  return [prompt.slice(first, middle), prompt.slice(middle + template.middle.length, end)];
}

/**
 * Finds the fill-in-the-middle template a client rendered into a plain `prompt` (Continue
 * sends its autocomplete this way, with no `suffix` field) and takes out the code before
 * and after the cursor: the `<fim_prefix>` family (StarCoder, StableCode), `<|fim_prefix|>`
 * (Qwen-Coder, CodeGemma), DeepSeek's `<｜fim▁begin｜>`, Codestral's `[SUFFIX]…[PREFIX]`,
 * CodeLlama's `<PRE> <SUF> <MID>`, CodeGeeX, and the instruction forms (the "HOLE FILLER"
 * `{{FILL_HERE}}` prompt and the `[BLANK]` prompt). `undefined` when the prompt is plain text.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { parseFimPrompt } from "./fim_template.ts";
 * const parts = parseFimPrompt("<fim_prefix>def add(a, b):\n    <fim_suffix>\n<fim_middle>");
 * ok(parts?.prefix === "def add(a, b):\n    " && parts.suffix === "\n");
 * equal(parseFimPrompt("Once upon a time"), undefined);
 * ```
 */
export function parseFimPrompt(prompt: string): FimParts | undefined {
  for (const template of TEMPLATES) {
    const parts = split(prompt, template);
    if (!parts) continue;
    const [prefix, suffix] = template.suffixFirst ? [parts[1], parts[0]] : parts;
    return { prefix, suffix, template: template.name };
  }
  return undefined;
}
