/**
 * The server runs the library's own stages: for recorded Cody answers split at random
 * points, what the HTTP server sends each dialect's client is byte for byte what the
 * exported streams make of the same bytes (decoder → usage estimate → the dialect's
 * encoder), once the server's own ids and clock readings are given to the streams.
 */
import { equal } from "node:assert/strict";
import fc from "fast-check";
import { CodyEventDecoderStream } from "../../lib/cody/event_decoder.ts";
import { CodyUpstream } from "../../lib/cody/upstream.ts";
import { anthropicEncoding } from "../../lib/fronts/anthropic/messages_stream.ts";
import { parseGenerateContentRequest } from "../../lib/fronts/gemini/generate_request.ts";
import { geminiEncoding, type GeminiFraming } from "../../lib/fronts/gemini/generate_stream.ts";
import { type AnswerEncoding, EncoderStream } from "../../lib/fronts/answer_encoder.ts";
import { parseMessagesRequest } from "../../lib/fronts/anthropic/messages_request.ts";
import { llamaCppEncoding } from "../../lib/fronts/llamacpp/completion_stream.ts";
import { parseLlamaCppRequest } from "../../lib/fronts/llamacpp/llamacpp_request.ts";
import { ollamaEncoding } from "../../lib/fronts/ollama/ndjson_stream.ts";
import { parseOllamaChat } from "../../lib/fronts/ollama/ollama_request.ts";
import { parseChatRequest } from "../../lib/fronts/openai/chat_request.ts";
import { openAIChatEncoding } from "../../lib/fronts/openai/chat_stream.ts";
import { parseCompletionRequest } from "../../lib/fronts/openai/completion_request.ts";
import { textCompletionEncoding } from "../../lib/fronts/openai/completion_stream.ts";
import { parseResponsesRequest } from "../../lib/fronts/responses/request.ts";
import { responsesEncoding } from "../../lib/fronts/responses/stream.ts";
import type { RelayRequest } from "../../lib/hub/request.ts";
import { estimatePromptTokens, UsageEstimateStream } from "../../lib/hub/usage_estimate.ts";
import { createApp } from "../../lib/server/app.ts";
import { fixture } from "../harness.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
const messages = [{ role: "user", content: "Count to three" }];
const catalog = await Deno.readTextFile(new URL("../fixtures/cody/supported-models.json", import.meta.url));

/** One dialect: its endpoint and request body, the hub request it parses to, and its encoding given the server's ids. */
interface Dialect {
  path: string;
  body: Record<string, unknown>;
  request(): RelayRequest;
  encoding(served: string, request: RelayRequest): Promise<AnswerEncoding>;
}

/** The first match of `pattern` in the server's output (an id, a timestamp). */
function taken(served: string, pattern: RegExp): string {
  const found = pattern.exec(served)?.[1];
  if (found === undefined) throw new Error(`the server's output has no ${pattern}`);
  return found;
}

/** Gemini's streamGenerateContent with `framing` (SSE with `?alt=sse`, else a JSON array). */
function gemini(framing: GeminiFraming): Dialect {
  const body = { contents: [{ role: "user", parts: [{ text: "Count to three" }] }] };
  const request = () => parseGenerateContentRequest(body, MODEL).request;
  return {
    path: `/v1beta/models/${MODEL}:streamGenerateContent${framing === "sse" ? "?alt=sse" : ""}`,
    body,
    request,
    encoding: async (served, request) =>
      geminiEncoding({
        responseId: taken(served, /"responseId":"(\w+)"/),
        modelVersion: MODEL,
        promptTokens: await estimatePromptTokens(request),
        includeThoughts: false,
      }, framing),
  };
}

