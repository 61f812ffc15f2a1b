/**
 * cody-relay: use Sourcegraph Cody from any LLM client, in the dialect the client speaks.
 *
 * The library is a set of Web Streams stages around one hub format:
 * Cody SSE bytes → {@link CodyEventDecoderStream} → hub {@link RelayEvent}s →
 * {@link OpenAIChatStream} → OpenAI SSE bytes; and hub {@link RelayRequest} →
 * {@link buildCodyRequest} → Cody request body. {@link createApp} serves them over HTTP, and
 * {@link AdapterUpstream} serves any API described as an {@link UpstreamAdapter}. Three uses:
 *
 * @example Transform a Cody stream into OpenAI chunks
 * ```ts
 * import { CodyEventDecoderStream, OpenAIChatStream } from "./mod.ts";
 * const cody = 'event: completion\ndata: {"deltaText":"Hello"}\n\nevent: done\ndata: {}\n\n';
 * const openai = ReadableStream.from([new TextEncoder().encode(cody)])
 *   .pipeThrough(new CodyEventDecoderStream())
 *   .pipeThrough(new OpenAIChatStream({ id: "chatcmpl-1", created: 0, model: "m", includeUsage: false }))
 *   .pipeThrough(new TextDecoderStream());
 * console.assert((await Array.fromAsync(openai)).join("").includes('"content":"Hello"'));
 * ```
 *
 * @example Mount the relay in an existing Hono (Deno, Bun or Node) server
 * ```ts
 * import { Hono } from "hono";
 * import { CodyUpstream, createApp, createSimulator } from "./mod.ts";
 * // A real instance: new CodyUpstream({ endpoint: "https://sourcegraph.example.com" }).
 * const upstream = new CodyUpstream({ endpoint: "http://simulator.invalid", fetch: createSimulator().fetch });
 * const app = new Hono();
 * app.mount("/llm", createApp({ upstream }).fetch);
 * const response = await app.request("/llm/v1/chat/completions", {
 *   method: "POST",
 *   headers: { authorization: "Bearer sgp_local_demo" },
 *   body: JSON.stringify({ model: "anthropic::2024-10-22::claude-sonnet-4-latest", messages: [{ role: "user", content: "Hi" }] }),
 * });
 * console.assert(response.status === 200);
 * // Standalone instead: await serve({ fetch: createApp({ upstream }).fetch, port: 8787 });
 * ```
 *
 * @example Implement a custom upstream adapter
 * ```ts
 * import { AdapterUpstream, createApp, type UpstreamAdapter } from "./mod.ts";
 * // An API that streams `data: {"token": "…"}` lines and ends with `data: {"done": true}`.
 * const tokens: UpstreamAdapter = {
 *   name: "tokens",
 *   url: "http://tokens.invalid/generate",
 *   headers: { authorization: "Bearer ${api_key}" },
 *   env: { api_key: "TOKENS_API_KEY" },
 *   capabilities: { streaming: true, tools: false, vision: false, fim: false, thinking: false },
 *   handlers: {
 *     buildMessages: (messages) => ({ prompt: messages.at(-1)?.parts.map((p) => p.type === "text" ? p.text : "").join("") }),
 *     parseEvent: (message) => {
 *       const data = JSON.parse(message.data);
 *       return data.done ? [{ type: "finish", reason: "stop" }] : [{ type: "text", text: data.token }];
 *     },
 *   },
 * };
 * const fake = () => new Response('data: {"token":"Hel"}\n\ndata: {"token":"lo"}\n\ndata: {"done":true}\n\n', {
 *   headers: { "content-type": "text/event-stream" },
 * });
 * const upstream = new AdapterUpstream(tokens, { fetch: () => Promise.resolve(fake()), environment: { TOKENS_API_KEY: "k" } });
 * const response = await createApp({ upstream }).fetch(new Request("http://relay/v1/chat/completions", {
 *   method: "POST",
 *   body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }] }),
 * }));
 * console.assert((await response.json()).choices[0].message.content === "Hello");
 * ```
 *
 * @module
 */
