import type { RelayModel } from "../../hub/upstream.ts";

/** `claude-sonnet-4-5-20250929`, `anthropic::2024-10-22::claude-sonnet-4-5-latest`, `claude-3.5-sonnet` → comparable names. */
function baseName(id: string): string {
  return id.split("::").at(-1)!.split("/").at(-1)!.toLowerCase().replace(/\./g, "-").replace(/-(latest|\d{8})$/, "");
}

/**
 * The upstream model for an Anthropic model id. An id the instance knows is kept; a
 * `claude-*` id the instance knows under another name (a dated or `-latest` variant,
 * `3.5` for `3-5`) maps to it; any other `claude-*` id (Claude Code's small-model
 * requests, newer names) maps to `fallback` (`--anthropic-default-model`), or to the
 * instance's default chat model when none is set (`undefined`). Other ids pass through,
 * so the instance can reject them by name.
 *
 * @example
 * ```ts
 * import { upstreamModelFor } from "./model_alias.ts";
 * const models = [{ id: "anthropic::2024-10-22::claude-sonnet-4-5-latest", ownedBy: "anthropic" }];
 * console.assert(upstreamModelFor("claude-sonnet-4-5-20250929", models) === models[0].id);
 * console.assert(upstreamModelFor("claude-haiku-4-5", models, "fast") === "fast");
 * console.assert(upstreamModelFor("claude-haiku-4-5", models) === undefined);
 * ```
 */
export function upstreamModelFor(requested: string, models: RelayModel[], fallback?: string): string | undefined {
  if (models.some((model) => model.id === requested)) return requested;
  const wanted = baseName(requested);
  const alias = models.find((model) => baseName(model.id) === wanted);
  if (alias) return alias.id;
  return /^claude/i.test(requested) ? fallback : requested;
}
