/** Wire-level pitfalls per dialect (clients.md §11): framing, content types, no [DONE] where it does not belong. */
import { equal, ok } from "node:assert/strict";
import { startStack, TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

Deno.test("Anthropic SSE: every event named, its JSON type equal to the name, single-line data, no [DONE]", async () => {
  await using stack = await startStack();
  const response = await fetch(`${stack.relayUrl}/v1/messages?beta=true`, {
    method: "POST",
    headers: { "x-api-key": TOKEN, "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: SONNET, max_tokens: 100, stream: true, messages: [{ role: "user", content: "Hi" }] }),
  });
  equal(response.headers.get("content-type"), "text/event-stream");
  const text = await response.text();
  ok(!text.includes("[DONE]"));
  for (const event of text.split("\n\n").filter(Boolean)) {
    const [name, data, ...rest] = event.split("\n");
    equal(rest.length, 0, event);
    ok(name.startsWith("event: ") && data.startsWith("data: "), event);
    equal(JSON.parse(data.slice(6)).type, name.slice(7));
  }
});

Deno.test("Ollama: application/x-ndjson, one complete JSON object per line, no [DONE]", async () => {
  await using stack = await startStack();
  const response = await fetch(`${stack.relayUrl}/api/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ model: SONNET, messages: [{ role: "user", content: "Hi" }] }),
  });
  equal(response.headers.get("content-type"), "application/x-ndjson");
  const lines = (await response.text()).split("\n");
  equal(lines.pop(), "");
  ok(lines.length > 1);
  const objects = lines.map((line) => JSON.parse(line));
  equal(objects.at(-1).done, true);
});

Deno.test("OpenAI legacy completions SSE: single-line data events ending with [DONE]", async () => {
  await using stack = await startStack();
  const response = await fetch(`${stack.relayUrl}/v1/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ model: "m", prompt: "<fim_prefix>a = <fim_suffix>\n<fim_middle>", stream: true }),
  });
  const events = (await response.text()).split("\n\n").filter(Boolean);
  ok(events.every((event) => event.startsWith("data: ") && !event.includes("\n")));
  equal(events.at(-1), "data: [DONE]");
});
