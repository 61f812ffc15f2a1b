import { deepEqual, throws } from "node:assert/strict";
import fc from "fast-check";
import { parsePythonLiteral } from "../../lib/adapters/python_literal.ts";

/** What Python's repr() prints for a JSON-like value. */
function repr(value: unknown): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\n", "\\n")}'`;
  }
  if (Array.isArray(value)) return `[${value.map(repr).join(", ")}]`;
  return `{${Object.entries(value as object).map(([key, item]) => `${repr(key)}: ${repr(item)}`).join(", ")}}`;
}

Deno.test("the legacy API's payloads and Python's repr of any JSON-like value parse back", () => {
  deepEqual(parsePythonLiteral("{'type': 'response', 'data': 'word'}"), { type: "response", data: "word" });
  deepEqual(parsePythonLiteral(`{"type": "citation", 'data': "doc's id", 'n': (1, 2.5e3)}`), {
    type: "citation",
    data: "doc's id",
    n: [1, 2500],
  });
  const values = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.string(),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.string(), tie("value"), { maxKeys: 3 }),
    ),
  })).value;
  fc.assert(fc.property(values, (value) => deepEqual(parsePythonLiteral(repr(value)), value)));
});

Deno.test("nothing is evaluated: code and broken literals are syntax errors", () => {
  for (const text of ["__import__('os').system('true')", "{'a': 1", "{'a' 1}", "'open", "[1, 2]]", "lambda: 1"]) {
    throws(() => parsePythonLiteral(text), SyntaxError, text);
  }
});
