import { deepEqual, equal, throws } from "node:assert/strict";
import { z } from "zod";
import type { RelayError } from "../../lib/hub/errors.ts";
import { placeParameters, resolveParameters, type SchemaEntry } from "../../lib/adapters/schema.ts";

const schema: Record<string, SchemaEntry> = {
  model: { type: z.string(), from: "model", default: "gpt-4o", choices: ["gpt-4o", "o1-mini"] },
  temperature: {
    type: z.number(),
    from: "temperature",
    default: 0.2,
    condition: (params) => !String(params.model).startsWith("o1"),
    validate: (value) => (value as number) <= 2 || "must be between 0 and 2",
  },
  num_predict: { type: z.number().int(), from: "maxTokens", mapping: "body.options" },
  stop: { type: z.array(z.string()).max(4), from: "stop", key: "stop_sequences" },
};

const fails = (request: Record<string, unknown>, param: string, message: RegExp) =>
  throws(() => resolveParameters(schema, { messages: [], ...request }), (error: RelayError) => {
    equal(error.status, 400);
    equal(error.param, param);
    return message.test(error.message);
  });

Deno.test("defaults, client values and conditions; parameters placed by mapping and key", () => {
  const { params, defaults } = resolveParameters(schema, { messages: [], maxTokens: 64, stop: ["END"] });
  deepEqual(params, { model: "gpt-4o", temperature: 0.2, num_predict: 64, stop: ["END"] });
  deepEqual(defaults, { model: "gpt-4o", temperature: 0.2 });
  deepEqual(placeParameters(schema, params), {
    model: "gpt-4o",
    temperature: 0.2,
    options: { num_predict: 64 },
    stop_sequences: ["END"],
  });
  const o1 = resolveParameters(schema, { messages: [], model: "o1-mini" }).params;
  deepEqual(o1, { model: "o1-mini" }, "a default that fails its condition is left out");
});

Deno.test("invalid client values are 400s naming the field and the rule", () => {
  fails({ model: "gpt-5" }, "model", /model must be one of "gpt-4o", "o1-mini"/);
  fails({ temperature: 3 }, "temperature", /temperature: must be between 0 and 2/);
  fails(
    { model: "o1-mini", temperature: 1 },
    "temperature",
    /temperature is not accepted with these settings \(model "o1-mini"\)/,
  );
  fails({ maxTokens: 1.5 }, "maxTokens", /maxTokens: .*expected int/);
  fails({ stop: ["a", "b", "c", "d", "e"] }, "stop", /stop: /);
});
