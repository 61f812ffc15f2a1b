/**
 * Where a JSON text stops being valid, as `line L column C (position P)`, the same on
 * every runtime (V8 names the position for some mistakes and only quotes a snippet for
 * others). A small recursive scan of the grammar; call it only after `JSON.parse` failed.
 *
 * @example
 * ```ts
 * import { jsonErrorPosition } from "./json_error_position.ts";
 * console.assert(jsonErrorPosition('{"a": [}') === "line 1 column 8 (position 7)");
 * console.assert(jsonErrorPosition('{"a": 1') === "line 1 column 8 (position 7)");
 * ```
 */
export function jsonErrorPosition(text: string): string {
  const position = firstInvalid(text);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `line ${line} column ${column} (position ${position})`;
}

/** The offset of the first character that cannot continue a valid JSON text (its length if it ends too soon). */
function firstInvalid(text: string): number {
  let at = 0;
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) throw at;
      at++;
    }
  };
  const string = () => {
    literal('"');
    while (text[at] !== '"') {
      if (at >= text.length || text.charCodeAt(at) < 0x20) throw at;
      if (text[at] === "\\") {
        at++;
        if (text[at] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) throw at;
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? "x")) throw at;
      }
      at++;
    }
    at++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) throw at;
    at += match[0].length;
  };
  const sequence = (close: string, item: () => void) => {
    at++;
    space();
    if (text[at] === close) return void at++;
    for (;;) {
      item();
      space();
      if (text[at] === close) return void at++;
      literal(",");
      space();
    }
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") {
      return sequence("}", () => {
        string();
        space();
        literal(":");
        value();
      });
    }
    if (char === "[") return sequence("]", value);
    if (char === '"') return string();
    if (char === "t") return literal("true");
    if (char === "f") return literal("false");
    if (char === "n") return literal("null");
    number();
  };
  try {
    value();
    space();
    return at;
  } catch (position) {
    return position as number;
  }
}
