import { Hono } from "hono";
import { collectAnswer, type CollectedAnswer } from "../../hub/collect.ts";
import type { RelayEvent } from "../../hub/events.ts";
import type { RelayRequest } from "../../hub/request.ts";
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
import { parseCompletionRequest, parseFimRequest } from "./completion_request.ts";
import { TextCompletionStream, toTextCompletion } from "./completion_stream.ts";
import { openAIErrorResponse } from "./errors.ts";
import { toModelList, toModelObject } from "./models.ts";

/** Headers of every SSE response: exact `text/event-stream` (coLLaMA compares it), no buffering. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

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
    const meta = { id: `chatcmpl-${randomId()}`, created: nowSeconds(), model: parsed.model };
    return await respond(
      c.req.raw,
      parsed,
      (answer) => toChatCompletion(answer, meta),
      () => new OpenAIChatStream({ ...meta, includeUsage: parsed.includeUsage }),
    );
  });

  app.post("/completions", async (c) => {
    const parsed = parseCompletionRequest(await readJson(c.req.raw));
    const meta = { id: `cmpl-${randomId()}`, created: nowSeconds(), model: parsed.model };
    return await respond(
      c.req.raw,
      parsed,
      (answer) => toTextCompletion(answer, meta),
      () => new TextCompletionStream({ ...meta, includeUsage: parsed.includeUsage }),
    );
  });

  // Mistral's FIM endpoint answers in chat shapes (Continue's `mistral` provider reads them).
  app.post("/fim/completions", async (c) => {
    const parsed = parseFimRequest(await readJson(c.req.raw));
    const meta = { id: `cmpl-${randomId()}`, created: nowSeconds(), model: parsed.model };
    return await respond(
      c.req.raw,
      parsed,
      (answer) => toChatCompletion(answer, meta),
      () => new OpenAIChatStream({ ...meta, includeUsage: parsed.includeUsage }),
    );
  });

  /**
   * Runs the hub and answers in the front's shapes: the collected answer as JSON, or SSE
   * once the first event shows the upstream started (an error before that is an HTTP error).
   */
  async function respond(
    raw: Request,
    parsed: { request: RelayRequest; stream: boolean },
    toJson: (answer: CollectedAnswer) => object,
    encoder: () => TransformStream<RelayEvent, Uint8Array>,
  ): Promise<Response> {
    if (continuationOff(raw.headers)) parsed.request.autoContinue = false;
    const events = await relay(upstream, parsed.request, contextOf(raw), options);
    if (!parsed.stream) {
      const answer = await collectAnswer(events);
      return Response.json(toJson(answer), {
        headers: {
          "x-cody-relay-continuations": String(answer.continuations ?? 0),
          ...(answer.usage?.estimated ? { "x-cody-relay-usage": "estimated" } : {}),
        },
      });
    }
    const { first, rest } = await peekFirst(events);
    if (first?.type === "error") {
      await rest.cancel();
      throw first.error;
    }
    return new Response(rest.pipeThrough(encoder()), { headers: SSE_HEADERS });
  }

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

function randomId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
