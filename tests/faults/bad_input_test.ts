/** Client mistakes in every dialect: a 400 in that dialect's shape that names the field (or the unsupported feature). */
import { equal, match } from "node:assert/strict";
import { TOKEN } from "../harness.ts";
import { faultStack, MODEL } from "./helpers.ts";

const user = [{ role: "user", content: "x" }];
const CASES: [string, unknown, RegExp][] = [
  ["/v1/chat/completions", { model: MODEL, messages: [] }, /messages: must contain at least one message/],
  ["/v1/chat/completions", { model: MODEL, messages: [{ role: "wizard", content: "x" }] }, /messages\[0\]\.role/],
  ["/v1/chat/completions", { model: MODEL, n: 2, messages: user }, /n: only n = 1 is supported/],
  ["/v1/chat/completions", { model: MODEL, max_tokens: -1, messages: user }, /max_tokens: Too small/],
  ["/v1/chat/completions", { model: MODEL, max_tokens: "ten", messages: user }, /max_tokens: .*expected number/],
  ["/v1/chat/completions", { model: MODEL, max_tokens: 1e12, messages: user }, /max_tokens: must be at most 1000000/],
  ["/v1/chat/completions", { model: 5, messages: user }, /model: .*expected string/],
  ["/v1/completions", { model: MODEL, prompt: "x", n: 3 }, /n: only n = 1/],
  ["/v1/messages", { model: MODEL, max_tokens: 0, messages: user }, /max_tokens: Too small/],
  [
    "/v1/messages",
    { model: MODEL, max_tokens: 10, messages: [{ role: "system", content: "x" }] },
    /messages\[0\]\.role/,
  ],
  ["/api/chat", { model: MODEL, messages: [{ role: "wizard", content: "x" }] }, /messages\[0\]\.role/],
  ["/api/chat", { model: MODEL, messages: user, options: { num_predict: "x" } }, /options\.num_predict/],
  ["/api/generate", { model: MODEL, prompt: 5 }, /prompt: .*expected string/],
  ["/completion", { prompt: "x", n_predict: "lots" }, /n_predict: .*expected number/],
];

Deno.test("bad input: 400s naming the field, in each endpoint's error shape", async () => {
  await using stack = await faultStack();
  for (const [path, body, expected] of CASES) {
    const response = await fetch(`${stack.relayUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "anthropic-version": "2023-06-01" },
      body: JSON.stringify(body),
    });
    equal(response.status, 400, `${path} ${JSON.stringify(body)}`);
    const error = (await response.json()).error;
    match(typeof error === "string" ? error : error.message, expected, path);
  }
});

Deno.test("a conversation without a user turn names the dialect's own field: input, contents, messages", async () => {
  await using stack = await faultStack();
  const post = (path: string, body: unknown) =>
    fetch(`${stack.relayUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const responses = await post("/v1/responses", { model: MODEL, input: [] });
  equal(responses.status, 400);
  const { error } = await responses.json();
  equal(error.param, "input");
  match(error.message, /at least one user message/);
  const gemini = await post(`/v1beta/models/${MODEL}:generateContent`, { contents: [{ parts: [{ text: "" }] }] });
  equal(gemini.status, 400);
  const violations = (await gemini.json()).error.details[0].fieldViolations;
  equal(violations[0].field, "contents");
  const chat = await post("/v1/chat/completions", { model: MODEL, messages: [{ role: "assistant", content: "x" }] });
  equal(chat.status, 400);
  equal((await chat.json()).error.param, "messages");
});
