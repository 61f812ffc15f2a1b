/**
 * Stored responses (`store: true`, the Responses API's default): what a follow-up with
 * `previous_response_id` continues and `GET /v1/responses/{id}` returns, kept per client
 * key. The relay stays stateless: an in-memory store serves one replica, a Redis store
 * lets several replicas behind a load balancer share conversations.
 *
 * @module
 */
import type { InputItem } from "../../fronts/responses/request.ts";
import type { ResponseObject } from "../../fronts/responses/stream.ts";

/** One stored response: never a credential, only what the client sent and got. */
export interface StoredResponse {
  /** The response object as the client got it. */
  response: ResponseObject;
  /** The conversation before its output: the previous response's items, then this request's input, each with an `id`. */
  input: InputItem[];
}

/**
 * Where stored responses are kept. `scope` is the digest of the client's key
 * (`keyScope` in `lib/server/client_key.ts`): a response is found only with the key that created it.
 */
export interface ResponseStore {
  /** Keeps a response; false when it cannot be kept (larger than the whole store). */
  put(scope: string, record: StoredResponse): Promise<boolean>;
  /** The response `id` of `scope`, unless unknown, expired or deleted. */
  get(scope: string, id: string): Promise<StoredResponse | undefined>;
  /** Deletes a response; false when there was none. */
  delete(scope: string, id: string): Promise<boolean>;
  /** Releases the store's connections. */
  close(): Promise<void>;
}
