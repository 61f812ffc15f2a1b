import { MemoryResponseStore } from "./memory_store.ts";
import { RedisResponseStore } from "./redis_store.ts";
import type { ResponseStore } from "./store.ts";

/**
 * The response store a setting names: none or `memory` for this process's memory (the
 * default), a `redis://` or `rediss://` URL for Redis.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { openResponseStore } from "./open_store.ts";
 * import { MemoryResponseStore } from "./memory_store.ts";
 * ok(await openResponseStore(undefined) instanceof MemoryResponseStore);
 * ```
 */
export async function openResponseStore(setting: string | undefined): Promise<ResponseStore> {
  if (!setting || setting === "memory") return new MemoryResponseStore();
  if (/^rediss?:\/\//.test(setting)) return await RedisResponseStore.open(setting);
  throw new Error(`the response store must be "memory" or a redis:// or rediss:// URL`);
}
