/**
 * Where a JSON text stops being valid, as `line L column C (position P)`, the same on
 * every runtime (V8 names the position for some mistakes and only quotes a snippet for
 * others). A small recursive scan of the grammar; call it only after `JSON.parse` failed.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { jsonErrorPosition } from "./json_error_position.ts";
 * equal(jsonErrorPosition('{"a": [}'), "line 1 column 8 (position 7)");
 * equal(jsonErrorPosition('{"a": 1'), "line 1 column 8 (position 7)");
 * ```
 */
export function jsonErrorPosition(text: string): string {
  const position = firstInvalid(text);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `line ${line} column ${column} (position ${position})`;
}

/** A JSON number at the sticky position. */
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * The offset of the first character that cannot continue a valid JSON text (its length if
 * it ends too soon). Iterative, with the open arrays and objects on a stack, so any depth
 * of nesting is scanned in one pass.
 */
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
  const key = () => {
    space();
    string();
    space();
    literal(":");
  };
  const open: string[] = [];
  try {
    for (;;) {
      space();
      const char = text[at];
      if (char === "{" || char === "[") {
        at++;
        space();
        if (text[at] !== (char === "{" ? "}" : "]")) {
          open.push(char);
          if (char === "{") key();
          continue;
        }
        at++;
      } else if (char === '"') string();
      else if (char === "t") literal("true");
      else if (char === "f") literal("false");
      else if (char === "n") literal("null");
      else {
        NUMBER.lastIndex = at;
        if (!NUMBER.exec(text)) throw at;
        at = NUMBER.lastIndex;
      }
      // After a value: close what ends here, then a comma starts the next item.
      for (;;) {
        space();
        const container = open.at(-1);
        if (container === undefined) return at;
        if (text[at] !== (container === "{" ? "}" : "]")) break;
        at++;
        open.pop();
      }
      literal(",");
      if (open.at(-1) === "{") key();
    }
  } catch (position) {
    return position as number;
  }
}
