/**
 * Gemini's schemas → JSON Schema. Function `parameters` and `responseSchema` are Google's
 * OpenAPI subset (`type: "OBJECT"`, `nullable`, `propertyOrdering`, counts as int64
 * strings); `parametersJsonSchema` and `responseJsonSchema` are JSON Schema, though clients
 * write upper-case types there too (Gemini CLI does).
 *
 * @module
 */

type Schema = Record<string, unknown>;

/** Keywords whose value is one schema. */
const ONE = ["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"];
/** Keywords whose value is a list of schemas. */
const MANY = ["anyOf", "oneOf", "allOf", "prefixItems"];
/** Keywords whose value maps names to schemas. */
const MAPS = ["properties", "$defs", "definitions", "patternProperties"];
/** OpenAPI counts that arrive as strings (int64 in proto JSON). */
const COUNTS = ["minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"];

/**
 * A Gemini schema as JSON Schema: type names in lower case (`TYPE_UNSPECIFIED` dropped),
 * `nullable: true` as a `"null"` type, `propertyOrdering` dropped, `example` as `examples`,
 * int64 strings of the count keywords as numbers, and the same for every nested schema.
 * JSON Schema passes through unchanged.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { toJsonSchema } from "./schema.ts";
 * deepEqual(
 *   toJsonSchema({ type: "OBJECT", properties: { n: { type: "INTEGER", nullable: true } }, propertyOrdering: ["n"] }),
 *   { type: "object", properties: { n: { type: ["integer", "null"] } } },
 * );
 * ```
 */
export function toJsonSchema(schema: Schema): Schema {
  const result: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "propertyOrdering" || key === "nullable") continue;
    if (key === "type") {
      const type = typeName(value);
      if (type !== undefined) result.type = type;
    } else if (key === "example") {
      result.examples = [value];
    } else if (COUNTS.includes(key) && typeof value === "string" && /^\d+$/.test(value)) {
      result[key] = Number(value);
    } else if (ONE.includes(key) && isSchema(value)) {
      result[key] = toJsonSchema(value);
    } else if (MANY.includes(key) && Array.isArray(value)) {
      result[key] = value.map((item) => isSchema(item) ? toJsonSchema(item) : item);
    } else if (MAPS.includes(key) && isSchema(value)) {
      result[key] = Object.fromEntries(
        Object.entries(value).map(([name, item]) => [name, isSchema(item) ? toJsonSchema(item) : item]),
      );
    } else {
      result[key] = value;
    }
  }
  if (schema.nullable === true && typeof result.type === "string") result.type = [result.type, "null"];
  return result;
}

function typeName(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(typeName);
  if (typeof value !== "string") return value;
  return value === "TYPE_UNSPECIFIED" ? undefined : value.toLowerCase();
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
