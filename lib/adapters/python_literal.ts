/**
 * Parses a Python literal (what `str()` of a dict prints: `{'type': 'response', 'data': 'word'}`)
 * into a JSON value, safely: a small recursive parser of dicts, lists, tuples, strings in
 * either quote with escapes, numbers, `True`, `False` and `None`. Nothing is evaluated.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parsePythonLiteral } from "./python_literal.ts";
 * const value = parsePythonLiteral("{'type': 'response', 'data': 'it\\'s', 'n': 3, 'ok': True, 'x': None}");
 * equal(JSON.stringify(value), '{"type":"response","data":"it\'s","n":3,"ok":true,"x":null}');
 * ```
 */
export function parsePythonLiteral(text: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`not a Python literal: ${what} at position ${at} of ${JSON.stringify(text.slice(0, 120))}`);
  };
  const space = () => {
    while (at < text.length && " \t\r\n".includes(text[at])) at++;
  };
  const expect = (char: string) => {
    space();
    if (text[at] !== char) fail(`expected ${JSON.stringify(char)}`);
    at++;
  };
  const string = (): string => {
    const quote = text[at++];
    let value = "";
    while (text[at] !== quote) {
      if (at >= text.length) fail("unterminated string");
      if (text[at] !== "\\") {
        value += text[at++];
        continue;
      }
      const escape = text[at + 1];
      at += 2;
      if (escape === "u" || escape === "x") {
        const width = escape === "u" ? 4 : 2;
        const hex = text.slice(at, at + width);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) fail("bad escape");
        value += String.fromCharCode(parseInt(hex, 16));
        at += width;
      } else {
        value += ({ n: "\n", t: "\t", r: "\r", "0": "\0" } as Record<string, string>)[escape] ?? escape;
      }
    }
    at++;
    return value;
  };
  const sequence = (close: string, item: () => void) => {
    at++;
    space();
    while (text[at] !== close) {
      item();
      space();
      if (text[at] === ",") {
        at++;
        space();
      } else if (text[at] !== close) fail(`expected "," or ${JSON.stringify(close)}`);
    }
    at++;
  };
  const value = (): unknown => {
    space();
    const char = text[at];
    if (char === "{") {
      const object: Record<string, unknown> = {};
      sequence("}", () => {
        const key = value();
        expect(":");
        object[String(key)] = value();
      });
      return object;
    }
    if (char === "[" || char === "(") {
      const list: unknown[] = [];
      sequence(char === "[" ? "]" : ")", () => list.push(value()));
      return list;
    }
    if (char === "'" || char === '"') return string();
    for (const [word, literal] of [["True", true], ["False", false], ["None", null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return literal;
      }
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!number) fail("unexpected character");
    at += number![0].length;
    return Number(number![0]);
  };
  const result = value();
  space();
  if (at < text.length) fail("trailing characters");
  return result;
}