const DIALECTS: Record<string, Dialect> = {
  "OpenAI chat": {
    path: "/v1/chat/completions",
    body: { model: MODEL, messages, stream: true, stream_options: { include_usage: true } },
    request: () => parseChatRequest(DIALECTS["OpenAI chat"].body).request,
    encoding: (served) =>
      Promise.resolve(openAIChatEncoding({
        id: taken(served, /"id":"(chatcmpl-\w+)"/),
        created: Number(taken(served, /"created":(\d+)/)),
        model: MODEL,
        includeUsage: true,
      })),
  },
  "OpenAI legacy completions": {
    path: "/v1/completions",
    body: { model: MODEL, prompt: "Count to three", stream: true },
    request: () => parseCompletionRequest(DIALECTS["OpenAI legacy completions"].body).request,
    encoding: (served) =>
      Promise.resolve(textCompletionEncoding({
        id: taken(served, /"id":"(cmpl-\w+)"/),
        created: Number(taken(served, /"created":(\d+)/)),
        model: MODEL,
        includeUsage: false,
      })),
  },
  Anthropic: {
    path: "/v1/messages",
    body: { model: MODEL, max_tokens: 4000, messages, stream: true },
    request: () => parseMessagesRequest(DIALECTS.Anthropic.body).request,
    encoding: async (served, request) =>
      anthropicEncoding({
        id: taken(served, /"id":"(msg_\w+)"/),
        model: MODEL,
        inputTokens: await estimatePromptTokens(request),
      }),
  },
  Responses: {
    path: "/v1/responses",
    body: { model: MODEL, input: "Count to three", stream: true, store: false },
    request: () => parseResponsesRequest(DIALECTS.Responses.body).request,
    encoding: async (served, request) => {
      const parsed = parseResponsesRequest(DIALECTS.Responses.body);
      return responsesEncoding({
        id: taken(served, /"id":"(resp_\w+)"/),
        createdAt: Number(taken(served, /"created_at":(\d+)/)),
        model: MODEL,
        echo: parsed.echo,
        tools: parsed.tools,
        inputTokens: await estimatePromptTokens(request),
        includeEncryptedReasoning: parsed.includeEncryptedReasoning,
      });
    },
  },
  "Gemini (SSE)": gemini("sse"),
  "Gemini (JSON array)": gemini("array"),
  "Ollama chat": {
    path: "/api/chat",
    body: { model: MODEL, messages, stream: true },
    request: () => parseOllamaChat(DIALECTS["Ollama chat"].body).request,
    encoding: () => Promise.resolve(ollamaEncoding("chat", MODEL)),
  },
  "llama.cpp": {
    path: "/completion",
    body: { model: MODEL, messages: [{ speaker: "human", text: "Count to three" }], stream: true },
    request: () => parseLlamaCppRequest(DIALECTS["llama.cpp"].body).request,
    encoding: () => Promise.resolve(llamaCppEncoding(MODEL)),
  },
};

/**
 * The output without what differs between two runs: the wall clock Ollama writes into
 * every line and Responses into `completed_at`, and the fresh id of each Responses item.
 */
function normalised(text: string): string {
  return text
    .replace(/"created_at":"[^"]+"/g, '"created_at":"…"')
    .replace(/"total_duration":\d+/g, '"total_duration":0')
    .replace(/"completed_at":\d+/g, '"completed_at":0')
    .replace(/"(id|item_id)":"(msg|rs|fc|ctc)_[0-9a-f]{32}"/g, '"$1":"$2_…"');
}

/** The bytes cut at `cuts` (positions, any order). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...points].map((start, index) => bytes.slice(start, [...points, bytes.length][index]));
}

/** What the server sends for `dialect` when the upstream's answer arrives in `chunks`. */
async function served(dialect: Dialect, chunks: Uint8Array[]): Promise<string> {
  const upstream = new CodyUpstream({
    endpoint: "http://sourcegraph.test",
    accessToken: "sgp_local_0000000000000000000000000000000000000000",
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/.api/client-config") {
        return Promise.resolve(Response.json({ latestSupportedCompletionsStreamAPIVersion: 9 }));
      }
      if (path === "/.api/modelconfig/supported-models.json") return Promise.resolve(new Response(catalog));
      return Promise.resolve(
        new Response(ReadableStream.from(chunks), { headers: { "content-type": "text/event-stream" } }),
      );
    },
  });
  const response = await createApp({ upstream }).fetch(
    new Request(`http://relay${dialect.path}`, { method: "POST", body: JSON.stringify(dialect.body) }),
  );
  return await response.text();
}

/** What the exported streams make of the same chunks, with the server's ids. */
async function piped(dialect: Dialect, chunks: Uint8Array[], server: string): Promise<string> {
  const request = dialect.request();
  const stream = ReadableStream.from(chunks)
    .pipeThrough(new CodyEventDecoderStream())
    .pipeThrough(new UsageEstimateStream(request))
    .pipeThrough(new EncoderStream(await dialect.encoding(server, request)))
    .pipeThrough(new TextDecoderStream());
  return (await Array.fromAsync(stream)).join("");
}

for (const name of ["v2-delta.sse", "v9-text-then-tool-call.sse"]) {
  const bytes = await fixture(name);
  for (const [dialectName, dialect] of Object.entries(DIALECTS)) {
    Deno.test(`${dialectName}: the server's bytes are the exported streams' bytes for ${name} split anywhere`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
          const chunks = split(bytes, cuts);
          const server = await served(dialect, chunks);
          equal(normalised(server), normalised(await piped(dialect, chunks, server)));
        }),
        { seed: 17, numRuns: 25 },
      );
    });
  }
}
