import { RelayError } from "../hub/errors.ts";
import { jsonErrorPosition } from "../hub/json_error_position.ts";
import { concatBytes } from "./concat_bytes.ts";

/** The request body limit used where none is given: 10 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * How deep a request body's objects and arrays may nest: far more than any tool schema
 * needs, and far less than what would exhaust the stack of code that walks a body's parts
 * (a schema converted for an upstream, keys renamed).
 */
const MAX_JSON_DEPTH = 128;

/**
 * The request body parsed as JSON. A body over `maxBytes` is a 413 (checked on
 * `content-length` first, then while reading, so a chunked upload cannot slip past);
 * malformed JSON is a 400 that names where it breaks (line, column, position), and so is
 * one that nests deeper than {@link MAX_JSON_DEPTH}.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { readJson } from "./read_json.ts";
 * import type { RelayError } from "../hub/errors.ts";
 * const body = await readJson(new Request("http://x", { method: "POST", body: '{"a":1}' }));
 * equal((body as { a: number }).a, 1);
 * const tooBig = new Request("http://x", { method: "POST", body: "[1,2,3]" });
 * const status = await readJson(tooBig, 4).then(() => 200, (error: RelayError) => error.status);
 * equal(status, 413);
 * const deep = new Request("http://x", { method: "POST", body: "[".repeat(200) + "]".repeat(200) });
 * equal(await readJson(deep).then(() => 200, (error: RelayError) => error.status), 400);
 * ```
 */
export async function readJson(request: Request, maxBytes: number = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const text = await readText(request, maxBytes);
  if (!text.trim()) {
    throw new RelayError(400, "The request body is empty; expected a JSON object.", { code: "invalid_json" });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RelayError(400, `The request body is not valid JSON: it breaks at ${jsonErrorPosition(text)}.`, {
      code: "invalid_json",
    });
  }
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new RelayError(
      400,
      `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; the relay reads no deeper.`,
      { code: "invalid_json" },
    );
  }
  return body;
}

/** Whether objects and arrays in `value` nest more than `limit` levels deep (walked without recursion, strings skipped). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: object[] = typeof value === "object" && value !== null ? [value] : [];
  const depths: number[] = [1];
  while (pending.length) {
    const node = pending.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === "object" && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

const utf8 = new TextDecoder();

async function readText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new RelayError(413, `The request body is larger than the relay's limit of ${maxBytes} bytes (--max-body-bytes).`, {
      code: "request_too_large",
    });
  const declared = request.headers.get("content-length");
  if (Number(declared) > maxBytes) {
    await request.body?.cancel();
    throw tooLarge();
  }
  if (declared !== null && /^\d+$/.test(declared.trim())) {
    // A declared length within the limit bounds what HTTP framing reads: read it at once (and check, for in-process
    // requests). Not through `request.body`: on Deno that getter builds a stream the request then keeps (about a
    // kilobyte for as long as the answer streams), and a request without a body reads as empty all the same.
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > maxBytes) throw tooLarge();
    return utf8.decode(bytes);
  }
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return utf8.decode(concatBytes(chunks));
}
