import { z } from "zod";
import { RelayError } from "./errors.ts";

/**
 * A 400 {@link RelayError} from a zod error: names the first offending field (as `param`
 * and in the message) and lists up to three problems.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { z } from "zod";
 * import { validationError } from "./validation.ts";
 * const result = z.object({ n: z.number() }).safeParse({ n: "1" });
 * if (!result.success) equal(validationError(result.error).param, "n");
 * ```
 */
export function validationError(error: z.ZodError): RelayError {
  const problems = error.issues.slice(0, 3).map((issue) => `${fieldPath(issue.path) || "body"}: ${issue.message}`);
  return new RelayError(400, `Invalid request: ${problems.join("; ")}`, {
    param: fieldPath(error.issues[0]?.path ?? []) || undefined,
    code: "invalid_request",
  });
}

function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    "",
  );
}

/**
 * An output budget (`max_tokens` and its kin): a positive integer up to 1,000,000, far
 * beyond any model's output and within every upstream's integer range.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { OutputTokens } from "./validation.ts";
 * ok(OutputTokens.safeParse(4000).success && !OutputTokens.safeParse(1e12).success);
 * ```
 */
export const OutputTokens: z.ZodNumber = z.number().int().positive().max(
  1_000_000,
  "must be at most 1000000 (answers are continued past the upstream's own limit anyway)",
);

/** The longest model id accepted: far beyond any real one, short enough that matching it against a list is cheap. */
export const MAX_MODEL_ID_LENGTH = 256;

/**
 * A model id as a client sends it: a string of at most {@link MAX_MODEL_ID_LENGTH}
 * characters, so an absurd id is a 400 naming `model` before any lookup or matching.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { ModelId } from "./validation.ts";
 * ok(ModelId.safeParse("claude-sonnet-4-5").success && !ModelId.safeParse("x".repeat(300)).success);
 * ```
 */
export const ModelId: z.ZodString = z.string().max(
  MAX_MODEL_ID_LENGTH,
  `must be at most ${MAX_MODEL_ID_LENGTH} characters: no model id is longer`,
);

/** The most stop sequences a request may carry, and the longest one: matching them costs time on every token. */
export const STOP_LIMITS = { count: 64, length: 256 } as const;

/** One stop sequence: at most {@link STOP_LIMITS}`.length` characters. */
export const StopSequence: z.ZodString = z.string().max(
  STOP_LIMITS.length,
  `must be at most ${STOP_LIMITS.length} characters`,
);

/**
 * A list of stop sequences: at most {@link STOP_LIMITS}`.count` of at most
 * {@link STOP_LIMITS}`.length` characters each.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { StopSequences } from "./validation.ts";
 * ok(StopSequences.safeParse(["\n\n", "</s>"]).success);
 * ok(!StopSequences.safeParse(Array(65).fill("x")).success);
 * ```
 */
export const StopSequences: z.ZodArray<z.ZodString> = z.array(StopSequence).max(
  STOP_LIMITS.count,
  `must hold at most ${STOP_LIMITS.count} stop sequences`,
);
