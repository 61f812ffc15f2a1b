/**
 * The response stores: in memory (bounded by count and bytes, expiring, scoped per key) and
 * Redis, against a real `redis-server` (Debian's package) that the tests start on a free
 * port without persistence and stop again; two relays sharing it continue each other's
 * conversations.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import OpenAI from "openai";
import { RelayError } from "../../lib/hub/errors.ts";
import { MemoryResponseStore } from "../../lib/server/responses_store/memory_store.ts";
import { openResponseStore } from "../../lib/server/responses_store/open_store.ts";
import { RedisResponseStore } from "../../lib/server/responses_store/redis_store.ts";
import { keyScope } from "../../lib/server/client_key.ts";
import type { ResponseStore, StoredResponse } from "../../lib/server/responses_store/store.ts";
import { startStack, TOKEN } from "../harness.ts";

const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";

function record(id: string, text = "x"): StoredResponse {
  return {
    response: { id, object: "response", output: [], text } as unknown as StoredResponse["response"],
    input: [{ type: "message", id: "msg_1", role: "user", content: [{ type: "input_text", text }] }],
  };
}

/** What every store does: keep, find by scope and id, delete once. */
async function behavesAsAStore(store: ResponseStore): Promise<void> {
  const alice = keyScope("sk-alice");
  const bob = keyScope("sk-bob");
  ok(await store.put(alice, record("resp_a")));
  deepEqual(await store.get(alice, "resp_a"), record("resp_a"));
  equal(await store.get(bob, "resp_a"), undefined, "another key's scope does not see it");
  equal(await store.delete(bob, "resp_a"), false);
  equal(await store.delete(alice, "resp_a"), true);
  equal(await store.get(alice, "resp_a"), undefined);
  equal(await store.delete(alice, "resp_a"), false);
}

Deno.test("key scopes are digests: the key itself is never kept", () => {
  equal(keyScope("sk-alice"), keyScope("sk-alice"));
  ok(!keyScope("sk-alice").includes("alice"));
  ok(keyScope(undefined) !== keyScope("sk-alice"));
});

Deno.test("memory store: scoped by key, bounded by count and by bytes (oldest first), expiring", async () => {
  await behavesAsAStore(new MemoryResponseStore());
  const scope = keyScope("k");
  const counted = new MemoryResponseStore({ maxCount: 2 });
  for (const id of ["resp_1", "resp_2", "resp_3"]) await counted.put(scope, record(id));
  deepEqual(await Promise.all(["resp_1", "resp_2", "resp_3"].map(async (id) => !!await counted.get(scope, id))), [
    false,
    true,
    true,
  ]);
  const size = JSON.stringify(record("resp_1", "y".repeat(100))).length;
  const sized = new MemoryResponseStore({ maxBytes: size * 2 + 10 });
  for (const id of ["resp_1", "resp_2", "resp_3"]) await sized.put(scope, record(id, "y".repeat(100)));
  equal(sized.size, 2);
  ok(sized.bytes <= size * 2 + 10);
  equal(await sized.get(scope, "resp_1"), undefined);
  equal(await sized.put(scope, record("resp_big", "z".repeat(size * 3))), false, "larger than the whole store");
  let now = 0;
  const expiring = new MemoryResponseStore({ ttlMs: 1000, now: () => now });
  await expiring.put(scope, record("resp_1"));
  now = 999;
  ok(await expiring.get(scope, "resp_1"));
  now = 1000;
  equal(await expiring.get(scope, "resp_1"), undefined);
  equal(expiring.size, 0);
  // A kept record is a copy: changing what was put or got does not change it.
  const kept = record("resp_2");
  await expiring.put(scope, kept);
  kept.input.length = 0;
  equal((await expiring.get(scope, "resp_2"))!.input.length, 1);
});

