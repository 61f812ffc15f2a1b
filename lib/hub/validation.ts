import { z } from "zod";
import { RelayError } from "./errors.ts";

/**
 * A 400 {@link RelayError} from a zod error: names the first offending field (as `param`
 * and in the message) and lists up to three problems.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { validationError } from "./validation.ts";
 * const result = z.object({ n: z.number() }).safeParse({ n: "1" });
 * if (!result.success) console.assert(validationError(result.error).param === "n");
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
 * import { OutputTokens } from "./validation.ts";
 * console.assert(OutputTokens.safeParse(4000).success && !OutputTokens.safeParse(1e12).success);
 * ```
 */
export const OutputTokens: z.ZodNumber = z.number().int().positive().max(
  1_000_000,
  "must be at most 1000000 (answers are continued past the upstream's own limit anyway)",
);
