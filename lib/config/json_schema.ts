/**
 * The config file's JSON Schema, for editor completion (`"$schema": "./config.schema.json"`),
 * generated from the settings schema with each key's description, flag, variables and
 * default. `deno task generate` writes it to `config.schema.json`.
 *
 * @module
 */
import { z } from "zod";
import { envName, SETTINGS_META } from "./setting.ts";
import { SettingsSchema } from "./settings_schema.ts";

/**
 * The JSON Schema of `cody-relay.json`, as text (two-space indented, newline at the end).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { configJsonSchema } from "./json_schema.ts";
 * const port = JSON.parse(configJsonSchema()).properties.server.properties.port;
 * equal(port.default, 8787);
 * equal(port.description, "the port to listen on; 0 picks a free one [--port, PORT]");
 * ```
 */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(SettingsSchema, {
    io: "input",
    override: ({ zodSchema, jsonSchema }) => {
      const meta = SETTINGS_META.get(zodSchema);
      if (!meta) return;
      const names = [...(meta.flag ? [`--${meta.flag}`] : []), ...(meta.env ?? []).map(envName)];
      jsonSchema.description = `${meta.description}${names.length ? ` [${names.join(", ")}]` : ""}`;
      if (meta.default !== undefined) jsonSchema.default = meta.default;
    },
  });
  return `${JSON.stringify({ title: "cody-relay configuration", ...schema }, null, 2)}\n`;
}
