import { AdapterUpstream } from "../adapters/adapter_upstream.ts";
import { openAICompatibleAdapter, type OpenAICompatibleAdapterOptions } from "./adapter.ts";

/** Options of {@link OpenAICompatibleUpstream}. */
export interface OpenAICompatibleOptions extends OpenAICompatibleAdapterOptions {
  /** The fetch to use. @default http1Fetch */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * Any OpenAI-style server as an upstream: the {@link openAICompatibleAdapter} served by an
 * `AdapterUpstream` (`POST /chat/completions` streamed with tools and usage, `GET /models`;
 * errors keep their status and message; a stream without a `finish_reason` is an error).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { answerStream } from "../hub/answer_stream.ts";
 * import { OpenAICompatibleUpstream } from "./upstream.ts";
 * import { createSimulator } from "../simulator/simulator.ts";
 * const upstream = new OpenAICompatibleUpstream({
 *   baseUrl: "http://simulator.invalid/v1",
 *   apiKey: "sk-demo",
 *   fetch: createSimulator().fetch,
 * });
 * const request = { messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "Hi" }] }] };
 * const events = await Array.fromAsync(await answerStream(upstream, request, {}));
 * ok(events.at(-1)?.type === "finish");
 * ```
 */
export class OpenAICompatibleUpstream extends AdapterUpstream {
  /** Checks the base URL; nothing is fetched until the first request. */
  constructor(options: OpenAICompatibleOptions) {
    super(openAICompatibleAdapter(options), options.fetch ? { fetch: options.fetch } : {});
  }
}
