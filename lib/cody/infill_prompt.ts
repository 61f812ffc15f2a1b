/** A fill-in-the-middle prompt in a code model's own tokens, and the stops that end it. */
export interface InfillPrompt {
  /** The prompt text, sent as the one human message. */
  text: string;
  /** The model's FIM tokens, so it stops rather than writes another file. */
  stops: string[];
}

interface Family {
  matches: RegExp;
  render(prefix: string, suffix: string): string;
  stops: string[];
}

// Token formats as the models' cards give them (and as Continue renders them).
const FAMILIES: Family[] = [
  {
    matches: /deepseek/i,
    render: (prefix, suffix) => `<｜fim▁begin｜>${prefix}<｜fim▁hole｜>${suffix}<｜fim▁end｜>`,
    stops: ["<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", "<|eos_token|>"],
  },
  {
    matches: /qwen.*coder|codegemma/i,
    render: (prefix, suffix) => `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
    stops: ["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|endoftext|>", "<|file_sep|>"],
  },
  {
    matches: /codestral/i,
    render: (prefix, suffix) => `[SUFFIX]${suffix}[PREFIX]${prefix}`,
    stops: ["[PREFIX]", "[SUFFIX]"],
  },
  {
    matches: /codellama/i,
    render: (prefix, suffix) => `<PRE> ${prefix} <SUF>${suffix} <MID>`,
    stops: ["<PRE>", "<SUF>", "<MID>", "<EOT>"],
  },
  {
    matches: /starcoder|stable-?code|santacoder|qwen/i,
    render: (prefix, suffix) => `<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`,
    stops: ["<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<|endoftext|>", "<file_sep>"],
  },
];

/**
 * The FIM prompt for a code-completion model, chosen by its name (e.g. Cody's default
 * `fireworks::v1::deepseek-coder-v2-lite-base` gets DeepSeek's tokens, as Cody's own client
 * sends). `undefined` for models without known FIM tokens: ask those in plain language.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { infillPrompt } from "./infill_prompt.ts";
 * const prompt = infillPrompt("fireworks::v1::deepseek-coder-v2-lite-base", "a(", ")");
 * ok(prompt?.text === "<｜fim▁begin｜>a(<｜fim▁hole｜>)<｜fim▁end｜>");
 * equal(infillPrompt("anthropic::2024-10-22::claude-haiku-4-5-latest", "a(", ")"), undefined);
 * ```
 */
export function infillPrompt(model: string, prefix: string, suffix: string): InfillPrompt | undefined {
  const family = FAMILIES.find((candidate) => candidate.matches.test(model));
  return family && { text: family.render(prefix, suffix), stops: family.stops };
}
