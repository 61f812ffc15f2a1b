import { equal } from "node:assert/strict";
import { VERSION } from "../lib/version.ts";

Deno.test("VERSION matches deno.json and package.json", async () => {
  const root = new URL("../", import.meta.url);
  equal(JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).version, VERSION);
  equal(JSON.parse(await Deno.readTextFile(new URL("package.json", root))).version, VERSION);
});
