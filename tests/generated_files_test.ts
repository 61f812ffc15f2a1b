/** Files generated from the settings schema are as the schema has them: a stale one fails with the command to regenerate it. */
import { equal } from "node:assert/strict";
import { GENERATE_COMMAND, generatedFiles } from "../tools/generated_files.ts";

Deno.test("config.schema.json and the reference in docs/configuration.md are generated from the settings schema", async () => {
  for (const [path, generated] of Object.entries(await generatedFiles())) {
    const committed = await Deno.readTextFile(new URL(`../${path}`, import.meta.url));
    equal(committed, generated, `${path} is stale: run \`${GENERATE_COMMAND}\``);
  }
});
