import type { RelayModel } from "../../hub/upstream.ts";

/**
 * One model in the union shape that OpenAI clients (`id`, `object`, `owned_by`) and
 * Anthropic clients (`type`, `display_name`, `created_at`) both read, plus the upstream's
 * context window and capabilities as extra fields.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { toModelObject } from "./models.ts";
 * equal(toModelObject({ id: "m", ownedBy: "me" }).object, "model");
 * ```
 */
export function toModelObject(model: RelayModel) {
  return {
    id: model.id,
    object: "model" as const,
    created: 0,
    owned_by: model.ownedBy,
    type: "model" as const,
    display_name: model.displayName ?? model.id,
    created_at: "1970-01-01T00:00:00Z",
    ...(model.contextWindow?.maxInputTokens ? { context_window: model.contextWindow.maxInputTokens } : {}),
    ...(model.contextWindow?.maxOutputTokens ? { max_output_tokens: model.contextWindow.maxOutputTokens } : {}),
    ...(model.capabilities ? { capabilities: model.capabilities } : {}),
  };
}

/**
 * The `GET /v1/models` list, default model first.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { toModelList } from "./models.ts";
 * const list = toModelList([{ id: "a", ownedBy: "x" }]);
 * ok(list.data[0].id === "a" && list.first_id === "a");
 * ```
 */
export function toModelList(models: RelayModel[]) {
  return {
    object: "list" as const,
    data: models.map(toModelObject),
    has_more: false,
    first_id: models[0]?.id ?? null,
    last_id: models.at(-1)?.id ?? null,
  };
}
