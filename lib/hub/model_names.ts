/**
 * Model names as clients write them, resolved against an upstream's model list, the same
 * way for every dialect: Claude Code's dated ids, Anthropic's `-latest` names, OpenAI and
 * Gemini ids, Cody's legacy `provider/model` form.
 *
 * @module
 */
import type { RelayModel } from "./upstream.ts";

/** `Claude-3.5-Sonnet-20241022` → `claude-3-5-sonnet`: lower case, dots as dashes, no `-latest` or date suffix. */
function baseName(name: string): string {
  return name.toLowerCase().replace(/\./g, "-").replace(/-(latest|\d{8}|\d{4}-\d{2}-\d{2})$/, "");
}

/**
 * The model name of an id: what follows its last `::` or `/` (all of it when it has neither).
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { modelSegment } from "./model_names.ts";
 * equal(modelSegment("anthropic::2024-10-22::claude-sonnet-4-latest"), "claude-sonnet-4-latest");
 * ok(modelSegment("fireworks/starcoder") === "starcoder" && modelSegment("gpt-4o") === "gpt-4o");
 * ```
 */
export function modelSegment(id: string): string {
  const separator = id.lastIndexOf("::");
  return id.slice(Math.max(separator < 0 ? 0 : separator + 2, id.lastIndexOf("/") + 1));
}

/** The provider an id names before its first `::` or `/`, if it names one. */
function providerOf(id: string): string | undefined {
  const end = [id.indexOf("::"), id.indexOf("/")].filter((at) => at > 0);
  return end.length ? id.slice(0, Math.min(...end)) : undefined;
}

/** How well a model answers to a name: lower is better; undefined when it does not. */
function tier(model: RelayModel, name: string): number | undefined {
  const wanted = name.toLowerCase();
  const segment = modelSegment(model.id).toLowerCase();
  if (segment === wanted) return 0;
  if (model.modelName?.toLowerCase() === wanted) return 1;
  const base = baseName(name);
  if (baseName(segment) === base) return 2;
  if (model.modelName && baseName(modelSegment(model.modelName)) === base) return 3;
  return undefined;
}

/** Deprecated models come last; the other statuses (stable, beta, …) are equal. */
function retired(model: RelayModel): number {
  return model.status === "deprecated" ? 1 : 0;
}

/** The version or date inside an id (`anthropic::2024-10-22::…`), for "newest first". */
function versionOf(id: string): string {
  return id.includes("::") ? id.split("::").slice(1, -1).join("::") : "";
}

/**
 * The id of the model in `models` that a client's name means, or undefined when none does.
 * An exact id wins; otherwise a model whose id ends in the name, then one whose provider
 * name (`modelName`) is the name, then one whose name differs only by `.`/`-`, a `-latest`
 * or a date suffix (`claude-3-5-sonnet-20241022` → `…::claude-3-5-sonnet-latest`). Among
 * equally good matches: not deprecated before deprecated, then the newest version, then
 * the shortest id (the plain model before its `-thinking` variant). A `provider/name` or
 * `provider::…::name` looks among that provider's models first.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { resolveModelName } from "./model_names.ts";
 * const models = [
 *   { id: "anthropic::2023-06-01::claude-3.5-sonnet", ownedBy: "anthropic", modelName: "claude-3-5-sonnet-latest", status: "deprecated" },
 *   { id: "anthropic::2024-10-22::claude-3-5-sonnet-latest", ownedBy: "anthropic", modelName: "claude-3-5-sonnet-latest", status: "stable" },
 * ];
 * equal(resolveModelName("claude-3-5-sonnet-latest", models), models[1].id);
 * equal(resolveModelName("claude-3-5-sonnet-20241022", models), models[1].id);
 * equal(resolveModelName("anthropic/claude-3.5-sonnet", models), models[0].id);
 * equal(resolveModelName("gpt-4o", models), undefined);
 * ```
 */
export function resolveModelName(requested: string, models: readonly RelayModel[]): string | undefined {
  if (models.some((model) => model.id === requested)) return requested;
  const provider = providerOf(requested)?.toLowerCase();
  const name = modelSegment(requested);
  const own = models.filter((model) => model.ownedBy.toLowerCase() === provider);
  const ranked = (own.length ? own : models)
    .map((model, order) => ({ model, order, tier: tier(model, name) }))
    .filter((entry) => entry.tier !== undefined)
    .sort((a, b) =>
      a.tier! - b.tier! || retired(a.model) - retired(b.model) ||
      versionOf(b.model.id).localeCompare(versionOf(a.model.id)) || a.model.id.length - b.model.id.length ||
      a.order - b.order
    );
  return ranked[0]?.model.id;
}
