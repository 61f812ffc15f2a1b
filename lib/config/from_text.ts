/**
 * A flag's or environment variable's text as the value its setting's schema checks.
 *
 * @module
 */
import type { ZodType } from "zod";
import { valueKind } from "./value_kind.ts";

/** Words for true and false, as environment variables write them. */
const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

/**
 * `text` read for `schema`: a number for a number (if it is one, else the text, which the
 * schema then refuses), `true`/`false` for a boolean (`1`, `yes`, `on`, `0`, `no`, `off`
 * too), a list of the comma-separated items for a list, the trimmed text otherwise.
 * Blank text is `undefined`: an empty variable is an unset one.
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { z } from "zod";
 * import { fromText } from "./from_text.ts";
 * equal(fromText("8787", z.number().int()), 8787);
 * equal(fromText("http", z.number().int()), "http");
 * equal(fromText("yes", z.boolean().optional()), true);
 * deepEqual(fromText("a, b,", z.array(z.string())), ["a", "b"]);
 * equal(fromText("  ", z.string()), undefined);
 * ```
 */
export function fromText(text: string, schema: ZodType): unknown {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  switch (valueKind(schema)) {
    case "integer":
    case "number":
      return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
    case "boolean":
      return TRUE.test(trimmed) ? true : FALSE.test(trimmed) ? false : trimmed;
    case "list":
      return trimmed.split(",").map((item) => item.trim()).filter(Boolean);
    default:
      return trimmed;
  }
}
