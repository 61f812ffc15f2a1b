import { type Context, Hono } from "hono";
import { quoted, RelayError } from "../../hub/errors.ts";
import { resolveModelName } from "../../hub/model_names.ts";
import type { RelayModel, Upstream } from "../../hub/upstream.ts";
import { estimatePromptTokens } from "../../hub/usage_estimate.ts";
import { clientKey, keyScope } from "../client_key.ts";
import { readJson } from "../read_json.ts";
import { answerRequest, type RespondOptions, SSE_HEADERS, upstreamContext } from "../respond.ts";
import { geminiErrorResponse } from "../../fronts/gemini/errors.ts";
import { parseGeminiCountTokensRequest, parseGenerateContentRequest } from "../../fronts/gemini/generate_request.ts";
import { geminiEncoding, toGeminiResponse } from "../../fronts/gemini/generate_stream.ts";
import { geminiUpstreamModel, splitModelMethod, toGeminiModel, toGeminiModelList } from "../../fronts/gemini/models.ts";
import { failedWith } from "../trace.ts";

/** Headers of a stream without `?alt=sse`: one JSON array, written as it grows. */
const JSON_STREAM_HEADERS = { "content-type": "application/json; charset=UTF-8", "cache-control": "no-cache" };

/** Methods of the Gemini API the relay knows of but does not serve. */
const UNSUPPORTED_METHODS = [
  "embedContent",
  "batchEmbedContents",
  "batchGenerateContent",
  "predict",
  "predictLongRunning",
];

/** Options of {@link geminiRoutes}. */
export interface GeminiOptions extends RespondOptions {
  /**
   * Answer `GET /models` and `GET /models/{id}` only for Google clients (an `x-goog-api-key`
   * or `x-goog-api-client` header, or a `?key=`), leaving them to the next front otherwise:
   * under `/v1` they are OpenAI's too. @default false
   */
  modelsForGoogleClientsOnly?: boolean;
}

/**
 * The Gemini API dialect (Gemini CLI, `@google/genai`): `POST /models/{model}:generateContent`,
 * `:streamGenerateContent` (SSE with `?alt=sse`, else one JSON array written as it grows),
 * `:countTokens`, `GET /models` and `GET /models/{model}`. Model ids go in the path as they
 * are, colons included; `gemini-*` names the instance lacks are answered by its default
 * chat model. Keys come from `x-goog-api-key` or `?key=` (or the usual headers); every
 * error is `{"error":{code,message,status}}`. Mount it under `/v1beta` (and `/v1`).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Hono } from "hono";
 * import { geminiRoutes } from "./gemini.ts";
 * import { streamUpstream } from "../../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([]),
 * });
 * const app = new Hono().route("/v1beta", geminiRoutes(upstream));
 * const response = await app.request("/v1beta/models/gemini-2.5-flash:generateContent", {
 *   method: "POST",
 *   body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hello" }] }] }),
 * });
 * equal((await response.json()).candidates[0].content.parts[0].text, "Hi");
 * ```
 */
export function geminiRoutes(upstream: Upstream, options: GeminiOptions = {}): Hono {
  const app = new Hono();
  app.onError((error, c) => geminiErrorResponse(failedWith(c.req.raw, error)));

  const models = (raw: Request): Promise<RelayModel[]> => upstream.models(upstreamContext(raw)).catch(() => []);
  const forOthers = (c: Context) =>
    options.modelsForGoogleClientsOnly === true && !c.req.header("x-goog-api-key") &&
    !c.req.header("x-goog-api-client") && !new URL(c.req.url).searchParams.has("key");

  app.get("/models", async (c, next) => {
    if (forOthers(c)) return await next();
    return c.json(toGeminiModelList(await upstream.models(upstreamContext(c.req.raw))));
  });

  // The same parameter name as the OpenAI route's `/models/:model{.+}` beside it: with two names for one path, Hono
  // cannot use its RegExpRouter and routes every request through its trie router, which allocates per request.
  app.get("/models/:model{.+}", async (c, next) => {
    if (forOthers(c)) return await next();
    // No method follows a model in a GET: the whole segment is the id, colons and all (`llama3:latest`).
    const name = c.req.param("model");
    const list = await upstream.models(upstreamContext(c.req.raw));
    const id = resolveModelName(name, list);
    const model = list.find((candidate) => candidate.id === id);
    if (!model) throw new RelayError(404, `models/${name} is not found`, { code: "model_not_found" });
    return c.json(toGeminiModel(model));
  });

  const generate = async (raw: Request, name: string, stream: boolean) => {
    const parsed = parseGenerateContentRequest(await readJson(raw, options.maxBodyBytes), name);
    const model = geminiUpstreamModel(parsed.model, await models(raw));
    if (model) parsed.request.model = model;
    else delete parsed.request.model;
    const sse = new URL(raw.url).searchParams.get("alt") === "sse";
    const meta = {
      responseId: crypto.randomUUID().replaceAll("-", "").slice(0, 22),
      modelVersion: parsed.model,
      promptTokens: await estimatePromptTokens(parsed.request, keyScope(clientKey(raw.headers, raw.url))),
      includeThoughts: parsed.includeThoughts,
    };
    return await answerRequest(upstream, raw, parsed.request, {
      stream,
      requestedModel: parsed.model,
      toJson: (answer, model = meta.modelVersion) => toGeminiResponse(answer, { ...meta, modelVersion: model }),
      encoding: (model = meta.modelVersion) => geminiEncoding({ ...meta, modelVersion: model }, sse ? "sse" : "array"),
      streamHeaders: sse ? SSE_HEADERS : JSON_STREAM_HEADERS,
      keepAlive: sse,
    }, options);
  };

  app.post("/models/:model{.+}", async (c) => {
    const { model, method } = splitModelMethod(c.req.param("model"));
    switch (method) {
      case "generateContent":
        return await generate(c.req.raw, model, false);
      case "streamGenerateContent":
        return await generate(c.req.raw, model, true);
      case "countTokens": {
        const { request } = parseGeminiCountTokensRequest(await readJson(c.req.raw, options.maxBodyBytes), model);
        const tokens = await estimatePromptTokens(request, keyScope(clientKey(c.req.raw.headers, c.req.raw.url)));
        return c.json({ totalTokens: tokens, promptTokensDetails: [{ modality: "TEXT", tokenCount: tokens }] });
      }
    }
    if (method && UNSUPPORTED_METHODS.includes(method)) {
      throw new RelayError(501, `${method} is not supported: this is cody-relay, relaying chat to Sourcegraph Cody`, {
        code: "unsupported",
      });
    }
    throw new RelayError(
      404,
      method ? `Method ${quoted(method)} is not found for models/${model}` : `POST models/${model} needs a method`,
      { code: "not_found" },
    );
  });

  return app;
}
