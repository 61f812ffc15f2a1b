import type { RelayRequest } from "./request.ts";

/** Where the answer goes in {@link infillInstruction}. */
export const HOLE = "{{FILL_HERE}}";

/**
 * A plain-language fill-in-the-middle prompt, for models without FIM tokens (chat models):
 * the code with a {@link HOLE} marker, and the rule to answer with only what replaces it.
 * With nothing after the cursor it is a plain continuation: a prompt without a suffix is
 * text to continue, whichever dialect sent it.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { HOLE, infillInstruction } from "./infill.ts";
 * const prompt = infillInstruction("const x = ", ";\n");
 * ok(prompt.includes(`const x = ${HOLE};`));
 * ok(infillInstruction("The quick brown fox", "").endsWith("\n\nThe quick brown fox"));
 * ```
 */
export function infillInstruction(prefix: string, suffix: string): string {
  if (!suffix) {
    return "Continue the text below from exactly where it stops. Reply with only what comes next, with the spacing " +
      `it needs: no explanation, no code fence, and nothing of the text itself.\n\n${prefix}`;
  }
  return `Fill the ${HOLE} hole in the code below. Reply with only the text that replaces ${HOLE}, ` +
    `with the indentation it needs: no explanation, no code fence, and nothing of the code around it.\n\n` +
    `${prefix}${HOLE}${suffix}`;
}

/**
 * A fill-in-the-middle request as a chat request: its prefix and suffix become one user
 * message with {@link infillInstruction}; everything else (model, budget, stops) is kept.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { infillAsChat } from "./infill.ts";
 * const chat = infillAsChat({ messages: [], infill: { prefix: "a", suffix: "c" }, maxTokens: 64 });
 * ok(chat.messages.length === 1 && chat.infill === undefined && chat.maxTokens === 64);
 * ```
 */
export function infillAsChat(request: RelayRequest): RelayRequest {
  const { infill, ...rest } = request;
  if (!infill) return request;
  return {
    ...rest,
    messages: [
      ...rest.messages,
      { role: "user", parts: [{ type: "text", text: infillInstruction(infill.prefix, infill.suffix) }] },
    ],
  };
}
