/**
 * The config file's JSON Schema, for editor completion (`"$schema": "./config.schema.json"`).
 * `deno task schema` writes it to `config.schema.json`.
 *
 * @module
 */
import { z } from "zod";
import { ConfigFileSchema } from "./file_schema.ts";

/**
 * The JSON Schema of `cody-relay.json`, as text (two-space indented, newline at the end).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { configJsonSchema } from "./json_schema.ts";
 * ok(JSON.parse(configJsonSchema()).properties.upstreams !== undefined);
 * ```
 */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(ConfigFileSchema, { io: "input" });
  return `${JSON.stringify({ title: "cody-relay configuration", ...schema }, null, 2)}\n`;
}

if (import.meta.main) {
  await Deno.writeTextFile("config.schema.json", configJsonSchema());
  console.log("wrote config.schema.json");
}
