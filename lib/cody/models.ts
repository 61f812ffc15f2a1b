/**
 * Sourcegraph's model catalog (`/.api/modelconfig/supported-models.json`, or the older
 * OpenAI-style `/.api/llm/models`) → relay models, default chat model first.
 *
 * @module
 */
import { z } from "zod";
import type { RelayModel } from "../hub/upstream.ts";

const ContextWindow = z.looseObject({
  maxInputTokens: z.number().optional(),
  maxOutputTokens: z.number().optional(),
});

/** The parts of `supported-models.json` the relay uses. */
export const SupportedModels = z.looseObject({
  models: z.array(z.looseObject({
    modelRef: z.string(),
    displayName: z.string().optional(),
    modelName: z.string().optional(),
    capabilities: z.array(z.string()).optional(),
    status: z.string().optional(),
    contextWindow: ContextWindow.optional(),
  })),
  defaultModels: z.looseObject({ chat: z.string().optional(), codeCompletion: z.string().optional() }).optional(),
});

/** A parsed `supported-models.json` body. */
export type SupportedModels = z.infer<typeof SupportedModels>;

/** The parts of an OpenAI-style `/.api/llm/models` body the relay uses. */
export const LlmModelList = z.looseObject({
  data: z.array(z.looseObject({ id: z.string(), owned_by: z.string().optional() })),
});

/**
 * Relay models from a `supported-models.json` body; the default chat model comes first
 * (CodeCompanion takes the first entry as its default).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { modelsFromCatalog } from "./models.ts";
 * const models = modelsFromCatalog({
 *   models: [{ modelRef: "a::v1::x" }, { modelRef: "b::v1::y" }],
 *   defaultModels: { chat: "b::v1::y" },
 * });
 * ok(models[0].id === "b::v1::y" && models[0].ownedBy === "b");
 * ```
 */
export function modelsFromCatalog(catalog: SupportedModels): RelayModel[] {
  const models = catalog.models.map((model): RelayModel => ({
    id: model.modelRef,
    ownedBy: providerOf(model.modelRef),
    ...(model.displayName ? { displayName: model.displayName } : {}),
    ...(model.capabilities ? { capabilities: model.capabilities } : {}),
    ...(model.contextWindow ? { contextWindow: model.contextWindow } : {}),
    ...(model.modelName ? { modelName: model.modelName } : {}),
    ...(model.status ? { status: model.status } : {}),
  }));
  const defaultIndex = models.findIndex((model) => model.id === catalog.defaultModels?.chat);
  if (defaultIndex > 0) models.unshift(...models.splice(defaultIndex, 1));
  return models;
}

/**
 * Relay models from an OpenAI-style model list.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { modelsFromLlmList } from "./models.ts";
 * const models = modelsFromLlmList({ data: [{ id: "anthropic::2023-06-01::claude-3.5-sonnet" }] });
 * equal(models[0].ownedBy, "anthropic");
 * ```
 */
export function modelsFromLlmList(list: z.infer<typeof LlmModelList>): RelayModel[] {
  return list.data.map((model) => ({ id: model.id, ownedBy: model.owned_by || providerOf(model.id) }));
}

/** `anthropic` for `anthropic::2024-10-22::claude…` and for legacy `anthropic/claude…`. */
function providerOf(modelRef: string): string {
  return modelRef.split(/::|\//)[0];
}
