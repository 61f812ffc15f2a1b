/**
 * The relay's model list as the console's Models page shows it: one row per routable
 * model, with the aliases that resolve to it.
 *
 * @module
 */
import type { RelayModel } from "../../hub/upstream.ts";

/** One routable model. */
export interface ModelRow {
  /** The id clients send. */
  id: string;
  /** The upstream that serves it (its name in the config, or who owns it). */
  upstream: string;
  /** A human name, when the upstream gives one. */
  displayName: string | null;
  /** Capabilities as the upstream names them, e.g. `chat`, `tools`, `vision`, `reasoning`, `autocomplete`. */
  capabilities: string[];
  /** The input limit in tokens, when known. */
  contextTokens: number | null;
  /** The output limit in tokens, when known. */
  outputTokens: number | null;
  /** How the upstream labels it, e.g. `stable`. */
  status: string | null;
  /** Alias ids that resolve to it now. */
  aliases: string[];
}

/**
 * Rows for `models`: each alias folded into the row of the model it resolves to (an alias
 * whose model is not listed keeps a row of its own).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { modelRows } from "./model_rows.ts";
 * const rows = modelRows([
 *   { id: "claude-sonnet", ownedBy: "cody", capabilities: ["chat"] },
 *   { id: "cody-sonnet", ownedBy: "cody", aliasOf: "claude-sonnet" },
 * ]);
 * deepEqual(rows.map((row) => [row.id, row.aliases]), [["claude-sonnet", ["cody-sonnet"]]]);
 * ```
 */
export function modelRows(models: readonly RelayModel[]): ModelRow[] {
  const rows = new Map<string, ModelRow>();
  for (const model of models) {
    if (model.aliasOf && models.some((target) => target.id === model.aliasOf && !target.aliasOf)) continue;
    rows.set(model.id, {
      id: model.id,
      upstream: model.ownedBy,
      displayName: model.displayName ?? null,
      capabilities: model.capabilities ?? [],
      contextTokens: model.contextWindow?.maxInputTokens ?? null,
      outputTokens: model.contextWindow?.maxOutputTokens ?? null,
      status: model.status ?? null,
      aliases: [],
    });
  }
  for (const model of models) {
    const target = model.aliasOf ? rows.get(model.aliasOf) : undefined;
    if (target && !rows.has(model.id)) target.aliases.push(model.id);
  }
  return [...rows.values()];
}
