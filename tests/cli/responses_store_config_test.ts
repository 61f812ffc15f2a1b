/** `responses.store` / `--responses-store` / `RELAY_RESPONSES_STORE`: parsed, checked without quoting a password, and one store across config reloads. */
import { equal, ok, throws } from "node:assert/strict";
import OpenAI from "openai";
import { parseConfig } from "../../lib/cli/config.ts";
import { configuredApp } from "../../lib/cli/relay_app.ts";
import { SettingsSchema } from "../../lib/config/settings_schema.ts";
import { MemoryResponseStore } from "../../lib/server/responses_store/memory_store.ts";
import { serve } from "../../lib/server/serve.ts";

Deno.test("the store setting: flag beats variable beats file; memory or a redis URL", () => {
  const file = SettingsSchema.parse({ responses: { store: "redis://cache:6379/2" } });
  equal(parseConfig([], {}, file).responses.store, "redis://cache:6379/2");
  equal(parseConfig([], { RELAY_RESPONSES_STORE: "memory" }, file).responses.store, "memory");
  equal(
    parseConfig(["--responses-store", "rediss://:pw@cache:6380"], { RELAY_RESPONSES_STORE: "memory" }, file)
      .responses.store,
    "rediss://:pw@cache:6380",
  );
  equal(parseConfig([], {}).responses.store, "memory");
  throws(() => parseConfig(["--responses-store", "mysql://root:hunter2@db/x"], {}), (error: Error) => {
    ok(error.message.startsWith("--responses-store must be memory or a redis:// or rediss:// URL"));
    ok(!error.message.includes("hunter2"), error.message);
    return true;
  });
  ok(!SettingsSchema.safeParse({ responses: { store: "postgres://db" } }).success);
  ok(!SettingsSchema.safeParse({ responses: { ttl: 1 } }).success, "unknown keys are refused");
});

Deno.test("a rebuilt app (a config reload) keeps the stored responses of the one before", async () => {
  const store = new MemoryResponseStore();
  let opened = 0;
  const openStore = () => (opened++, Promise.resolve(store));
  const config = parseConfig(["--simulator"], {});
  let current = await configuredApp(config, new AbortController().signal, { openStore });
  const server = await serve({ fetch: (request) => current.app.fetch(request), port: 0 });
  try {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "sgp_local", maxRetries: 0 });
    const first = await openai.responses.create({
      model: "anthropic::2024-10-22::claude-sonnet-4-latest",
      input: "Hi",
    });
    current = await configuredApp(config, new AbortController().signal, { openStore });
    const second = await openai.responses.create({ previous_response_id: first.id, input: "Again" });
    equal(second.previous_response_id, first.id);
    equal(opened, 2);
    equal(store.size, 2);
  } finally {
    await server.shutdown();
  }
});