Deno.test("openResponseStore: memory by default, Redis for redis:// URLs, anything else refused", async () => {
  ok(await openResponseStore("memory") instanceof MemoryResponseStore);
  await rejects(openResponseStore("mysql://db"), /redis:\/\//);
});

/** A `redis-server` on a free loopback port, no persistence; undefined (reason printed) if it is not installed. */
async function startRedis(): Promise<(AsyncDisposable & { url: string }) | undefined> {
  const installed = await new Deno.Command("redis-server", { args: ["--version"], stdout: "null", stderr: "null" })
    .output().then((output) => output.success, () => false);
  if (!installed) {
    console.log("Redis store tests skipped: redis-server is not installed (apt-get install redis-server)");
    return undefined;
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  while (!log.includes("Ready to accept connections")) {
    const { done, value } = await output.read();
    if (done) throw new Error(`redis-server did not start: ${log}`);
    log += value;
  }
  const drained = (async () => {
    while (!(await output.read()).done) { /* keep reading so redis-server never blocks on its log */ }
  })();
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}/0`,
    async [Symbol.asyncDispose]() {
      if (stopped) return;
      stopped = true;
      child.kill("SIGTERM");
      await child.status;
      await drained;
      await child.stderr.cancel();
    },
  };
}

Deno.test("Redis store: scoped by key, expiring, and failing with a 503 (not hanging) once Redis is gone", async () => {
  await using redis = await startRedis();
  if (!redis) return;
  const store = await openResponseStore(redis.url);
  ok(store instanceof RedisResponseStore);
  try {
    await behavesAsAStore(store);
    const short = await RedisResponseStore.open(redis.url, { ttlMs: 100, prefix: "test:" });
    await short.put(keyScope("k"), record("resp_1"));
    ok(await short.get(keyScope("k"), "resp_1"));
    await new Promise((resolve) => setTimeout(resolve, 250));
    equal(await short.get(keyScope("k"), "resp_1"), undefined);
    await short.close();
  } finally {
    await store.close();
  }
  const orphan = await RedisResponseStore.open(redis.url);
  await redis[Symbol.asyncDispose]();
  const started = Date.now();
  const error = await orphan.get(keyScope("k"), "resp_1").then(() => undefined, (error) => error);
  ok(error instanceof RelayError && error.status === 503, String(error));
  ok(Date.now() - started < 10_000);
  await orphan.close();
});

Deno.test("two relays sharing one Redis store continue each other's conversations; Redis holds no key", async () => {
  await using redis = await startRedis();
  if (!redis) return;
  const storeA = await openResponseStore(redis.url);
  const storeB = await openResponseStore(redis.url);
  await using replicaA = await startStack({ app: { responsesStore: storeA } });
  await using replicaB = await startStack({ app: { responsesStore: storeB } });
  try {
    const client = (url: string, apiKey = TOKEN) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });
    const first = await client(replicaA.relayUrl).responses.create({ model: MODEL, input: "My name is Ada." });
    const stream = client(replicaB.relayUrl).responses.stream({
      model: MODEL,
      previous_response_id: first.id,
      input: "What is my name?",
    });
    const second = await stream.finalResponse();
    equal(second.output_text, `This is the cody-relay simulator answering as ${MODEL}. You said: What is my name?`);
    deepEqual(replicaB.simulator.requests.at(-1)?.body?.messages?.map((message) => message.speaker), [
      "human",
      "assistant",
      "human",
    ]);
    const retrieved = await client(replicaA.relayUrl).responses.retrieve(second.id);
    equal(retrieved.output_text, second.output_text);
    const stranger = await client(replicaA.relayUrl, "sgp_0000000000000000_stranger").responses.retrieve(second.id)
      .then(() => 200, (error) => error.status);
    equal(stranger, 404);
    const dump = await new Deno.Command("redis-cli", {
      args: [
        "-u",
        redis.url,
        "--no-raw",
        "eval",
        "local out = '' for _, k in ipairs(redis.call('keys', '*')) do out = out .. k .. redis.call('get', k) end return out",
        "0",
      ],
      stdout: "piped",
      stderr: "null",
    }).output().then((output) => new TextDecoder().decode(output.stdout), () => "");
    ok(dump.includes(first.id), "the dump read the store");
    ok(!dump.includes(TOKEN), "no credential is stored");
  } finally {
    await storeA.close();
    await storeB.close();
  }
});
