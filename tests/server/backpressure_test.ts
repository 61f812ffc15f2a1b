/**
 * A client that stops reading holds the upstream back: the relay takes no more from the
 * upstream once a bounded amount waits for the client, and the whole answer arrives when
 * the client reads again. The upstream body is a pull stream that counts what was taken
 * (over sockets, megabytes of kernel buffers would hide whether the relay stopped); the
 * push path's `pause` on a real socket is tested in `tests/transport/http1_connections_test.ts`.
 */
import { equal, ok } from "node:assert/strict";
import { OpenAICompatibleUpstream } from "../../lib/openai_compatible/upstream.ts";
import { createApp } from "../../lib/server/app.ts";

/** Deltas the upstream offers: 8 MB of text. */
const DELTAS = 40_000;
const DELTA = "x".repeat(200);

/** An OpenAI-style answer of {@link DELTAS} deltas, made as it is read, counting the text taken. */
function floodingAnswer(taken: { text: number }): Response {
  const encoder = new TextEncoder();
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${
      JSON.stringify({
        id: "c",
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta, finish_reason: finish }],
      })
    }\n\n`;
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index === DELTAS) {
        controller.enqueue(encoder.encode(chunk({}, "stop") + "data: [DONE]\n\n"));
        return controller.close();
      }
      // 20 deltas per chunk, as a network read of a fast upstream brings several.
      let text = "";
      for (let count = 0; count < 20 && index < DELTAS; count++, index++) {
        text += chunk({ content: DELTA });
        taken.text += DELTA.length;
      }
      controller.enqueue(encoder.encode(text));
    },
  }, { highWaterMark: 0 });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

Deno.test("a client that stops reading pauses the upstream; reading again brings the whole answer", async () => {
  const taken = { text: 0 };
  const app = createApp({
    upstream: new OpenAICompatibleUpstream({
      baseUrl: "http://upstream.invalid/v1",
      apiKey: "sk-test",
      fetch: () => Promise.resolve(floodingAnswer(taken)),
    }),
  });
  const response = await app.fetch(
    new Request("http://relay/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "flood" }], stream: true }),
    }),
  );
  equal(response.status, 200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let received = (await reader.read()).value ?? "";
  await new Promise((resolve) => setTimeout(resolve, 300));
  ok(
    taken.text < 256 * 1024,
    `the relay stopped taking from the upstream while the client read nothing: ${taken.text} of ${
      DELTAS * DELTA.length
    } bytes of text taken`,
  );
  for (let read = await reader.read(); !read.done; read = await reader.read()) received += read.value;
  ok(received.endsWith("data: [DONE]\n\n"));
  const text = [...received.matchAll(/"content":"(x+)"/g)].reduce((length, [, run]) => length + run.length, 0);
  equal(text, DELTAS * DELTA.length, "every delta reached the client");
});