export type { FinishReason, RelayEvent, RelayUsage } from "./lib/hub/events.ts";
export type { RelayMessage, RelayPart, RelayRequest, RelayTool, RelayToolChoice } from "./lib/hub/request.ts";
export type { RelayModel, Upstream, UpstreamContext } from "./lib/hub/upstream.ts";
export { RelayError, type RelayErrorOptions } from "./lib/hub/errors.ts";
export { relay, type RelayOptions } from "./lib/hub/relay.ts";
export type { RelayAnswer } from "./lib/hub/interruptible.ts";
export { DEFAULT_TIMEOUTS, type RelayTimeouts } from "./lib/hub/timeouts.ts";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./lib/hub/retry.ts";
export { type RequestOutcome, RequestTrace } from "./lib/hub/trace.ts";
export type { FrontOptions } from "./lib/fronts/respond.ts";
export { type ContinuationOptions, continueAnswer } from "./lib/continuation/continue_answer.ts";
export { Seam } from "./lib/continuation/seam.ts";
export { collectAnswer, type CollectedAnswer, type CollectedToolCall } from "./lib/hub/collect.ts";
export { CodyAnswer, CodyEventDecoder, CodyEventDecoderStream, decodeCodyEvents } from "./lib/cody/event_decoder.ts";
export { decodeSse, type SseAnswer, SseDecoder, SseDecoderStream, type SseMessage } from "./lib/hub/sse_decoder.ts";
export { createNodeHttpFetch, nodeHttpFetch, type NodeHttpFetchOptions } from "./lib/hub/node_http_fetch.ts";
export { buildCodyRequest, type CodyRequestOptions } from "./lib/cody/request_builder.ts";
export type { CodyContentPart, CodyMessage, CodyRequestBody, CodyTool } from "./lib/cody/wire.ts";
export { codyAdapter, type CodyAdapterOptions, sourcegraphBase } from "./lib/cody/adapter.ts";
export { CodyUpstream, type CodyUpstreamOptions } from "./lib/cody/upstream.ts";
export { type SourcegraphLlmOptions, sourcegraphLlmUpstream } from "./lib/cody/llm_upstream.ts";
export { codyAliases, type ModelRoute, type RoutingTable, RoutingUpstream } from "./lib/routing/routing_upstream.ts";
export { closeMatches } from "./lib/routing/close_matches.ts";
export { type OpenAICompatibleOptions, OpenAICompatibleUpstream } from "./lib/openai_compatible/upstream.ts";
export {
  openAIBase,
  openAICompatibleAdapter,
  type OpenAICompatibleAdapterOptions,
} from "./lib/openai_compatible/adapter.ts";
export type {
  AdapterCapabilities,
  AdapterContext,
  AdapterExit,
  AdapterHandlers,
  AdapterScope,
  UpstreamAdapter,
} from "./lib/adapters/adapter.ts";
export { AdapterUpstream, type AdapterUpstreamOptions } from "./lib/adapters/adapter_upstream.ts";
export { type EnvScope, type EnvSource, resolveEnv, resolveEnvSource } from "./lib/adapters/env.ts";
export {
  placeParameters,
  type ResolvedParameters,
  resolveParameters,
  type SchemaEntry,
  type SchemaSource,
  type ValueType,
} from "./lib/adapters/schema.ts";
export { legacySseAdapter, type LegacySseOptions } from "./lib/adapters/legacy_sse.ts";
export { parsePythonLiteral } from "./lib/adapters/python_literal.ts";
export {
  decodeOpenAIEvents,
  eventsFromCompletion,
  OpenAIAnswer,
  type OpenAIChunk,
  OpenAIChunkDecoder,
  type OpenAIChunkDelta,
} from "./lib/openai_compatible/chunk_decoder.ts";
export {
  type OpenAIChatBody,
  openAIChatBody,
  type OpenAIChatBodyOptions,
  type OpenAIContentPart,
  type OpenAIMessage,
} from "./lib/openai_compatible/request_body.ts";
export { type ChatStreamOptions, OpenAIChatStream } from "./lib/fronts/openai/chat_stream.ts";
export { parseChatRequest, type ParsedChatRequest } from "./lib/fronts/openai/chat_request.ts";
export { type AppOptions, createApp, type RelayApp } from "./lib/server/app.ts";
export { RelayMetrics } from "./lib/server/metrics.ts";
export { type RunningServer, serve, type ServeOptions } from "./lib/server/serve.ts";
export {
  createSimulator,
  type SimulatedOutcome,
  type SimulatedRequest,
  type Simulator,
  type SimulatorOptions,
} from "./lib/simulator/simulator.ts";
export type { SimulatorFault } from "./lib/simulator/faults.ts";
export { VERSION } from "./lib/version.ts";
export type { SimulatorCatalog, SimulatorModel } from "./lib/simulator/catalog.ts";
export type { SimulatedBody } from "./lib/simulator/answer.ts";
