import { deepEqual, equal } from "node:assert/strict";
import { parseFimPrompt } from "../../lib/fronts/fim_template.ts";

const PREFIX = "function add(a: number, b: number) {\n  ";
const SUFFIX = "\n}\n";

// Prompts as Continue's AutocompleteTemplate.ts renders them (core/autocomplete/templating).
const RENDERED: Record<string, string> = {
  starcoder: `<file_sep>snippet.ts\nconst other = 1;<file_sep><fim_prefix>${PREFIX}<fim_suffix>${SUFFIX}<fim_middle>`,
  qwen: `<|fim_prefix|>${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`,
  deepseek: `<｜fim▁begin｜>${PREFIX}<｜fim▁hole｜>${SUFFIX}<｜fim▁end｜>`,
  codestral: `[SUFFIX]${SUFFIX}[PREFIX]+++++ src/add.ts\n${PREFIX}`,
  codellama: `<PRE> ${PREFIX} <SUF>${SUFFIX} <MID>`,
  codegeex:
    `<|user|>\n###PATH:add.ts\n###LANGUAGE:ts\n###MODE:BLOCK\n<|code_suffix|>${SUFFIX}<|code_prefix|>${PREFIX}` +
    `<|code_middle|><|assistant|>\n`,
  "hole-filler": "You are a HOLE FILLER. …\n\n<QUERY>\nfunction sum_evens(lim) {\n    {{FILL_HERE}}\n}\n</QUERY>\n\n" +
    "## CORRECT COMPLETION\n\n<COMPLETION>if (i % 2 === 0) {}</COMPLETION>\n\n" +
    `<QUERY>\n${PREFIX}{{FILL_HERE}}${SUFFIX}\n</QUERY>\nTASK: Fill the {{FILL_HERE}} hole. Answer only with the ` +
    "CORRECT completion, and NOTHING ELSE. Do it now.\n<COMPLETION>",
  blank: "```\n" + `${PREFIX}[BLANK]${SUFFIX}` +
    "\n```\n\nFill in the blank to complete the code block. Your response " +
    "should include only the code to replace [BLANK], without surrounding backticks.",
};

for (const [template, prompt] of Object.entries(RENDERED)) {
  Deno.test(`parseFimPrompt takes prefix and suffix out of the ${template} template`, () => {
    const parts = parseFimPrompt(prompt);
    equal(parts?.template, template);
    equal(parts.suffix, SUFFIX);
    // Codestral's multi-file form keeps the file header Continue puts in the prefix.
    equal(parts.prefix, template === "codestral" ? `+++++ src/add.ts\n${PREFIX}` : PREFIX);
  });
}

Deno.test("parseFimPrompt leaves plain prompts alone", () => {
  equal(parseFimPrompt("Write a poem about <fim_prefix> tokens"), undefined);
  equal(parseFimPrompt("Once upon a time"), undefined);
});

Deno.test("parseFimPrompt keeps an empty suffix and unicode intact", () => {
  deepEqual(parseFimPrompt("<fim_prefix>const s = '🦕<fim_suffix><fim_middle>"), {
    prefix: "const s = '🦕",
    suffix: "",
    template: "starcoder",
  });
});
