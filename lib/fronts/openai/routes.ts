import { Hono } from "hono";
import { collectAnswer } from "../../hub/collect.ts";
import { RelayError, toRelayError } from "../../hub/errors.ts";
import { peekFirst } from "../../hub/peek.ts";
import { relay } from "../../hub/relay.ts";
import type { Upstream, UpstreamContext } from "../../hub/upstream.ts";
import type { RelayOptions } from "../../hub/relay.ts";
import { clientKey } from "../client_key.ts";
import { readJson } from "../read_json.ts";
import { toChatCompletion } from "./chat_completion.ts";
import { parseChatRequest } from "./chat_request.ts";
import { OpenAIChatStream } from "./chat_stream.ts";
import { openAIErrorResponse } from "./errors.ts";
import { toModelList, toModelObject } from "./models.ts";

/** Headers of every SSE response: exact `text/event-stream` (coLLaMA compares it), no buffering. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/**
 * The OpenAI dialect: `POST /chat/completions`, `GET /models`, `GET /models/{id}`, with
 * every error in OpenAI's shape. Mount it under `/v1` and `/`.
 *
 * A streaming answer commits to `200` only once the upstream's first event has arrived,
 * so failures before that are real HTTP errors (CodeCompanion drops in-stream errors).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { openAIRoutes } from "./routes.ts";
 * import type { Upstream } from "../../hub/upstream.ts";
 * const upstream: Upstream = {
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "finish", reason: "stop" } as const])),
 *   models: () => Promise.resolve([{ id: "m", ownedBy: "me" }]),
 * };
 * const app = new Hono().route("/v1", openAIRoutes(upstream));
 * const response = await app.request("/v1/models", { headers: { authorization: "Bearer k" } });
 * console.assert(response.status === 200);
 * ```
 */
export function openAIRoutes(upstream: Upstream, options: RelayOptions = {}): Hono {
  const app = new Hono();
  app.onError((error) => openAIErrorResponse(toRelayError(error)));

  app.post("/chat/completions", async (c) => {
    const parsed = parseChatRequest(await readJson(c.req.raw));
    if (continuationOff(c.req.raw.headers)) parsed.request.autoContinue = false;
    const events = await relay(upstream, parsed.request, contextOf(c.req.raw), options);
    const meta = {
      id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`,
      created: nowSeconds(),
      model: parsed.model,
    };
    if (!parsed.stream) {
      const answer = await collectAnswer(events);
      return c.json(toChatCompletion(answer, meta), 200, {
        "x-cody-relay-continuations": String(answer.continuations ?? 0),
        ...(answer.usage?.estimated ? { "x-cody-relay-usage": "estimated" } : {}),
      });
    }
    const { first, rest } = await peekFirst(events);
    if (first?.type === "error") {
      await rest.cancel();
      throw first.error;
    }
    const body = rest.pipeThrough(new OpenAIChatStream({ ...meta, includeUsage: parsed.includeUsage }));
    return new Response(body, { headers: SSE_HEADERS });
  });

  app.get("/models", async (c) => c.json(toModelList(await upstream.models(contextOf(c.req.raw)))));

  app.get("/models/:id{.+}", async (c) => {
    const id = c.req.param("id");
    const model = (await upstream.models(contextOf(c.req.raw))).find((candidate) => candidate.id === id);
    if (!model) {
      throw new RelayError(404, `The model '${id}' does not exist`, { param: "model", code: "model_not_found" });
    }
    return c.json(toModelObject(model));
  });

  return app;
}

function contextOf(request: Request): UpstreamContext {
  return { apiKey: clientKey(request.headers), signal: request.signal };
}

/** `x-cody-relay-continue: off` (or `false`, `0`) turns continuation off for one request. */
function continuationOff(headers: Headers): boolean {
  return /^(off|false|0|no)$/i.test(headers.get("x-cody-relay-continue")?.trim() ?? "");
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
