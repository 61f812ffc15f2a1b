import { AdapterUpstream } from "../adapters/adapter_upstream.ts";
import { codyAdapter, type CodyAdapterOptions, type CodyState } from "./adapter.ts";

/** Options of {@link CodyUpstream}. */
export interface CodyUpstreamOptions extends CodyAdapterOptions {
  /**
   * The fetch to use: `globalThis.fetch` to go through an HTTP proxy (Deno and Bun honour
   * `HTTPS_PROXY`), or an in-process simulator's. @default http1Fetch
   */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * The Sourcegraph Cody upstream: the {@link codyAdapter} served by an `AdapterUpstream`
 * (`POST /.api/completions/stream`, `/.api/completions/code` for fill-in-the-middle, with
 * api-version negotiation, credentials and error mapping; models from the instance's catalog).
 *
 * @example
 * ```ts ignore
 * import { CodyUpstream } from "./upstream.ts";
 * import { answerStream } from "../hub/answer_stream.ts";
 * const cody = new CodyUpstream({ endpoint: "https://sourcegraph.example.com", accessToken: "sgp_…" });
 * const events = await answerStream(cody, { messages: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }] }, {});
 * for await (const event of events) console.log(event);
 * ```
 */
export class CodyUpstream extends AdapterUpstream<CodyState> {
  /** Checks the endpoint; nothing is fetched until the first request. */
  constructor(options: CodyUpstreamOptions) {
    super(codyAdapter(options), options.fetch ? { fetch: options.fetch } : {});
  }
}
