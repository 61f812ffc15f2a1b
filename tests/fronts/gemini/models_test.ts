/** Gemini model paths and names, model objects, and Google's schema subset as JSON Schema. */
import { deepEqual, equal } from "node:assert/strict";
import { geminiUpstreamModel, splitModelMethod, toGeminiModelList } from "../../../lib/fronts/gemini/models.ts";
import { toJsonSchema } from "../../../lib/fronts/gemini/schema.ts";
import type { RelayModel } from "../../../lib/hub/upstream.ts";

Deno.test("the method is what follows the last colon, when it is a method name", () => {
  deepEqual(splitModelMethod("gemini-2.5-pro:streamGenerateContent"), {
    model: "gemini-2.5-pro",
    method: "streamGenerateContent",
  });
  deepEqual(splitModelMethod("anthropic::2024-10-22::claude-sonnet-4-latest:countTokens"), {
    model: "anthropic::2024-10-22::claude-sonnet-4-latest",
    method: "countTokens",
  });
  deepEqual(splitModelMethod("anthropic::2024-10-22::claude-sonnet-4-latest"), {
    model: "anthropic::2024-10-22::claude-sonnet-4-latest",
  });
  deepEqual(splitModelMethod("google::v1::gemini-2.5-pro"), { model: "google::v1::gemini-2.5-pro" });
});

const MODELS: RelayModel[] = [
  { id: "anthropic::2024-10-22::claude-sonnet-4-latest", ownedBy: "anthropic", capabilities: ["chat", "tools"] },
  { id: "google::v1::gemini-2.5-pro", ownedBy: "google", capabilities: ["chat"] },
  { id: "fireworks::v1::deepseek-coder", ownedBy: "fireworks", capabilities: ["autocomplete"] },
];

Deno.test("gemini-* names resolve against the instance, else go to its default model; other names pass through", () => {
  equal(geminiUpstreamModel("gemini-2.5-pro", MODELS), "google::v1::gemini-2.5-pro");
  equal(geminiUpstreamModel("gemini-3.1-pro-preview", MODELS), undefined);
  equal(geminiUpstreamModel("gemini-3.5-flash-lite", MODELS), undefined);
  equal(geminiUpstreamModel("claude-sonnet-4", MODELS), "anthropic::2024-10-22::claude-sonnet-4-latest");
  equal(geminiUpstreamModel("nope::v1::none", MODELS), "nope::v1::none");
});

Deno.test("the model list holds the chat models as models/{id}", () => {
  deepEqual(toGeminiModelList(MODELS).models.map((model) => model.name), [
    "models/anthropic::2024-10-22::claude-sonnet-4-latest",
    "models/google::v1::gemini-2.5-pro",
  ]);
});

Deno.test("OpenAPI schemas become JSON Schema at every depth; JSON Schema is kept", () => {
  deepEqual(
    toJsonSchema({
      type: "OBJECT",
      properties: {
        type: { type: "STRING", enum: ["a", "b"], format: "enum" },
        tags: { type: "ARRAY", items: { type: "STRING", example: "x" }, maxItems: "5", minItems: "1" },
        maybe: { anyOf: [{ type: "INTEGER" }, { type: "OBJECT", properties: {}, nullable: true }] },
        any: { type: "TYPE_UNSPECIFIED", description: "anything" },
      },
      propertyOrdering: ["type", "tags", "maybe", "any"],
      required: ["type"],
    }),
    {
      type: "object",
      properties: {
        type: { type: "string", enum: ["a", "b"], format: "enum" },
        tags: { type: "array", items: { type: "string", examples: ["x"] }, maxItems: 5, minItems: 1 },
        maybe: { anyOf: [{ type: "integer" }, { type: ["object", "null"], properties: {} }] },
        any: { description: "anything" },
      },
      required: ["type"],
    },
  );
  const json = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: { n: { type: ["integer", "null"], minimum: 0 } },
    additionalProperties: false,
    $defs: { x: { type: "string" } },
  };
  deepEqual(toJsonSchema(json), json);
});
