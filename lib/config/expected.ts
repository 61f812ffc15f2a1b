/**
 * What a setting takes, in words, read from its schema: for errors ("must be …") and for
 * the generated help and reference.
 *
 * @module
 */
import { z } from "zod";

/** The part of a JSON Schema node that is put into words. */
interface Node {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: Node;
  additionalProperties?: Node | boolean;
}

/**
 * What `schema` takes, e.g. `an integer from 0 to 65535`, `a number of seconds above 0
 * and up to 86400`, `text or json`, `a list of text`; `unit` names what a number counts.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { z } from "zod";
 * import { expected } from "./expected.ts";
 * equal(expected(z.number().int().min(0).max(65_535).default(8787)), "an integer from 0 to 65535");
 * equal(expected(z.number().positive().max(86_400), "seconds"), "a number of seconds above 0 and up to 86400");
 * equal(expected(z.enum(["debug", "info", "error"])), "debug, info or error");
 * equal(expected(z.array(z.string()).optional()), "a list of text");
 * ```
 */
export function expected(schema: z.ZodType, unit?: string): string {
  return words(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Node, unit);
}

function words(node: Node, unit: string | undefined): string {
  if (node.enum) return alternatives(node.enum.map(String));
  switch (node.type) {
    case "boolean":
      return "true or false";
    case "integer":
      return `an integer${range(node)}${unit ? ` (${unit})` : ""}`;
    case "number":
      return `a number${unit ? ` of ${unit}` : ""}${range(node)}`;
    case "array":
      return `a list of ${plural(node.items ? words(node.items, unit) : "values")}`;
    case "object":
      return typeof node.additionalProperties === "object"
        ? `a map of names to ${plural(words(node.additionalProperties, unit))}`
        : "an object";
    default:
      return "text";
  }
}

function range(given: Node): string {
  // The safe integers' bounds, which every integer has, go without saying.
  const node = {
    ...given,
    minimum: given.minimum !== undefined && given.minimum > Number.MIN_SAFE_INTEGER ? given.minimum : undefined,
    maximum: given.maximum !== undefined && given.maximum < Number.MAX_SAFE_INTEGER ? given.maximum : undefined,
  };
  const low = node.exclusiveMinimum !== undefined ? `above ${node.exclusiveMinimum}` : undefined;
  if (low !== undefined) return node.maximum !== undefined ? ` ${low} and up to ${node.maximum}` : ` ${low}`;
  if (node.minimum !== undefined && node.maximum !== undefined) return ` from ${node.minimum} to ${node.maximum}`;
  if (node.minimum !== undefined) return ` of at least ${node.minimum}`;
  return node.maximum !== undefined ? ` up to ${node.maximum}` : "";
}

/** `a or b`, `a, b or c`. */
function alternatives(items: string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** The words of a list's items, for "a list of …": `an integer` → `integers`, `text` stays. */
function plural(item: string): string {
  const noun = item.replace(/^(an?|one of) /, "");
  return /^(integer|number)\b/.test(noun) ? noun.replace(/^(integer|number)/, "$1s") : noun;
}
