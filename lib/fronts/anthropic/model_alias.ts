import { resolveModelName } from "../../hub/model_names.ts";
import type { RelayModel } from "../../hub/upstream.ts";

/**
 * The upstream model for an Anthropic model id. A name the instance knows, as any dialect
 * resolves it ({@link resolveModelName}: a dated or `-latest` variant, `3.5` for `3-5`),
 * maps to that model; any other `claude-*` id (Claude Code's small-model requests, newer
 * names) maps to `fallback` (`--anthropic-default-model`), or to the instance's default
 * chat model when none is set (`undefined`), because Claude Code sends names it has
 * built in. Other ids pass through, so the upstream can reject them by name.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { upstreamModelFor } from "./model_alias.ts";
 * const models = [{ id: "anthropic::2024-10-22::claude-sonnet-4-5-latest", ownedBy: "anthropic" }];
 * equal(upstreamModelFor("claude-sonnet-4-5-20250929", models), models[0].id);
 * equal(upstreamModelFor("claude-haiku-4-5", models, "fast"), "fast");
 * equal(upstreamModelFor("claude-haiku-4-5", models), undefined);
 * ```
 */
export function upstreamModelFor(requested: string, models: RelayModel[], fallback?: string): string | undefined {
  return resolveModelName(requested, models) ?? (/^claude/i.test(requested) ? fallback : requested);
}
