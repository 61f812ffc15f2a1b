import { equal, match, rejects } from "node:assert/strict";
import type { RelayError } from "../../lib/hub/errors.ts";
import { resolveEnv, resolveEnvSource } from "../../lib/adapters/env.ts";

Deno.test("env sources: command, file, environment variable, function, schema path, literal", async () => {
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(file, "  from-a-file\n");
  try {
    const scope = {
      environment: { RELAY_TEST_KEY: "from-env" },
      params: { model: "chosen" },
      defaults: { model: "default-model" },
    };
    equal(await resolveEnvSource("a", "cmd:printf '  from-a-command \\n'", scope), "from-a-command");
    equal(await resolveEnvSource("b", `file:${file}`, scope), "from-a-file");
    equal(await resolveEnvSource("c", "RELAY_TEST_KEY", scope), "from-env");
    equal(await resolveEnvSource("d", (given) => `fn:${given.params?.model}`, scope), "fn:chosen");
    equal(await resolveEnvSource("e", "schema.model", scope), "chosen");
    equal(await resolveEnvSource("f", "schema.model.default", scope), "default-model");
    equal(
      await resolveEnvSource("g", "UNSET_VARIABLE_NAME", scope),
      "UNSET_VARIABLE_NAME",
      "an unset name is a literal",
    );
    equal(await resolveEnvSource("h", "https://example.com/${x}", scope), "https://example.com/${x}");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("a failing command is a clear error naming the variable and the command, with stderr but never stdout", async () => {
  await rejects(
    resolveEnvSource("api_key", "cmd:echo secret-output; echo 'vault is locked' >&2; exit 3"),
    (error: RelayError) => {
      match(error.message, /adapter variable "api_key": command "echo" exited with 3: vault is locked/);
      equal(error.message.includes("secret-output"), false);
      equal(error.status, 500);
      return true;
    },
  );
  await rejects(resolveEnvSource("k", "file:/no/such/file"), /adapter variable "k": cannot read file \/no\/such\/file/);
  await rejects(resolveEnvSource("m", "schema.model"), /schema\.model has no value/);
  await rejects(resolveEnvSource("f", () => Promise.reject(new Error("nope"))), /its function failed/);
});

Deno.test("cached variables are resolved once; the others per request; a failed one is tried again", async () => {
  let calls = 0;
  const cache = new Map<string, Promise<string>>();
  const env = { token: () => `t${++calls}`, fresh: () => `f${++calls}` };
  const first = await resolveEnv(env, {}, { cache, cached: ["token"] });
  const second = await resolveEnv(env, {}, { cache, cached: ["token"] });
  equal(first.token, second.token);
  equal(first.fresh === second.fresh, false);
  let failures = 0;
  const flaky = { token: () => failures++ === 0 ? Promise.reject(new Error("down")) : "ok" };
  const flakyCache = new Map<string, Promise<string>>();
  await rejects(resolveEnv(flaky, {}, { cache: flakyCache, cached: ["token"] }));
  equal((await resolveEnv(flaky, {}, { cache: flakyCache, cached: ["token"] })).token, "ok");
});
