/**
 * cody-relay: use Sourcegraph Cody from any LLM client, in the dialect the client speaks.
 *
 * The library is a set of stages around one hub format. Each stage is a synchronous core
 * (`push(input) → outputs`, `flush() → outputs`) and a Web Streams `TransformStream` over
 * it: upstream bytes → a decoder ({@link CodyEventDecoder}, {@link OpenAIChunkDecoder}) →
 * hub {@link RelayEvent}s → {@link StopSequenceCore}, {@link UsageEstimateCore} → a
 * dialect's encoder ({@link openAIChatEncoding}, {@link anthropicEncoding},
 * {@link ollamaEncoding}, {@link llamaCppEncoding}, {@link textCompletionEncoding}) →
 * client bytes; and each dialect's request parser → hub {@link RelayRequest} → an
 * upstream's request builder. An {@link Upstream} pushes an answer's events one batch per
 * network read; {@link relayUpstream} composes the pipeline's wrappers around one
 * (continuation, retries and fallbacks, time limits), and {@link createApp} serves it over
 * HTTP running the very same cores. {@link AdapterUpstream} serves any API described as
 * an {@link UpstreamAdapter}. Three uses:
 *
 * @example Transform a Cody stream into OpenAI chunks
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CodyEventDecoderStream, OpenAIChatStream } from "./mod.ts";
 * const cody = 'event: completion\ndata: {"deltaText":"Hello"}\n\nevent: done\ndata: {}\n\n';
 * const openai = ReadableStream.from([new TextEncoder().encode(cody)])
 *   .pipeThrough(new CodyEventDecoderStream())
 *   .pipeThrough(new OpenAIChatStream({ id: "chatcmpl-1", created: 0, model: "m", includeUsage: false }))
 *   .pipeThrough(new TextDecoderStream());
 * ok((await Array.fromAsync(openai)).join("").includes('"content":"Hello"'));
 * ```
 *
 * @example Mount the relay in an existing Hono (Deno, Bun or Node) server
 * ```ts
 * import { equal } from "node:assert/strict";
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
 * equal(response.status, 200);
 * // Standalone instead: await serve({ fetch: createApp({ upstream }).fetch, port: 8787 });
 * ```
 *
 * @example Implement a custom upstream adapter
 * ```ts
 * import { equal } from "node:assert/strict";
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
 * equal((await response.json()).choices[0].message.content, "Hello");
 * ```
 *
 * @module
 */
