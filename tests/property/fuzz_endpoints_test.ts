/**
 * Every endpoint, fuzzed: arbitrary JSON, request-shaped JSON with arbitrary fields, the
 * same nested hundreds to thousands of levels deep, and arbitrary bytes. The relay must
 * never crash, never answer 5xx for a client's mistake, and always answer errors in the
 * endpoint's own dialect.
 */
import { ok } from "node:assert/strict";
import fc from "fast-check";
import { CodyUpstream } from "../../lib/cody/upstream.ts";
import { jsonErrorPosition } from "../../lib/hub/json_error_position.ts";
import { createApp } from "../../lib/server/app.ts";
import { createSimulator } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";

type Shape = "openai" | "anthropic" | "ollama" | "llamacpp" | "gemini";

const ENDPOINTS: [string, Shape][] = [
  ["/v1/chat/completions", "openai"],
  ["/v1/completions", "openai"],
  ["/v1/fim/completions", "openai"],
  ["/v1/messages", "anthropic"],
  ["/v1/messages/count_tokens", "anthropic"],
  ["/v1/responses", "openai"],
  ["/v1/responses/input_tokens", "openai"],
  ["/api/chat", "ollama"],
  ["/api/generate", "ollama"],
  ["/api/show", "ollama"],
  ["/completion", "llamacpp"],
  ["/infill", "llamacpp"],
  ["/v1beta/models/anthropic::2024-10-22::claude-sonnet-4-latest:generateContent", "gemini"],
  ["/v1beta/models/anthropic::2024-10-22::claude-sonnet-4-latest:countTokens", "gemini"],
];

const relay = createApp({
  upstream: new CodyUpstream({
    endpoint: "http://simulator.invalid",
    fetch: createSimulator({ accessTokens: [TOKEN], recordRequests: false }).fetch,
  }),
  maxContinuations: 0,
  retry: { maxRetries: 0 },
});

/** Whether `body` is an error in `shape`'s format, with a message. */
function isDialectError(shape: Shape, body: unknown): boolean {
  const value = body as Record<string, unknown> | null;
  if (!value || typeof value !== "object") return false;
  const error = value.error as Record<string, unknown> | undefined;
  switch (shape) {
    case "openai":
      return typeof error?.message === "string" && typeof error.type === "string";
    case "anthropic":
      return value.type === "error" && typeof error?.message === "string" && typeof error.type === "string";
    case "ollama":
      return typeof value.error === "string" && value.error.length > 0;
    case "llamacpp":
      return typeof error?.message === "string" && typeof error.code === "number";
    case "gemini":
      return typeof error?.message === "string" && typeof error.code === "number" && typeof error.status === "string";
  }
}

async function check(path: string, shape: Shape, body: BodyInit): Promise<void> {
  const response = await relay.fetch(
    new Request(`http://relay${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body,
    }),
  );
  const text = await response.text();
  ok(
    response.status < 500,
    `${path} answered ${response.status} to ${String(body).slice(0, 300)}: ${text.slice(0, 300)}`,
  );
  if (response.status >= 400) {
    ok(isDialectError(shape, JSON.parse(text)), `${path} ${response.status} is not a ${shape} error: ${text}`);
  }
}

/** Request-like bodies: the fields real requests have, with arbitrary values. */
const requestLike = fc.record({
  model: fc.oneof(fc.constant("anthropic::2024-10-22::claude-sonnet-4-latest"), fc.jsonValue()),
  messages: fc.oneof(
    fc.array(
      fc.record({
        role: fc.oneof(fc.constantFrom("user", "assistant", "system", "tool"), fc.string()),
        content: fc.oneof(fc.string(), fc.jsonValue()),
      }, { requiredKeys: [] }),
      { maxLength: 3 },
    ),
    fc.jsonValue(),
  ),
  prompt: fc.oneof(fc.string(), fc.jsonValue()),
  input: fc.oneof(
    fc.string(),
    fc.array(
      fc.record({
        type: fc.oneof(fc.constantFrom("message", "function_call", "function_call_output", "reasoning"), fc.string()),
        role: fc.oneof(fc.constantFrom("user", "assistant", "developer"), fc.string()),
        content: fc.oneof(fc.string(), fc.jsonValue()),
        call_id: fc.jsonValue(),
        output: fc.jsonValue(),
      }, { requiredKeys: [] }),
      { maxLength: 3 },
    ),
    fc.jsonValue(),
  ),
  suffix: fc.jsonValue(),
  max_tokens: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.jsonValue()),
  n: fc.jsonValue(),
  stream: fc.oneof(fc.boolean(), fc.jsonValue()),
  temperature: fc.jsonValue(),
  stop: fc.jsonValue(),
  tools: fc.jsonValue(),
  contents: fc.jsonValue(),
}, { requiredKeys: [] });

/** A request-like body with one of its fields (or the whole of it) nested `depth` levels further down. */
const deeplyNested = fc.tuple(
  requestLike,
  fc.constantFrom("tools", "messages", "input", "contents", "prompt", ""),
  fc.integer({ min: 100, max: 3000 }),
  fc.boolean(),
).map(([body, field, depth, inArrays]) => {
  let value: unknown = field ? body[field as keyof typeof body] ?? {} : body;
  for (let level = 0; level < depth; level++) value = inArrays ? [value] : { properties: value };
  return field ? { ...body, [field]: value } : value;
});

for (const [path, shape] of ENDPOINTS) {
  Deno.test(`fuzz ${path}: arbitrary, request-like and deeply nested JSON and bytes never crash it or get a 5xx`, async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), (value) => check(path, shape, JSON.stringify(value))), {
      numRuns: 60,
    });
    await fc.assert(fc.asyncProperty(requestLike, (value) => check(path, shape, JSON.stringify(value))), {
      numRuns: 120,
    });
    await fc.assert(fc.asyncProperty(deeplyNested, (value) => check(path, shape, JSON.stringify(value))), {
      numRuns: 20,
    });
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), (bytes) => check(path, shape, bytes)), {
      numRuns: 60,
    });
  });
}

Deno.test("jsonErrorPosition agrees with JSON.parse: a valid text scans to its end, an invalid one stops inside it", () => {
  fc.assert(fc.property(fc.json(), (text) => jsonErrorPosition(text).endsWith(`(position ${text.length})`)));
  fc.assert(fc.property(fc.json(), fc.nat(), fc.string({ minLength: 1, maxLength: 3 }), (text, at, junk) => {
    const cut = at % (text.length + 1);
    const broken = text.slice(0, cut) + junk + text.slice(cut);
    let valid = true;
    try {
      JSON.parse(broken);
    } catch {
      valid = false;
    }
    const position = Number(/position (\d+)\)$/.exec(jsonErrorPosition(broken))![1]);
    ok(valid ? position === broken.length : position <= broken.length, `${broken} → ${position}`);
  }));
});
