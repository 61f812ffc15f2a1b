import { Hono } from "hono";
import { toRelayError } from "../../hub/errors.ts";
import type { RelayOptions } from "../../hub/relay.ts";
import type { Upstream } from "../../hub/upstream.ts";
import { errorResponse } from "../error_response.ts";
import { readJson } from "../read_json.ts";
import { answerRequest } from "../respond.ts";
import { llamaCppError, LlamaCppStream, toLlamaCppCompletion } from "./completion_stream.ts";
import { parseLlamaCppRequest } from "./llamacpp_request.ts";

/**
 * The llama.cpp server dialect at the root (coLLaMA drops any path prefix; Continue's
 * `llama.cpp` provider, llama.vim): `POST /completion`, `POST /infill`, `GET /props`, with
 * errors as `{"error":{code,message,type}}`. `GET /health` is the app's. Keys may come as
 * `Authorization: token …` (coLLaMA), Bearer or `x-api-key`.
 *
 * @example
 * ```ts
 * import { llamaCppRoutes } from "./routes.ts";
 * import type { Upstream } from "../../hub/upstream.ts";
 * const upstream: Upstream = {
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([]),
 * };
 * const response = await llamaCppRoutes(upstream).request("/completion", { method: "POST", body: '{"prompt":"Say hi"}' });
 * console.assert((await response.json()).content === "Hi");
 * ```
 */
export function llamaCppRoutes(upstream: Upstream, options: RelayOptions = {}): Hono {
  const app = new Hono();
  app.onError((error) => {
    const relayError = toRelayError(error);
    return errorResponse({ error: llamaCppError(relayError) }, relayError.status, relayError);
  });

  for (const path of ["/completion", "/infill"]) {
    app.post(path, async (c) => {
      const parsed = parseLlamaCppRequest(await readJson(c.req.raw));
      return await answerRequest(upstream, c.req.raw, parsed.request, {
        stream: parsed.stream,
        toJson: (answer) => toLlamaCppCompletion(parsed.model, answer),
        encoder: () => new LlamaCppStream(parsed.model),
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
