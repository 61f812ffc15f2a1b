import { Hono } from "hono";
import { quoted, RelayError } from "../../hub/errors.ts";
import type { RelayModel, Upstream } from "../../hub/upstream.ts";
import { readJson } from "../read_json.ts";
import { answerRequest, type RespondOptions, upstreamContext } from "../respond.ts";
import { ollamaErrorResponse } from "../../fronts/ollama/errors.ts";
import { ollamaEncoding, type OllamaShape, toOllamaResponse } from "../../fronts/ollama/ndjson_stream.ts";
import {
  type ParsedOllamaRequest,
  parseOllamaChat,
  parseOllamaGenerate,
  parseOllamaShow,
} from "../../fronts/ollama/ollama_request.ts";
import { failedWith } from "../trace.ts";

/** The Ollama version reported: VS Code Copilot's Ollama mode needs at least 0.6.4. */
export const OLLAMA_VERSION = "0.12.0";

const NDJSON_HEADERS = { "content-type": "application/x-ndjson", "cache-control": "no-cache" };

function modelDetails(model: RelayModel) {
  return {
    parent_model: "",
    format: "gguf",
    family: model.ownedBy,
    families: [model.ownedBy],
    parameter_size: "",
    quantization_level: "",
  };
}

/**
 * The Ollama dialect (Continue's and CodeCompanion's `ollama` adapters, VS Code Copilot's
 * Ollama mode, editor plugins): `GET /` ("Ollama is running"), `GET /api/version`,
 * `GET /api/tags`, `POST /api/show`, and `POST /api/chat` / `POST /api/generate` answering
 * NDJSON (`stream` defaults to true). `/api/ps` and embeddings answer 501. Every error is
 * `{"error":"…"}`. Mount it at the root.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { ollamaRoutes } from "./ollama.ts";
 * import { streamUpstream } from "../../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([{ id: "m", ownedBy: "anthropic" }]),
 * });
 * const response = await ollamaRoutes(upstream).request("/api/tags");
 * equal((await response.json()).models[0].name, "m");
 * ```
 */
export function ollamaRoutes(upstream: Upstream, options: RespondOptions = {}): Hono {
  const app = new Hono();
  app.onError((error, c) => ollamaErrorResponse(failedWith(c.req.raw, error)));

  app.on(["GET", "HEAD"], "/", (c) => c.text("Ollama is running"));
  app.get("/api/version", (c) => c.json({ version: OLLAMA_VERSION }));

  app.on(["GET", "HEAD"], "/api/tags", async (c) => {
    const models = await upstream.models(upstreamContext(c.req.raw));
    return c.json({
      models: models.map((model) => ({
        name: model.id,
        model: model.id,
        modified_at: "1970-01-01T00:00:00Z",
        size: 0,
        digest: "sha256:0",
        details: modelDetails(model),
      })),
    });
  });

  app.post("/api/show", async (c) => {
    const id = parseOllamaShow(await readJson(c.req.raw, options.maxBodyBytes));
    const model = (await upstream.models(upstreamContext(c.req.raw))).find((candidate) => candidate.id === id);
    if (!model) throw new RelayError(404, `model ${quoted(id)} not found`);
    const capabilities = model.capabilities ?? ["chat"];
    const fim = capabilities.includes("autocomplete");
    const contextLength = model.contextWindow?.maxInputTokens ?? 8192;
    return c.json({
      modelfile: "",
      parameters: `num_ctx ${contextLength}`,
      template: fim ? "{{ .Prompt }}{{ .Suffix }}" : "{{ .Prompt }}",
      details: modelDetails(model),
      model_info: {
        "general.architecture": model.ownedBy,
        "general.basename": model.displayName ?? model.id,
        [`${model.ownedBy}.context_length`]: contextLength,
      },
      capabilities: [
        "completion",
        ...(capabilities.includes("tools") ? ["tools"] : []),
        ...(capabilities.includes("vision") ? ["vision"] : []),
        ...(capabilities.includes("reasoning") ? ["thinking"] : []),
        ...(fim ? ["insert"] : []),
      ],
    });
  });

  const answer = async (raw: Request, shape: OllamaShape, parsed: ParsedOllamaRequest) => {
    const startedNs = performance.now() * 1e6;
    return await answerRequest(upstream, raw, parsed.request, {
      stream: parsed.stream,
      toJson: (answer, model = parsed.model) => toOllamaResponse(shape, model, answer, startedNs),
      encoding: (model = parsed.model) => ollamaEncoding(shape, model),
      streamHeaders: NDJSON_HEADERS,
      keepAlive: false,
    }, options);
  };
  app.post(
    "/api/chat",
    async (c) => answer(c.req.raw, "chat", parseOllamaChat(await readJson(c.req.raw, options.maxBodyBytes))),
  );
  app.post(
    "/api/generate",
    async (c) => answer(c.req.raw, "generate", parseOllamaGenerate(await readJson(c.req.raw, options.maxBodyBytes))),
  );

  for (const path of ["/api/ps", "/api/embed", "/api/embeddings", "/api/pull", "/api/push", "/api/create"]) {
    app.all(path, () => {
      throw new RelayError(501, `${path} is not supported: this is cody-relay, relaying to Sourcegraph Cody`);
    });
  }
  return app;
}
