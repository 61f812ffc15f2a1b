/** A prompt's fill-in-the-middle parts, once its template is recognised. */
export interface FimParts {
  /** The code before the cursor. */
  prefix: string;
  /** The code after the cursor. */
  suffix: string;
  /** Which template it was, e.g. `starcoder`, `deepseek`, `hole-filler`. */
  template: string;
}

interface Template {
  name: string;
  /** Captures prefix and suffix (named groups). */
  pattern: RegExp;
}

// Context a template may put before its FIM part (repository snippets, file separators) is
// not code around the cursor: every pattern takes the last occurrence of its opening token.
const TEMPLATES: Template[] = [
  {
    name: "starcoder",
    pattern: /<fim_prefix>(?<prefix>(?:(?!<fim_prefix>)[\s\S])*)<fim_suffix>(?<suffix>[\s\S]*)<fim_middle>\s*$/,
  },
  {
    name: "qwen",
    pattern:
      /<\|fim_prefix\|>(?<prefix>(?:(?!<\|fim_prefix\|>)[\s\S])*)<\|fim_suffix\|>(?<suffix>[\s\S]*)<\|fim_middle\|>\s*$/,
  },
  {
    name: "deepseek",
    pattern:
      /<｜fim▁begin｜>(?<prefix>(?:(?!<｜fim▁begin｜>)[\s\S])*)<｜fim▁hole｜>(?<suffix>[\s\S]*)<｜fim▁end｜>\s*$/,
  },
  { name: "codestral", pattern: /\[SUFFIX\](?<suffix>(?:(?!\[SUFFIX\])[\s\S])*)\[PREFIX\](?<prefix>[\s\S]*)$/ },
  { name: "codellama", pattern: /<PRE> (?<prefix>(?:(?!<PRE> )[\s\S])*) <SUF>(?<suffix>[\s\S]*) <MID>\s*$/ },
  {
    name: "codegeex",
    pattern:
      /<\|code_suffix\|>(?<suffix>(?:(?!<\|code_suffix\|>)[\s\S])*)<\|code_prefix\|>(?<prefix>[\s\S]*)<\|code_middle\|>/,
  },
  {
    // Continue's prompt for chat-model ids (VictorTaelin's AI-scripts): its examples also
    // contain the hole, so only the last <QUERY> block is the user's code.
    name: "hole-filler",
    pattern:
      /<QUERY>\n(?<prefix>(?:(?!<QUERY>)[\s\S])*?)\{\{FILL_HERE\}\}(?<suffix>(?:(?!<QUERY>)[\s\S])*)\n<\/QUERY>(?:(?!<QUERY>)[\s\S])*$/,
  },
  {
    name: "blank",
    pattern:
      /^```\n(?<prefix>[\s\S]*)\[BLANK\](?<suffix>[\s\S]*)\n```\n\nFill in the blank to complete the code block\./,
  },
];

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
 * import { parseFimPrompt } from "./fim_template.ts";
 * const parts = parseFimPrompt("<fim_prefix>def add(a, b):\n    <fim_suffix>\n<fim_middle>");
 * console.assert(parts?.prefix === "def add(a, b):\n    " && parts.suffix === "\n");
 * console.assert(parseFimPrompt("Once upon a time") === undefined);
 * ```
 */
export function parseFimPrompt(prompt: string): FimParts | undefined {
  for (const { name, pattern } of TEMPLATES) {
    const groups = pattern.exec(prompt)?.groups;
    if (groups) return { prefix: groups.prefix, suffix: groups.suffix, template: name };
  }
  return undefined;
}
