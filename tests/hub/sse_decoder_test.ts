import { deepEqual } from "node:assert/strict";
import { type SseAnswer, SseDecoder } from "../../lib/hub/sse_decoder.ts";

/** A decoder whose answer emits each message's data as text (joined per read by the decoder). */
function dataDecoder(): SseDecoder {
  return new SseDecoder((emit): SseAnswer => ({
    ended: false,
    accept(message) {
      emit({ type: "text", text: `[${message.data}]` });
    },
    end() {},
  }));
}

/** The text of the events each read gave. */
function textsOf(decoder: SseDecoder, reads: Uint8Array[]): string[] {
  return reads.map((read) => decoder.push(read).map((event) => event.type === "text" ? event.text : "").join(""));
}

const utf8 = (text: string) => new TextEncoder().encode(text);

Deno.test("a character cut between reads is whole, whether the next read ends in ASCII or inside another", () => {
  const bytes = utf8("data: Grüße 🙂\n\ndata: ✓\n\n");
  const at = bytes.indexOf(0x9f); // inside the emoji's four bytes
  const inUmlaut = bytes.indexOf(0xbc); // the second byte of ü
  const decoder = dataDecoder();
  deepEqual(
    textsOf(decoder, [bytes.subarray(0, inUmlaut), bytes.subarray(inUmlaut, at), bytes.subarray(at)]),
    ["", "", "[Grüße 🙂][✓]"],
  );
});

Deno.test("one byte order mark leading the stream is dropped; one that starts a later read is text", () => {
  const decoder = dataDecoder();
  const reads = [utf8("\ufeffdata: a\n\n"), utf8("data: b"), utf8("\ufeff c\n\n")];
  deepEqual(textsOf(decoder, reads), ["[a]", "", "[b\ufeff c]"]);
});
