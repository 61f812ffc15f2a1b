import { OpenAICompatibleUpstream } from "../openai_compatible/upstream.ts";
import { VERSION } from "../version.ts";
import { DEFAULT_CLIENT_NAME, sourcegraphBase } from "./adapter.ts";
import { credentialHeaders, resolveCredential } from "./credentials.ts";
import { DEFAULT_MAX_TOKENS } from "./request_builder.ts";

/** Options of {@link sourcegraphLlmUpstream}. */
export interface SourcegraphLlmOptions {
  /** The Sourcegraph instance, e.g. `https://sourcegraph.example.com`. */
  endpoint: string | URL;
  /** A server-side access token; without one, each client's key is used (as for the Cody upstream). */
  accessToken?: string;
  /** Sent in `X-Requested-With` (required by Sourcegraph 5.10 to 6.11). @default DEFAULT_CLIENT_NAME */
  clientName?: string;
  /** `max_tokens` when a request sets none: Sourcegraph defaults to 16, and thinking models fail without one. @default DEFAULT_MAX_TOKENS */
  defaultMaxTokens?: number;
  /** Send `system` messages as such; versions up to at least 6.12 reject them (400). @default false */
  systemRole?: boolean;
  /** The fetch to use. @default http1Fetch */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * Sourcegraph's own OpenAI-compatible API (`/.api/llm/chat/completions`, `/.api/llm/models`)
 * as an upstream: the OpenAI-compatible upstream with Sourcegraph's credentials (`token`
 * for access tokens, the `sgs` cookie otherwise), `X-Requested-With`, system text folded
 * into the first user message, and a default `max_tokens`. Its stream quirks (no
 * `[DONE]`, `""` finish reasons mid-stream, an id per chunk) are handled by the decoder.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { answerStream } from "../hub/answer_stream.ts";
 * import { sourcegraphLlmUpstream } from "./llm_upstream.ts";
 * import { createSimulator } from "../simulator/simulator.ts";
 * const upstream = sourcegraphLlmUpstream({
 *   endpoint: "http://simulator.invalid", // e.g. https://sourcegraph.example.com
 *   accessToken: "sgp_local_demo",
 *   fetch: createSimulator().fetch,
 * });
 * const request = { messages: [{ role: "system" as const, parts: [{ type: "text" as const, text: "Be brief." }] }, { role: "user" as const, parts: [{ type: "text" as const, text: "Hi" }] }] };
 * const events = await Array.fromAsync(await answerStream(upstream, request, {}));
 * ok(events.at(-1)?.type === "finish", "the system turn was folded in, or Sourcegraph would refuse it");
 * ```
 */
export function sourcegraphLlmUpstream(options: SourcegraphLlmOptions): OpenAICompatibleUpstream {
  const base = sourcegraphBase(options.endpoint);
  const clientName = options.clientName ?? DEFAULT_CLIENT_NAME;
  return new OpenAICompatibleUpstream({
    name: "sourcegraph-llm",
    formattedName: "Sourcegraph",
    baseUrl: new URL(".api/llm/", base),
    authorize: (key) => credentialHeaders(resolveCredential(options.accessToken, key)),
    headers: { "x-requested-with": `${clientName} ${VERSION}` },
    defaultMaxTokens: options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
    systemRole: options.systemRole ?? false,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
