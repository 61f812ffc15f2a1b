import { Hono } from "hono";
import { quoted, RelayError } from "../../hub/errors.ts";
import type { Upstream } from "../../hub/upstream.ts";
import { readJson } from "../read_json.ts";
import { answerRequest, type RespondOptions, upstreamContext } from "../respond.ts";
import { toChatCompletion } from "../../fronts/openai/chat_completion.ts";
import { parseChatRequest, type ParsedChatRequest } from "../../fronts/openai/chat_request.ts";
import { openAIChatEncoding } from "../../fronts/openai/chat_stream.ts";
import {
  parseCompletionRequest,
  type ParsedCompletionRequest,
  parseFimRequest,
} from "../../fronts/openai/completion_request.ts";
import { textCompletionEncoding, toTextCompletion } from "../../fronts/openai/completion_stream.ts";
import { openAIErrorResponse } from "../../fronts/openai/errors.ts";
import { toModelList, toModelObject } from "../../fronts/openai/models.ts";
import { failedWith } from "../trace.ts";

/**
 * The OpenAI dialect: `POST /chat/completions`, `POST /completions` (legacy; FIM templates
 * rendered into `prompt` are taken apart), `POST /fim/completions` (Mistral's prefix +
 * suffix, answered in chat shapes), `GET /models`, `GET /models/{id}`, with every error in
 * OpenAI's shape. Mount it under `/v1` and `/`.
 *
 * A streaming answer commits to `200` only once the upstream's first event has arrived,
 * so failures before that are real HTTP errors (CodeCompanion drops in-stream errors).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Hono } from "hono";
 * import { openAIRoutes } from "./openai.ts";
 * import { streamUpstream } from "../../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([{ id: "m", ownedBy: "me" }]),
 * });
 * const app = new Hono().route("/v1", openAIRoutes(upstream));
 * const response = await app.request("/v1/models", { headers: { authorization: "Bearer k" } });
 * equal(response.status, 200);
 * ```
 */
export function openAIRoutes(upstream: Upstream, options: RespondOptions = {}): Hono {
  const app = new Hono();
  app.onError((error, c) => openAIErrorResponse(failedWith(c.req.raw, error)));

  /** Answers `request` in chat shapes, its ids prefixed with `prefix`. */
  const inChatShapes = (request: Request, parsed: ParsedChatRequest | ParsedCompletionRequest, prefix: string) => {
    const meta = { id: `${prefix}-${randomId()}`, created: nowSeconds(), model: parsed.model };
    return answerRequest(upstream, request, parsed.request, {
      stream: parsed.stream,
      toJson: (answer, model = meta.model) => toChatCompletion(answer, { ...meta, model }),
      encoding: (model = meta.model) => openAIChatEncoding({ ...meta, model, includeUsage: parsed.includeUsage }),
    }, options);
  };

  app.post(
    "/chat/completions",
    async (c) =>
      await inChatShapes(c.req.raw, parseChatRequest(await readJson(c.req.raw, options.maxBodyBytes)), "chatcmpl"),
  );

  app.post("/completions", async (c) => {
    const parsed = parseCompletionRequest(await readJson(c.req.raw, options.maxBodyBytes));
    const meta = { id: `cmpl-${randomId()}`, created: nowSeconds(), model: parsed.model };
    return await answerRequest(upstream, c.req.raw, parsed.request, {
      stream: parsed.stream,
      toJson: (answer, model = meta.model) => toTextCompletion(answer, { ...meta, model }),
      encoding: (model = meta.model) => textCompletionEncoding({ ...meta, model, includeUsage: parsed.includeUsage }),
    }, options);
  });

  // Mistral's FIM endpoint answers in chat shapes (Continue's `mistral` provider reads them).
  app.post(
    "/fim/completions",
    async (c) =>
      await inChatShapes(c.req.raw, parseFimRequest(await readJson(c.req.raw, options.maxBodyBytes)), "cmpl"),
  );

  app.get("/models", async (c) => c.json(toModelList(await upstream.models(upstreamContext(c.req.raw)))));

  app.get("/models/:model{.+}", async (c) => {
    const id = c.req.param("model");
    const model = (await upstream.models(upstreamContext(c.req.raw))).find((candidate) => candidate.id === id);
    if (!model) {
      throw new RelayError(404, `The model ${quoted(id)} does not exist`, { param: "model", code: "model_not_found" });
    }
    return c.json(toModelObject(model));
  });

  return app;
}

function randomId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
