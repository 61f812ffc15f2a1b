/**
 * Gemini API model names and model objects: the `{model}:{method}` path segment, the
 * mapping of `gemini-*` names to the instance's models, and `GET /v1beta/models` objects.
 *
 * @module
 */
import { resolveModelName } from "../../hub/model_names.ts";
import type { RelayModel } from "../../hub/upstream.ts";

/**
 * Splits the path segment after `/models/` into the model and the method. Model ids may
 * hold colons (`anthropic::2024-10-22::claude-sonnet-4-latest`), and clients put them in
 * the path as they are, so the method is what follows the last colon, and only when that
 * is a method name (a segment ending in `::` has none).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { splitModelMethod } from "./models.ts";
 * deepEqual(splitModelMethod("anthropic::2024-10-22::claude-sonnet-4-latest:streamGenerateContent"), {
 *   model: "anthropic::2024-10-22::claude-sonnet-4-latest",
 *   method: "streamGenerateContent",
 * });
 * deepEqual(splitModelMethod("gemini-2.5-pro"), { model: "gemini-2.5-pro" });
 * ```
 */
export function splitModelMethod(segment: string): { model: string; method?: string } {
  const match = /^(.*[^:]):([A-Za-z]+)$/.exec(segment);
  return match ? { model: match[1], method: match[2] } : { model: segment };
}

/**
 * The upstream model for a Gemini API model name. A name the instance knows, as any
 * dialect resolves it ({@link resolveModelName}), maps to that model; any other
 * `gemini-*` name (Gemini CLI asks for its built-in models, e.g. `gemini-3.1-pro-preview`
 * and `gemini-3.5-flash-lite` for routing) maps to the instance's default chat model
 * (`undefined`). Other names pass through, so the upstream can reject them by name.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { geminiUpstreamModel } from "./models.ts";
 * const models = [{ id: "google::v1::gemini-2.5-pro", ownedBy: "google" }];
 * equal(geminiUpstreamModel("gemini-2.5-pro", models), "google::v1::gemini-2.5-pro");
 * equal(geminiUpstreamModel("gemini-3.1-pro-preview", models), undefined);
 * equal(geminiUpstreamModel("my-model", models), "my-model");
 * ```
 */
export function geminiUpstreamModel(requested: string, models: RelayModel[]): string | undefined {
  return resolveModelName(requested, models) ?? (/^gemini/i.test(requested) ? undefined : requested);
}

/** A model as the Gemini API describes it. */
export interface GeminiModel {
  /** `models/{id}`. */
  name: string;
  /** The id without `models/`. */
  baseModelId: string;
  /** Always `001`: the instance's ids carry their own versions. */
  version: string;
  /** A human name. */
  displayName: string;
  /** Who serves it. */
  description: string;
  /** Prompt tokens it takes. */
  inputTokenLimit: number;
  /** Tokens it writes. */
  outputTokenLimit: number;
  /** The methods the relay serves for it. */
  supportedGenerationMethods: string[];
  /** Whether it thinks. */
  thinking: boolean;
}

/**
 * A relay model as a Gemini API model object (`name: "models/{id}"`, token limits, methods).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { toGeminiModel } from "./models.ts";
 * const model = toGeminiModel({ id: "anthropic::2024-10-22::claude-sonnet-4-latest", ownedBy: "anthropic" });
 * equal(model.name, "models/anthropic::2024-10-22::claude-sonnet-4-latest");
 * ```
 */
export function toGeminiModel(model: RelayModel): GeminiModel {
  return {
    name: `models/${model.id}`,
    baseModelId: model.id,
    version: "001",
    displayName: model.displayName ?? model.id,
    description: `${model.displayName ?? model.id}, served by ${model.ownedBy} through cody-relay`,
    inputTokenLimit: model.contextWindow?.maxInputTokens ?? 0,
    outputTokenLimit: model.contextWindow?.maxOutputTokens ?? 0,
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
    thinking: model.capabilities?.includes("reasoning") ?? false,
  };
}

/**
 * The `GET /v1beta/models` body: the chat models (those the upstream lists without
 * capabilities count as chat models), in one page.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { toGeminiModelList } from "./models.ts";
 * const list = toGeminiModelList([
 *   { id: "chat", ownedBy: "x", capabilities: ["chat"] },
 *   { id: "code", ownedBy: "x", capabilities: ["autocomplete"] },
 * ]);
 * equal(list.models.length, 1);
 * ```
 */
export function toGeminiModelList(models: RelayModel[]): { models: GeminiModel[] } {
  return {
    models: models.filter((model) => !model.capabilities || model.capabilities.includes("chat")).map(toGeminiModel),
  };
}
