import { getLogger } from "@logtape/logtape";
import { RelayError } from "../../hub/errors.ts";
import type { ResponseStore, StoredResponse } from "./store.ts";

const log = getLogger(["cody-relay", "responses"]);

/** Options of {@link RedisResponseStore}. */
export interface RedisStoreOptions {
  /** How long a response is kept. @default 24 hours */
  ttlMs?: number;
  /** Prefix of every key. @default "cody-relay:responses:" */
  prefix?: string;
}

/** The few commands of an ioredis client the store uses. */
interface RedisClient {
  set(key: string, value: string, mode: "PX", ms: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
}

/**
 * Stored responses in Redis (`responses.store: "redis://…"`), shared by every replica:
 * one key per response (`prefix` + key scope + id) holding its JSON, expiring after
 * `ttlMs`. `ioredis` is loaded only when a Redis store is opened. A Redis that cannot be
 * reached makes the requests that need it fail with a 503, not hang.
 *
 * @example
 * ```ts ignore
 * import { RedisResponseStore } from "./redis_store.ts";
 * const store = await RedisResponseStore.open("redis://127.0.0.1:6379/0");
 * await store.close();
 * ```
 */
export class RedisResponseStore implements ResponseStore {
  readonly #client: RedisClient;
  readonly #ttlMs: number;
  readonly #prefix: string;

  private constructor(client: RedisClient, options: RedisStoreOptions) {
    this.#client = client;
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.#prefix = options.prefix ?? "cody-relay:responses:";
  }

  /** Connects to the Redis at `url` (`redis://` or `rediss://`, with any password and database in it). */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisResponseStore> {
    const { Redis } = await import("ioredis");
    const client = new Redis(url, {
      connectTimeout: 5_000,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    }) as unknown as RedisClient;
    let reported = false;
    client.on("error", (error) => {
      if (reported) return;
      reported = true; // ioredis reconnects forever: say it once per outage
      log.warn("the response store (Redis) is unreachable: {reason}", { reason: error.message });
    });
    client.on("ready", () => {
      if (reported) log.info("the response store (Redis) is reachable again");
      reported = false;
    });
    return new RedisResponseStore(client, options);
  }

  async put(scope: string, record: StoredResponse): Promise<boolean> {
    await this.#call(() =>
      this.#client.set(this.#key(scope, record.response.id), JSON.stringify(record), "PX", this.#ttlMs)
    );
    return true;
  }

  async get(scope: string, id: string): Promise<StoredResponse | undefined> {
    const json = await this.#call(() => this.#client.get(this.#key(scope, id)));
    return json === null ? undefined : JSON.parse(json);
  }

  async delete(scope: string, id: string): Promise<boolean> {
    return await this.#call(() => this.#client.del(this.#key(scope, id))) > 0;
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect());
  }

  #key(scope: string, id: string): string {
    return `${this.#prefix}${scope}:${id}`;
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new RelayError(503, `the response store (Redis) is unavailable: ${(error as Error).message}`, {
        code: "response_store_unavailable",
        cause: error,
      });
    }
  }
}
