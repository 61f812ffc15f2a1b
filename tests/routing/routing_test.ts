/** Two upstreams behind one relay (a Cody instance and an OpenAI-style server), driven by the openai client. */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import OpenAI from "openai";
import { CodyUpstream } from "../../lib/cody/upstream.ts";
import { OpenAICompatibleUpstream } from "../../lib/openai_compatible/upstream.ts";
import { codyAliases, RoutingUpstream } from "../../lib/routing/routing_upstream.ts";
import { createApp } from "../../lib/server/app.ts";
import { serve } from "../../lib/server/serve.ts";
import { createSimulator } from "../../lib/simulator/simulator.ts";
import { TOKEN } from "../harness.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";

async function routedStack() {
  const cody = createSimulator({ accessTokens: [TOKEN], maxOutputTokens: 20 });
  const local = createSimulator({ accessTokens: ["sk-local"] });
  const codyServer = await serve({ fetch: cody.fetch, port: 0 });
  const localServer = await serve({ fetch: local.fetch, port: 0 });
  const upstream = new RoutingUpstream({
    cody: new CodyUpstream({ endpoint: codyServer.url, accessToken: TOKEN }),
    local: new OpenAICompatibleUpstream({ baseUrl: `${localServer.url}/v1`, apiKey: "sk-local" }),
  }, {
    models: {
      ...codyAliases("cody"),
      fast: { upstream: "local", model: "anthropic::2024-10-22::claude-3-5-haiku-latest" },
      capped: { upstream: "cody", model: SONNET, maxTokens: 5, allowedParameters: ["stop"] },
      single: { upstream: "cody", model: SONNET, continuation: false },
    },
    prefixes: { "local/": "local" },
    default: "cody",
  });
  const relay = await serve({
    fetch: createApp({ upstream, retry: { maxRetries: 0 }, maxContinuations: 8 }).fetch,
    port: 0,
  });
  return {
    cody,
    local,
    openai: new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "any", maxRetries: 0 }),
    async [Symbol.asyncDispose]() {
      await Promise.all([relay.shutdown(), codyServer.shutdown(), localServer.shutdown()]);
    },
  };
}

const ask = (openai: OpenAI, model: string) =>
  openai.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });

Deno.test("aliases resolve against the instance's list; prefixes and table entries reach their upstream", async () => {
  await using stack = await routedStack();
  match((await ask(stack.openai, "cody-sonnet")).choices[0].message.content!, new RegExp(`answering as ${SONNET}\\.`));
  equal(stack.cody.requests.at(-1)?.body?.model, SONNET, "the plain model, not its -thinking variant");
  match((await ask(stack.openai, "cody-haiku")).choices[0].message.content!, /claude-3-5-haiku-latest/);
  match((await ask(stack.openai, `local/${SONNET}`)).choices[0].message.content!, new RegExp(SONNET));
  equal(stack.local.requests.at(-1)?.path, "/v1/chat/completions");
  await ask(stack.openai, "fast");
  equal(stack.local.requests.at(-1)?.body?.model, "anthropic::2024-10-22::claude-3-5-haiku-latest");
  await ask(stack.openai, SONNET);
  equal(stack.cody.requests.at(-1)?.body?.model, SONNET, "the default upstream's own ids route as they are");
});

Deno.test("an unknown model is a 404 listing close matches; an alias the instance cannot serve is a 404", async () => {
  await using stack = await routedStack();
  const error = await ask(stack.openai, "cody-sonet").then(() => undefined, (error) => error);
  ok(error instanceof OpenAI.NotFoundError, String(error));
  match(error.message, /The model 'cody-sonet' does not exist here; did you mean 'cody-sonnet'/);
  const opus = await ask(stack.openai, "cody-opus").then(() => undefined, (error) => error);
  ok(opus instanceof OpenAI.NotFoundError);
  match(opus.message, /matches none of cody's models/);
});

Deno.test("the model list shows every routable id, aliases included, owned by their upstream", async () => {
  await using stack = await routedStack();
  const models = (await stack.openai.models.list()).data;
  const owner = (id: string) => models.find((model) => model.id === id)?.owned_by;
  equal(owner(SONNET), "cody");
  equal(owner(`local/${SONNET}`), "local");
  equal(owner("cody-sonnet"), "cody");
  equal(owner("fast"), "local");
  equal(owner("cody-opus"), undefined, "an alias that resolves to nothing is not listed");
  deepEqual(models.filter((model) => model.id.startsWith("cody-")).map((model) => model.id).sort(), [
    "cody-gemini",
    "cody-gpt4",
    "cody-haiku",
    "cody-sonnet",
  ]);
});

Deno.test("per-model overrides: a default budget, continuation off, parameters a model refuses", async () => {
  await using stack = await routedStack();
  const long = (model: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
    stack.openai.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Hi [[sim words=60]]" }],
      ...extra,
    });
  const capped = await long("capped");
  equal(capped.choices[0].finish_reason, "length");
  equal(stack.cody.requests.at(-1)?.body?.maxTokensToSample, 5);
  const continued = await long(SONNET, { max_tokens: 200 });
  equal(continued.choices[0].message.content!.split(" ").length, 60, "the plain id is continued past the cap of 20");
  const single = await long("single", { max_tokens: 200 });
  equal(single.choices[0].finish_reason, "length", "continuation is off for this model");
  const refused = await long("capped", { temperature: 0.5 }).then(() => undefined, (error) => error);
  ok(refused instanceof OpenAI.BadRequestError);
  match(refused.message, /temperature is not accepted by 'capped'/);
});

Deno.test("each alias names the listed id it resolves to (the console folds it into that model's row)", async () => {
  const listing = (ids: string[]) => ({
    open: () => Promise.reject(new Error("unused")),
    models: () => Promise.resolve(ids.map((id) => ({ id, ownedBy: "provider" }))),
  });
  const router = new RoutingUpstream({
    cody: listing([SONNET, "haiku"]),
    local: listing(["llama3"]),
    hidden: listing(["x"]),
  }, {
    models: {
      ...codyAliases("cody"),
      fast: { upstream: "local", model: "llama3" },
      secret: { upstream: "hidden", model: "x" },
    },
    prefixes: { "local/": "local" },
    default: "cody",
  });
  const aliasOf = Object.fromEntries((await router.models({})).map((model) => [model.id, model.aliasOf]));
  equal(aliasOf["cody-sonnet"], SONNET);
  equal(aliasOf["cody-haiku"], "haiku");
  equal(aliasOf.fast, "local/llama3", "the prefixed id of another upstream's model");
  equal(aliasOf.secret, undefined, "a model no other id routes to: the alias is its only id");
  equal(aliasOf[SONNET], undefined);
});
