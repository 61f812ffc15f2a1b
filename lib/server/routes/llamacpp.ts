import { Hono } from "hono";
import type { Upstream } from "../../hub/upstream.ts";
import { readJson } from "../read_json.ts";
import { answerRequest, type RespondOptions } from "../respond.ts";
import {
  llamaCppEncoding,
  llamaCppErrorResponse,
  toLlamaCppCompletion,
} from "../../fronts/llamacpp/completion_stream.ts";
import { parseLlamaCppRequest } from "../../fronts/llamacpp/llamacpp_request.ts";
import { failedWith } from "../trace.ts";

/**
 * The llama.cpp server dialect at the root (coLLaMA drops any path prefix; Continue's
 * `llama.cpp` provider, llama.vim): `POST /completion`, `POST /infill`, `GET /props`, with
 * errors as `{"error":{code,message,type}}`. `GET /health` is the app's. Keys may come as
 * `Authorization: token …` (coLLaMA), Bearer or `x-api-key`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { llamaCppRoutes } from "./llamacpp.ts";
 * import { streamUpstream } from "../../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([]),
 * });
 * const response = await llamaCppRoutes(upstream).request("/completion", { method: "POST", body: '{"prompt":"Say hi"}' });
 * equal((await response.json()).content, "Hi");
 * ```
 */
export function llamaCppRoutes(upstream: Upstream, options: RespondOptions = {}): Hono {
  const app = new Hono();
  app.onError((error, c) => llamaCppErrorResponse(failedWith(c.req.raw, error)));

  for (const path of ["/completion", "/infill"]) {
    app.post(path, async (c) => {
      const parsed = parseLlamaCppRequest(await readJson(c.req.raw, options.maxBodyBytes));
      return await answerRequest(upstream, c.req.raw, parsed.request, {
        stream: parsed.stream,
        toJson: (answer, model = parsed.model) => toLlamaCppCompletion(model, answer),
        encoding: (model = parsed.model) => llamaCppEncoding(model),
      }, options);
    });
  }

  app.get("/props", (c) =>
    c.json({
      default_generation_settings: { n_ctx: 8192, params: {} },
      total_slots: 1,
      chat_template: "",
    }));
  return app;
}
