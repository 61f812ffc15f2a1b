/** One model of the simulator's catalog, as `supported-models.json` lists it. */
export interface SimulatorModel {
  /** The reference clients send, `provider::apiVersion::modelId`. */
  modelRef: string;
  /** A human name. */
  displayName: string;
  /** The provider's own name, reported in the final frame's `model` at api-version ≥ 5. */
  modelName: string;
  /** E.g. `chat`, `tools`, `vision`, `reasoning`, `autocomplete`. */
  capabilities: string[];
  /** `stable`, `beta`, … */
  status: string;
  /** Token limits. */
  contextWindow: { maxInputTokens: number; maxOutputTokens: number };
}

/** The simulator's catalog: models and the instance defaults. */
export interface SimulatorCatalog {
  /** Every model served. */
  models: SimulatorModel[];
  /** Which model answers when a request names none. */
  defaultModels: { chat: string; fastChat: string; codeCompletion: string };
}

/**
 * The simulator's model catalog, in the shape of `supported-models.json`: real model
 * references, a thinking model, and a code-completion model.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { DEFAULT_CATALOG } from "./catalog.ts";
 * ok(DEFAULT_CATALOG.models.some((model) => model.modelRef === DEFAULT_CATALOG.defaultModels?.chat));
 * ```
 */
export const DEFAULT_CATALOG: SimulatorCatalog = {
  models: [
    model("anthropic::2024-10-22::claude-sonnet-4-latest", "Claude Sonnet 4", "claude-sonnet-4-20250514", [
      "chat",
      "vision",
      "tools",
    ]),
    model(
      "anthropic::2024-10-22::claude-sonnet-4-thinking-latest",
      "Claude Sonnet 4 with Thinking",
      "claude-sonnet-4-20250514",
      [
        "chat",
        "vision",
        "tools",
        "reasoning",
      ],
    ),
    model("anthropic::2024-10-22::claude-3-5-haiku-latest", "Claude 3.5 Haiku", "claude-3-5-haiku-latest", [
      "chat",
      "tools",
    ]),
    model("google::v1::gemini-2.0-flash", "Gemini 2.0 Flash", "gemini-2.0-flash", ["chat", "vision"]),
    model("openai::2024-02-01::gpt-4.1", "GPT-4.1", "gpt-4.1", ["chat", "vision", "tools"]),
    model(
      "fireworks::v1::deepseek-coder-v2-lite-base",
      "DeepSeek V2 Lite Base",
      "deepseek-coder-v2-lite-base",
      ["autocomplete"],
      2048,
      256,
    ),
  ],
  defaultModels: {
    chat: "anthropic::2024-10-22::claude-sonnet-4-latest",
    fastChat: "anthropic::2024-10-22::claude-3-5-haiku-latest",
    codeCompletion: "fireworks::v1::deepseek-coder-v2-lite-base",
  },
};

function model(
  modelRef: string,
  displayName: string,
  modelName: string,
  capabilities: string[],
  maxInputTokens = 45000,
  maxOutputTokens = 4000,
): SimulatorModel {
  return {
    modelRef,
    displayName,
    modelName,
    capabilities,
    status: "stable",
    contextWindow: { maxInputTokens, maxOutputTokens },
  };
}
