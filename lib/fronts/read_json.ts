import { RelayError } from "../hub/errors.ts";

/**
 * The request body parsed as JSON; malformed JSON is a 400 that quotes the parser's
 * complaint (with its position).
 *
 * @example
 * ```ts
 * import { readJson } from "./read_json.ts";
 * const body = await readJson(new Request("http://x", { method: "POST", body: '{"a":1}' }));
 * console.assert((body as { a: number }).a === 1);
 * ```
 */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) {
    throw new RelayError(400, "The request body is empty; expected a JSON object.", { code: "invalid_json" });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RelayError(400, `The request body is not valid JSON: ${reason}`, { code: "invalid_json" });
  }
}
