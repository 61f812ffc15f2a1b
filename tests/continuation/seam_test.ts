import { equal } from "node:assert/strict";
import { isInsideFence, Seam } from "../../lib/continuation/seam.ts";

/** Feeds the continuation in small pieces, as a stream would. */
function repair(sent: string, continuation: string, pieceSize = 3): string {
  const seam = new Seam(sent);
  let out = "";
  for (let index = 0; index < continuation.length; index += pieceSize) {
    out += seam.push(continuation.slice(index, index + pieceSize));
  }
  return out + seam.end();
}

Deno.test("a repeated tail is dropped", () => {
  equal(repair("The relay streams tokens from Cody", "streams tokens from Cody to every client"), " to every client");
});

Deno.test("a restarted unfinished line is dropped, even when short", () => {
  equal(repair("Line one.\n  ret", "  return a + b;\n}"), "urn a + b;\n}");
});

Deno.test("short coincidences are kept", () => {
  equal(repair("I like a", "a lot"), "a lot");
  equal(repair("done", "new text"), "new text");
});

Deno.test("whitespace the text already ended with is not doubled", () => {
  equal(repair("Paragraph one.\n\n", "\n\nParagraph two."), "Paragraph two.");
  equal(repair("word", " next"), " next");
});

Deno.test("inside an open fence, a re-opened fence line is dropped", () => {
  const sent = "Here:\n```ts\nconst a = 1;\n";
  equal(repair(sent, "```ts\nconst b = 2;\n```\n"), "const b = 2;\n```\n");
  equal(repair("plain text\n", "```ts\ncode\n```"), "```ts\ncode\n```");
  equal(repair("```ts\nconst value0", "```ts\nconst value0 = 0;\n```"), " = 0;\n```");
});

Deno.test("text passes through unbuffered once it cannot be a repeat", () => {
  const seam = new Seam("abc");
  equal(seam.push("xyz"), "xyz");
  equal(seam.push("more"), "more");
});

Deno.test("fence detection", () => {
  equal(isInsideFence("```\na\n```\n```py\n"), true);
  equal(isInsideFence("no fences"), false);
});
