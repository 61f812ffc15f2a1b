/**
 * Structured output for models without a JSON mode: the instruction that asks for it.
 *
 * @module
 */
import type { RelayResponseFormat } from "./request.ts";

/** How a JSON-only answer is asked of a model without a JSON mode; the simulator reads the first sentence. */
export const JSON_INSTRUCTION = "Reply with only a JSON value: no code fence, no text before or after it.";

/**
 * The system instruction for a structured-output request: JSON only, matching the schema
 * when there is one.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { JSON_INSTRUCTION, jsonInstruction } from "./json_instruction.ts";
 * ok(jsonInstruction({ type: "json", schema: { type: "object" } }).startsWith(JSON_INSTRUCTION));
 * ```
 */
export function jsonInstruction(format: RelayResponseFormat): string {
  return format.schema
    ? `${JSON_INSTRUCTION} It must match this JSON Schema:\n${JSON.stringify(format.schema)}`
    : JSON_INSTRUCTION;
}
