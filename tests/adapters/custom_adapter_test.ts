/**
 * A custom adapter in a few dozen lines, as an embedder writes one: a JSON completion API
 * with its key from a command, a parameter schema, a refusing `setup`, `onExit` and
 * `teardown`; driven through the relay by the openai client.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { z } from "zod";
import type { UpstreamAdapter } from "../../lib/adapters/adapter.ts";
import { AdapterUpstream } from "../../lib/adapters/adapter_upstream.ts";
import { RelayError } from "../../lib/hub/errors.ts";
import { createApp } from "../../lib/server/app.ts";
import { serve } from "../../lib/server/serve.ts";

const torndown: string[] = [];

/** The API: `POST /complete {prompt, options}` with `x-api-key`, answering `{text, tokens}` or `{error}`. */
function completionAdapter(url: string): UpstreamAdapter {
  return {
    name: "acme-complete",
    url: `${url}/complete`,
    headers: { "x-api-key": "${api_key}" },
    env: { api_key: "cmd:printf acme-key-42" },
    cachedEnv: ["api_key"],
    schema: {
      model: { type: z.string(), from: "model", default: "acme-small", choices: ["acme-small", "acme-large"] },
      max_tokens: { type: z.number().int().max(512), from: "maxTokens", default: 128, mapping: "body.options" },
    },
    capabilities: { streaming: false, tools: false, vision: false, fim: false, thinking: false },
    handlers: {
      setup(context) {
        if (context.request.messages.length > 8) throw new RelayError(400, "acme-complete takes 8 messages at most");
      },
      buildMessages: (messages) => ({
        prompt: messages.map((message) => message.parts.map((part) => part.type === "text" ? part.text : "").join(""))
          .join("\n"),
      }),
      parseBody: (body) => {
        const { text, tokens } = body as { text: string; tokens: [number, number] };
        return [
          { type: "text", text },
          { type: "usage", usage: { promptTokens: tokens[0], completionTokens: tokens[1] } },
          { type: "finish", reason: "stop" },
        ];
      },
      onExit: (exit) => new RelayError(exit.status === 402 ? 429 : 502, `acme: ${JSON.parse(exit.body).error}`),
      teardown: (context) => void torndown.push(String(context.params.model)),
    },
  };
}

Deno.test("a custom adapter: key from a command in a header, schema into the body, parseBody, onExit, setup, teardown", async () => {
  const seen: { key: string | null; body: Record<string, unknown> }[] = [];
  const api = await serve({
    port: 0,
    async fetch(request) {
      const body = await request.json();
      seen.push({ key: request.headers.get("x-api-key"), body });
      if (body.prompt.includes("broke")) return Response.json({ error: "out of credit" }, { status: 402 });
      return Response.json({ text: `echo: ${body.prompt}`, tokens: [3, 2] });
    },
  });
  const upstream = new AdapterUpstream(completionAdapter(api.url));
  const relay = await serve({ fetch: createApp({ upstream, retry: { maxRetries: 0 } }).fetch, port: 0 });
  const openai = new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "unused", maxRetries: 0 });
  try {
    const answer = await openai.chat.completions.create({
      model: "acme-large",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 64,
    });
    equal(answer.choices[0].message.content, "echo: hello");
    deepEqual(answer.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    deepEqual(seen[0], {
      key: "acme-key-42",
      body: { model: "acme-large", options: { max_tokens: 64 }, prompt: "hello" },
    });
    const streamed = await Array.fromAsync(
      await openai.chat.completions.create({
        model: "acme-small",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    );
    equal(streamed.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""), "echo: hi");
    deepEqual((await openai.models.list()).data.map((model) => model.id), ["acme-small", "acme-large"]);

    const failure = (request: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>) =>
      openai.chat.completions.create({ model: "acme-small", messages: [{ role: "user", content: "x" }], ...request })
        .then(() => undefined, (error) => error);
    const tooLong = await failure({ max_tokens: 1000 });
    ok(tooLong instanceof OpenAI.BadRequestError);
    match(tooLong.message, /maxTokens: .*512/);
    const unknown = await failure({ model: "acme-huge" });
    match(unknown.message, /model must be one of "acme-small", "acme-large"/);
    const broke = await failure({ messages: [{ role: "user", content: "broke" }] });
    ok(broke instanceof OpenAI.RateLimitError);
    match(broke.message, /acme: out of credit/);
    const refused = await failure({ messages: Array(9).fill({ role: "user", content: "x" }) });
    match(refused.message, /8 messages at most/);
    equal(seen.length, 3, "refused and invalid requests were never sent");
    deepEqual(torndown, ["acme-large", "acme-small", "acme-small"], "teardown ran for every request that was sent");
  } finally {
    await relay.shutdown();
    await api.shutdown();
  }
});
