/**
 * What one request costs the relay in process, without sockets: `createApp`'s fetch over a
 * Cody upstream whose fetch answers at once with the fixed upstream's one-body answer
 * (`bench/fixed_upstream.ts`: 200 deltas), one request at a time (as one user's agent
 * sends them) or `--concurrency` at once, and the same for the stage proxy's handler
 * (`bench/stage_proxy.ts`, the exported stages with none of the relay's features) over the
 * same answer. Prints µs and bytes allocated per request for each of four rounds: the
 * bytes move by well under 1% between runs, the time by a fifth. Not measured: the
 * server's sockets, `Deno.serve`, and the CLI's additions to `createApp` (the web
 * console's request log), except as asked: `--metrics` adds the relay with `/metrics` on,
 * and `--log-lines` logs each request's line at `info` into the CLI's buffered sink (text
 * lines, secrets redacted, written nowhere) for every target. `--agent` sends instead a coding
 * agent's request of about 150 KB (`bench/agent_requests.ts`) to the relay's OpenAI chat,
 * Anthropic, Responses and Gemini fronts, as the next turn of a conversation the relay has
 * seen (the same texts each time) and as a conversation it has not (new texts each time).
 *
 * `deno run -A bench/request_cost.ts [--requests 20000] [--concurrency 1] [--metrics] [--log-lines] [--agent]`
 *
 * @module
 */
import v8 from "node:v8";
import { parseArgs } from "node:util";
import { configure } from "@logtape/logtape";
import { CodyUpstream, createApp, type OutgoingRequest } from "../mod.ts";
import { bufferedSink } from "../lib/cli/buffered_sink.ts";
import { logFormatter } from "../lib/cli/log_format.ts";
import { redactor } from "../lib/server/redact.ts";
import { agentRequests } from "./agent_requests.ts";
import { ANSWER_DELTAS, answerDeltas, codyEvents } from "./fixed_upstream.ts";
import { stageProxy } from "./stage_proxy.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "1" },
    metrics: { type: "boolean", default: false },
    "log-lines": { type: "boolean", default: false },
    agent: { type: "boolean", default: false },
  },
});

/** The figure V8 reports that the `HeapInfo` type of `node:v8` leaves out. */
interface HeapStatistics {
  total_allocated_bytes: number;
}
const allocated = () => (v8.getHeapStatistics() as unknown as HeapStatistics).total_allocated_bytes;

const ENDPOINT = "http://fixed.invalid";
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const answers: Record<string, Uint8Array<ArrayBuffer>> = {
  "/.api/completions/stream": new TextEncoder().encode(codyEvents(answerDeltas(ANSWER_DELTAS)).join("")),
  "/.api/client-config": json({ codyEnabled: true, chatEnabled: true, latestSupportedCompletionsStreamAPIVersion: 9 }),
  "/.api/modelconfig/supported-models.json": Deno.readFileSync(
    new URL("../tests/fixtures/cody/supported-models.json", import.meta.url),
  ),
};
/** The fixed upstream's answers, at once: what the relay's HTTP client would hand on after one read. */
const answer = (url: URL) => {
  const body = answers[url.pathname];
  if (!body) return Promise.resolve(new Response("not found", { status: 404 }));
  const type = url.pathname.endsWith("/stream") ? "text/event-stream" : "application/json";
  return Promise.resolve(new Response(body, { headers: { "content-type": type } }));
};
const fetch = Object.assign((request: Request) => answer(new URL(request.url)), {
  send: (request: OutgoingRequest) => answer(request.url),
});

const relay = (metrics: boolean) =>
  createApp({ upstream: new CodyUpstream({ endpoint: ENDPOINT, accessToken: "sgp_bench", fetch }), metrics }).fetch;
type Handler = (request: Request) => Response | Promise<Response>;
const targets: [string, Handler][] = [
  ["stage proxy", stageProxy(ENDPOINT, "sgp_bench", fetch.send)],
  ["relay (createApp)", relay(false)],
];
if (values.metrics) targets.push(["relay with --metrics", relay(true)]);
if (values["log-lines"]) {
  const [format, redact] = [logFormatter("text"), redactor(["sgp_bench"])];
  const sink = bufferedSink(() => {}, (record) => redact(format(record)));
  await configure({
    sinks: { sink },
    loggers: [
      { category: "cody-relay", lowestLevel: "info", sinks: ["sink"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["sink"] },
    ],
  });
}
const body = JSON.stringify({ messages: [{ role: "user", content: "bench" }], stream: true });

/** Sends `count` streamed chat requests, `concurrency` at a time, and checks each answer's end. */
async function load(handler: Handler, count: number, concurrency: number) {
  let sent = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (sent++ < count) {
      const headers = { "content-type": "application/json", "content-length": String(body.length) };
      const response = await handler(
        new Request("http://relay/v1/chat/completions", { method: "POST", body, headers }),
      );
      const text = await response.text();
      if (!text.endsWith("data: [DONE]\n\n")) throw new Error(`an answer ended otherwise: ${text.slice(-200)}`);
    }
  }));
}

const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
if (values.agent) {
  await agentCost(relay(false), Math.min(requests, 1000));
  Deno.exit(0);
}
console.log(`| target (${concurrency} at a time) | µs per request, 4 rounds | bytes allocated per request |`);
console.log("| --- | --- | --- |");
for (const [name, handler] of targets) {
  await load(handler, 5_000, concurrency);
  const times: string[] = [];
  const bytes: string[] = [];
  for (let round = 0; round < 4; round++) {
    const bytesBefore = allocated();
    const started = performance.now();
    await load(handler, requests, concurrency);
    times.push(((performance.now() - started) * 1000 / requests).toFixed(1));
    bytes.push(((allocated() - bytesBefore) / requests).toFixed(0));
  }
  console.log(`| ${name} | ${times.join(", ")} | ${bytes.join(", ")} |`);
}

/**
 * What an agent's request costs each front, one at a time: the same conversation again
 * (what the relay remembers from earlier turns counts), and a new one for each request.
 */
async function agentCost(handler: Handler, count: number) {
  console.log("| front | request | µs per request, 3 rounds | bytes allocated per request |");
  console.log("| --- | --- | --- | --- |");
  const send = async ({ path, body, end }: { path: string; body: string; end: string }) => {
    const response = await handler(
      new Request(`http://relay${path}`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "content-length": String(new Blob([body]).size) },
      }),
    );
    const text = await response.text();
    if (!text.includes(end)) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 300)}`);
  };
  for (const [index, { front, body }] of agentRequests("seen").entries()) {
    for (const seen of [true, false]) {
      // Built before the clock starts: a new conversation's request for each one sent.
      const batch = () =>
        Array.from(
          { length: count },
          (_, at) => seen ? agentRequests("seen")[index] : agentRequests(`new ${at}`)[index],
        );
      await Promise.all(await Array.fromAsync(batch().slice(0, 50), send));
      const times: string[] = [];
      const bytes: string[] = [];
      for (let round = 0; round < 3; round++) {
        const sent = batch();
        const bytesBefore = allocated();
        const started = performance.now();
        for (const one of sent) await send(one);
        times.push(((performance.now() - started) * 1000 / count).toFixed(0));
        bytes.push(((allocated() - bytesBefore) / count).toFixed(0));
      }
      console.log(
        `| ${front} (${(body.length / 1024).toFixed(0)} KB) | ${seen ? "next turn" : "new conversation"} | ${
          times.join(", ")
        } | ${bytes.join(", ")} |`,
      );
    }
  }
}
