/**
 * The least a relay built on this library's stages costs: an OpenAI chat endpoint over a
 * Sourcegraph instance made only of what `mod.ts` exports (the request parser, Cody's
 * request builder, `http1Fetch` read by `bodyOf`, Cody's decoder core, the OpenAI chat
 * encoder), and none of the relay's features: no routing, model catalog, gateway keys,
 * trace, log line, metrics, retries, continuation, stop sequences, usage estimate or time limits. Next to
 * the floor and the relay in `bench/ab.ts --stages`, it splits what the relay costs per
 * stream into the second hop, the translation and the features.
 *
 * `deno run -A bench/stage_proxy.ts UPSTREAM_URL` (or `bun bench/stage_proxy.ts …`)
 * prints `stage proxy listening on URL`.
 *
 * @module
 */
import process from "node:process";
import {
  AnswerEncoder,
  bodyOf,
  buildCodyRequest,
  CodyEventDecoder,
  http1Fetch,
  openAIChatEncoding,
  type OutgoingFetch,
  parseChatRequest,
  type RelayEvent,
} from "../mod.ts";
import { floorServe } from "./floor_proxy.ts";

/**
 * The handler: each request parsed, sent to `upstream` as Cody's api-version 9 with
 * `token` (by `send`), and the answer translated one network read at a time into one
 * response body.
 *
 * @example
 * ```ts ignore
 * const handler = stageProxy("http://127.0.0.1:9000", "sgp_…");
 * ```
 */
export function stageProxy(
  upstream: string,
  token: string,
  send: NonNullable<OutgoingFetch["send"]> = http1Fetch.send,
): (request: Request) => Promise<Response> {
  const url = new URL("/.api/completions/stream?api-version=9&client-name=cody-relay", upstream);
  const headers = { "content-type": "application/json", authorization: `token ${token}` };
  return async (request) => {
    const parsed = parseChatRequest(await request.json());
    const body = JSON.stringify(buildCodyRequest(parsed.request, { apiVersion: 9 }));
    const response = await send({ url, method: "POST", headers, body, signal: request.signal });
    const decoder = new CodyEventDecoder();
    const encoder = new AnswerEncoder(
      openAIChatEncoding({ id: "chatcmpl-stage", created: 0, model: parsed.model, includeUsage: false }),
    );
    let text = encoder.start();
    const encode = (events: RelayEvent[]) => {
      for (const event of events) text += encoder.push(event);
    };
    await new Promise<void>((resolve) => {
      // To the end of the body (the decoder ignores what follows the answer): the connection is kept.
      bodyOf(response).start((bytes) => encode(decoder.push(bytes)), () => resolve(encode(decoder.flush())));
    });
    return new Response(text, { headers: { "content-type": "text/event-stream" } });
  };
}

if (import.meta.main) {
  const [upstream, token = "sgp_bench"] = process.argv.slice(-2);
  floorServe(stageProxy(upstream, token), "stage proxy");
}
