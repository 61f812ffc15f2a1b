import { Hono } from "hono";
import type { RelayModel, Upstream } from "../../hub/upstream.ts";
import { estimatePromptTokens } from "../../hub/usage_estimate.ts";
import { clientKey, keyScope } from "../client_key.ts";
import { readJson } from "../read_json.ts";
import { answerRequest, type RespondOptions, upstreamContext } from "../respond.ts";
import { anthropicErrorResponse } from "../../fronts/anthropic/errors.ts";
import { parseCountTokensRequest, parseMessagesRequest } from "../../fronts/anthropic/messages_request.ts";
import { anthropicEncoding, toAnthropicMessage } from "../../fronts/anthropic/messages_stream.ts";
import { upstreamModelFor } from "../../fronts/anthropic/model_alias.ts";
import { failedWith } from "../trace.ts";

/** Options of {@link anthropicRoutes}. */
export interface AnthropicOptions extends RespondOptions {
  /** The upstream model for `claude-*` ids the instance does not know. @default the instance's default chat model */
  defaultModel?: string;
}

/**
 * The Anthropic Messages dialect (Claude Code, the Anthropic SDK): `POST /messages` (any
 * query, e.g. `?beta=true`), `POST /messages/count_tokens`, and `GET /models` in
 * Anthropic's shape when the request carries `anthropic-version` (otherwise the next
 * front answers). Keys come from `x-api-key` or `Authorization: Bearer`; every error is
 * `{"type":"error","error":{type,message}}` with Anthropic's status. Mount it under `/v1`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Hono } from "hono";
 * import { anthropicRoutes } from "./anthropic.ts";
 * import { streamUpstream } from "../../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([]),
 * });
 * const app = new Hono().route("/v1", anthropicRoutes(upstream));
 * const response = await app.request("/v1/messages", {
 *   method: "POST",
 *   body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] }),
 * });
 * equal((await response.json()).content[0].text, "Hi");
 * ```
 */
export function anthropicRoutes(upstream: Upstream, options: AnthropicOptions = {}): Hono {
  const app = new Hono();
  app.onError((error, c) => anthropicErrorResponse(failedWith(c.req.raw, error)));

  const models = (raw: Request): Promise<RelayModel[]> => upstream.models(upstreamContext(raw)).catch(() => []);

  app.post("/messages", async (c) => {
    const parsed = parseMessagesRequest(await readJson(c.req.raw, options.maxBodyBytes));
    const model = upstreamModelFor(parsed.model, await models(c.req.raw), options.defaultModel);
    if (model) parsed.request.model = model;
    else delete parsed.request.model;
    const meta = {
      id: `msg_${crypto.randomUUID().replaceAll("-", "")}`,
      model: parsed.model,
      inputTokens: await estimatePromptTokens(parsed.request, keyScope(clientKey(c.req.raw.headers))),
    };
    return await answerRequest(upstream, c.req.raw, parsed.request, {
      stream: parsed.stream,
      requestedModel: parsed.model,
      toJson: (answer, model = meta.model) => toAnthropicMessage(answer, { ...meta, model }),
      encoding: (model = meta.model) => anthropicEncoding({ ...meta, model }),
    }, options);
  });

  app.post("/messages/count_tokens", async (c) => {
    const { request } = parseCountTokensRequest(await readJson(c.req.raw, options.maxBodyBytes));
    return c.json({ input_tokens: await estimatePromptTokens(request, keyScope(clientKey(c.req.raw.headers))) });
  });

  app.get("/models", async (c, next) => {
    if (!c.req.header("anthropic-version")) return await next();
    const list = (await upstream.models(upstreamContext(c.req.raw))).map((model) => ({
      type: "model",
      id: model.id,
      display_name: model.displayName ?? model.id,
      created_at: "1970-01-01T00:00:00Z",
    }));
    return c.json({ data: list, has_more: false, first_id: list[0]?.id ?? null, last_id: list.at(-1)?.id ?? null });
  });

  return app;
}
