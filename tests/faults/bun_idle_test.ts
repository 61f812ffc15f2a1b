/**
 * Bun closes a connection idle for 10 s by default; the relay turns that off. An answer whose
 * upstream goes silent for 16 s mid-stream must still arrive whole (keep-alives are set longer,
 * so nothing at all is sent meanwhile; Bun checks idleness every few seconds, so a pause of
 * just over 10 s can slip through even with the cut on: 16 s fails with it).
 */
import { equal, match } from "node:assert/strict";
import { bunPath, startProcess } from "../process.ts";

const bun = await bunPath();
if (!bun) console.log("Bun idle test skipped: `npx -y bun@1.4.4` cannot run here.");

Deno.test({
  name: "Bun: a stream silent for 16 s is not cut",
  ignore: !bun,
  async fn() {
    await using relay = await startProcess(bun, ["cli.ts", "--port", "0", "--keepalive-interval", "30"]);
    const response = await fetch(`${relay.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer demo" },
      body: JSON.stringify({
        stream: true,
        messages: [{ role: "user", content: "Hi [[sim pause_after=3 pause_ms=16000]]" }],
      }),
    });
    equal(response.status, 200);
    const body = await response.text();
    match(body, /data: \[DONE\]\n\n$/);
    const text = body.split("\n\n").filter((event) => event.startsWith("data: {"))
      .map((event) => JSON.parse(event.slice(6)).choices[0]?.delta.content ?? "").join("");
    match(text, /You said: Hi$/);
  },
});