// The hub: requests, events, upstreams, stage cores.
export { type AnswerMeta, type FinishReason, isTerminal, type RelayEvent, type RelayUsage } from "./lib/hub/events.ts";
export type {
  RelayMessage,
  RelayPart,
  RelayRequest,
  RelayResponseFormat,
  RelayTool,
  RelayToolChoice,
} from "./lib/hub/request.ts";
export {
  type AnswerCall,
  type AnswerSink,
  type RelayModel,
  type Upstream,
  type UpstreamContext,
  wrapUpstream,
} from "./lib/hub/upstream.ts";
export { answerStream, streamUpstream, type StreamUpstreamSource } from "./lib/hub/answer_stream.ts";
export { RelayError, type RelayErrorOptions } from "./lib/hub/errors.ts";
export { CoreStream, type StageCore } from "./lib/hub/stage.ts";
export { type SseAnswer, SseDecoder, type SseMessage } from "./lib/hub/sse_decoder.ts";
export { StopSequenceCore, StopSequenceStream } from "./lib/hub/stop_sequences.ts";
export {
  countTokens,
  type TokenCounter,
  tokenCounter,
  UsageEstimateCore,
  UsageEstimateStream,
} from "./lib/hub/usage_estimate.ts";
export { AnswerCollector, collectAnswer, type CollectedAnswer, type CollectedToolCall } from "./lib/hub/collect.ts";
export { resolveModelName } from "./lib/hub/model_names.ts";
// The pipeline: the wrappers an answer passes, and their composition.
export { type RelayOptions, relayUpstream } from "./lib/pipeline/relay.ts";
export { continuing } from "./lib/pipeline/continuing.ts";
export { DEFAULT_RETRY_POLICY, retrying, type RetryingOptions, type RetryPolicy } from "./lib/pipeline/retrying.ts";
export {
  DEFAULT_TIMEOUTS,
  type RelayTimeouts,
  supervising,
  type SupervisingOptions,
} from "./lib/pipeline/supervising.ts";
export { roundStages } from "./lib/pipeline/round_stages.ts";
export {
  ContinuationMachine,
  type ContinuationPhase,
  type ContinuationStep,
} from "./lib/continuation/continuation_machine.ts";
// Fronts: each dialect's request parser and stream encoder.
export { AnswerEncoder, type AnswerEncoding, EncoderStream } from "./lib/fronts/answer_encoder.ts";
export { parseChatRequest, type ParsedChatRequest } from "./lib/fronts/openai/chat_request.ts";
export { type ChatStreamOptions, openAIChatEncoding, OpenAIChatStream } from "./lib/fronts/openai/chat_stream.ts";
export {
  parseCompletionRequest,
  type ParsedCompletionRequest,
  parseFimRequest,
} from "./lib/fronts/openai/completion_request.ts";
export {
  type CompletionStreamOptions,
  textCompletionEncoding,
  TextCompletionStream,
} from "./lib/fronts/openai/completion_stream.ts";
export {
  parseCountTokensRequest,
  type ParsedMessagesRequest,
  parseMessagesRequest,
} from "./lib/fronts/anthropic/messages_request.ts";
export { anthropicEncoding, AnthropicMessageStream, type MessageMeta } from "./lib/fronts/anthropic/messages_stream.ts";
export { type ParsedOllamaRequest, parseOllamaChat, parseOllamaGenerate } from "./lib/fronts/ollama/ollama_request.ts";
export { ollamaEncoding, type OllamaShape, OllamaStream } from "./lib/fronts/ollama/ndjson_stream.ts";
export { type ParsedLlamaCppRequest, parseLlamaCppRequest } from "./lib/fronts/llamacpp/llamacpp_request.ts";
export { llamaCppEncoding, LlamaCppStream } from "./lib/fronts/llamacpp/completion_stream.ts";
export {
  type InputContentPart,
  type InputItem,
  type ParsedResponsesRequest,
  parseInputItems,
  parseResponsesRequest,
  type ResponsesEcho,
  responsesMessages,
  type ResponsesParseOptions,
  type ResponsesToolRoute,
  type ToolOutputPart,
} from "./lib/fronts/responses/request.ts";
export {
  type ItemStatus,
  type OutputTextPart,
  type ResponseMeta,
  type ResponseObject,
  type ResponseOutputItem,
  responsesEncoding,
  ResponsesStream,
  type ResponseUsage,
  type SummaryTextPart,
  toResponse,
} from "./lib/fronts/responses/stream.ts";
export { responseError, type ResponseErrorObject, responsesErrorResponse } from "./lib/fronts/responses/errors.ts";
export {
  type ParsedGeminiRequest,
  parseGeminiCountTokensRequest,
  parseGenerateContentRequest,
} from "./lib/fronts/gemini/generate_request.ts";
export {
  geminiEncoding,
  type GeminiFraming,
  type GeminiPart,
  type GeminiResponse,
  type GeminiResponseMeta,
  GeminiStream,
  type GeminiUsage,
  toGeminiResponse,
} from "./lib/fronts/gemini/generate_stream.ts";
export { geminiErrorResponse } from "./lib/fronts/gemini/errors.ts";
export { geminiUpstreamModel, splitModelMethod } from "./lib/fronts/gemini/models.ts";
export { type FimParts, parseFimPrompt } from "./lib/fronts/fim_template.ts";
// Upstreams: decoders, request builders, the adapter interface, the built-in upstreams.
export { CodyAnswer, CodyEventDecoder, CodyEventDecoderStream } from "./lib/cody/event_decoder.ts";
export { buildCodyRequest, type CodyRequestOptions } from "./lib/cody/request_builder.ts";
export type { CodyContentPart, CodyMessage, CodyRequestBody, CodyTool } from "./lib/cody/wire.ts";
export { codyAdapter, type CodyAdapterOptions, type CodyState, type CompletionRoute } from "./lib/cody/adapter.ts";
export { CodyUpstream, type CodyUpstreamOptions } from "./lib/cody/upstream.ts";
export { type SourcegraphLlmOptions, sourcegraphLlmUpstream } from "./lib/cody/llm_upstream.ts";
export {
  eventsFromCompletion,
  OpenAIAnswer,
  type OpenAIChunk,
  OpenAIChunkDecoder,
  OpenAIChunkDecoderStream,
  type OpenAIChunkDelta,
} from "./lib/openai_compatible/chunk_decoder.ts";
export {
  type OpenAIChatBody,
  openAIChatBody,
  type OpenAIChatBodyOptions,
  type OpenAIContentPart,
  type OpenAIMessage,
} from "./lib/openai_compatible/request_body.ts";
export { type OpenAICompatibleOptions, OpenAICompatibleUpstream } from "./lib/openai_compatible/upstream.ts";
export { openAICompatibleAdapter, type OpenAICompatibleAdapterOptions } from "./lib/openai_compatible/adapter.ts";
export type {
  AdapterCapabilities,
  AdapterContext,
  AdapterExit,
  AdapterHandlers,
  AdapterScope,
  UpstreamAdapter,
} from "./lib/adapters/adapter.ts";
export { AdapterUpstream, type AdapterUpstreamOptions } from "./lib/adapters/adapter_upstream.ts";
export type { EnvScope, EnvSource } from "./lib/adapters/env.ts";
export type { SchemaEntry, SchemaSource, ValueType } from "./lib/adapters/schema.ts";
export { legacySseAdapter, type LegacySseOptions } from "./lib/adapters/legacy_sse.ts";
export { codyAliases, type ModelRoute, type RoutingTable, RoutingUpstream } from "./lib/routing/routing_upstream.ts";
export {
  createHttp1Fetch,
  type Http1Fetch,
  http1Fetch,
  type Http1FetchOptions,
  type PushBody,
} from "./lib/transport/http1_fetch.ts";
export { bodyOf } from "./lib/transport/push_body.ts";
export type { OutgoingFetch, OutgoingRequest } from "./lib/transport/outgoing_request.ts";
// Serving, and the simulator.
export { type AppOptions, createApp, type RelayApp } from "./lib/server/app.ts";
export { type RespondOptions } from "./lib/server/respond.ts";
export { RelayMetrics } from "./lib/server/metrics.ts";
export { type ResponseStore, type StoredResponse } from "./lib/server/responses_store/store.ts";
export { keyScope } from "./lib/server/client_key.ts";
export { MemoryResponseStore, type MemoryStoreOptions } from "./lib/server/responses_store/memory_store.ts";
// The Redis store stays out of the library (its types need Node's): cli.ts opens it; embedders pass any ResponseStore.
export { type RequestOutcome, RequestTrace, type TraceMilestone } from "./lib/server/trace.ts";
// The console's pages and files stay out of the library (JSX and text imports): `webConsole` is
// the `./console` export (lib/server/console/console_routes.ts), which cli.ts serves.
export {
  type ConsoleAppFacts,
  type ConsoleOptions,
  consolePath,
  type WebConsole,
} from "./lib/server/console/web_console.ts";
export { type LoggedRequest, type RequestChange, RequestLog } from "./lib/server/console/request_log.ts";
export { TrafficHistory, type TrafficSeries } from "./lib/server/console/traffic_history.ts";
export type { ConsoleSetting, NamedUpstream } from "./lib/server/console/relay_status.ts";
export { type RunningServer, serve, type ServeOptions } from "./lib/server/serve.ts";
export {
  createSimulator,
  type SimulatedRequest,
  type Simulator,
  type SimulatorOptions,
} from "./lib/simulator/simulator.ts";
export type { SimulatedOutcome } from "./lib/simulator/frame_stream.ts";
export type { SimulatorFault } from "./lib/simulator/faults.ts";
export type { SimulatorCatalog, SimulatorModel } from "./lib/simulator/catalog.ts";
export type { SimulatedBody } from "./lib/simulator/answer.ts";
export { VERSION } from "./lib/version.ts";
