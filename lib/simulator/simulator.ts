import { type Context, Hono } from "hono";
import { messageText, planAnswer, readConversation, type SimulatedBody } from "./answer.ts";
import {
  type ChunkStyle,
  openAIChunks,
  openAICompletion,
  type ReceivedChatBody,
  simulatedBodyOf,
} from "./openai_protocol.ts";
import { DEFAULT_CATALOG, type SimulatorCatalog, type SimulatorModel } from "./catalog.ts";
import { parseDirective, type SimulatorFault } from "./faults.ts";
import { answerBody, answerFrames } from "./frames.ts";
import { frameStream, OPENAI_WIRE, type SimulatedOutcome } from "./frame_stream.ts";

/** Options of {@link createSimulator}. */
export interface SimulatorOptions {
  /** The highest api-version the fake instance accepts and reports. @default 9 */
  apiVersion?: number;
  /** Valid access tokens; any `token …` is accepted when unset. */
  accessTokens?: string[];
  /** Valid `sgs` session cookies; any is accepted when unset. */
  sessionCookies?: string[];
  /** The model catalog. @default DEFAULT_CATALOG */
  catalog?: SimulatorCatalog;
  /** Serve `/.api/client-config` (older instances have none). @default true */
  clientConfig?: boolean;
  /** Milliseconds between answer frames. @default 0 */
  paceMs?: number;
  /** Each model's own output cap, whatever `maxTokensToSample` asks for. @default none */
  maxOutputTokens?: number;
  /** Keep every request in `requests` (turn off for a long-running server). @default true */
  recordRequests?: boolean;
  /** `/.api/llm/chat/completions` accepts `system` messages (Sourcegraph up to at least 6.12 answers 400). @default false */
  llmSystemRole?: boolean;
}

/** What the simulator saw of one request (never the credential itself). */
export interface SimulatedRequest {
  /** The HTTP method. */
  method: string;
  /** The URL path, without the query. */
  path: string;
  /** The `api-version` query parameter, or null when absent. */
  apiVersion: string | null;
  /** The `client-name` query parameter. */
  clientName: string | null;
  /** How the caller authenticated. */
  auth: "token" | "session" | "none";
  /** Non-secret request headers, lower-cased. */
  headers: Record<string, string>;
  /** The parsed JSON body of a completions request. */
  body?: SimulatedBody & Record<string, unknown>;
  /** Resolves when the response has been fully sent, aborted by the client, or reset. */
  outcome: Promise<SimulatedOutcome>;
}

/** A running fake Sourcegraph instance: a fetch handler plus what tests need to steer it. */
export interface Simulator {
  /** Handles a request as the instance would; pass it to `serve` or use in-process. */
  fetch(request: Request): Promise<Response>;
  /** Every request received, oldest first (empty when `recordRequests` is off). */
  readonly requests: SimulatedRequest[];
  /** Queues faults, one per coming completions request, in order. */
  script(...faults: SimulatorFault[]): void;
}

const RECORDED_HEADERS = [
  "user-agent",
  "x-requested-with",
  "accept-encoding",
  "content-type",
  "x-sourcegraph-api-client-name",
];

/**
 * A faithful fake Sourcegraph instance (cody-protocol.md): `/.api/completions/stream` and
 * `/code`, `/.api/client-config`, `/.api/modelconfig/supported-models.json`,
 * `/.api/llm/models`; its auth rules and 401 texts, api-version behaviour (cumulative
 * below 2, usage at 5, thinking at 8, tools at 9, 406 otherwise), Go-style escaping,
 * `done` after every stream, text/plain errors. Faults are scripted per request.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { createSimulator } from "./simulator.ts";
 * const simulator = createSimulator();
 * const response = await simulator.fetch(new Request("http://sim/.api/completions/stream?api-version=9", {
 *   method: "POST",
 *   headers: { authorization: "token sgp_demo" },
 *   body: JSON.stringify({ messages: [{ speaker: "human", text: "Hi" }], maxTokensToSample: 50 }),
 * }));
 * equal(response.headers.get("content-type"), "text/event-stream");
 * await response.body?.cancel();
 * ```
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const latest = options.apiVersion ?? 9;
  const catalog = options.catalog ?? DEFAULT_CATALOG;
  const queued: SimulatorFault[] = [];
  const requests: SimulatedRequest[] = [];
  const app = new Hono<SimulatorEnv>();

  app.use(async (c, next) => {
    const url = new URL(c.req.url);
    let settle!: (outcome: SimulatedOutcome) => void;
    const record: SimulatedRequest = {
      method: c.req.method,
      path: url.pathname,
      apiVersion: url.searchParams.get("api-version"),
      clientName: url.searchParams.get("client-name"),
      auth: "none",
      headers: Object.fromEntries(
        RECORDED_HEADERS.flatMap((name) => c.req.header(name) ? [[name, c.req.header(name)!]] : []),
      ),
      outcome: new Promise((resolve) => settle = resolve),
    };
    if (options.recordRequests !== false) requests.push(record);
    c.set("record", record);
    c.set("settle", settle);
    const auth = authenticate(c.req.raw.headers, options);
    if (auth === "invalid-token") return plain(401, "Invalid access token.", settle);
    if (auth === "bad-header") return plain(401, "Invalid Authorization header.", settle);
    record.auth = auth;
    await next();
    if (!c.res.body || c.res.headers.get("content-type") !== "text/event-stream") settle("completed");
  });

  app.get("/.api/client-config", (c) => {
    if (options.clientConfig === false) return plain(404, "404 page not found");
    return c.json({
      codyEnabled: true,
      chatEnabled: true,
      autoCompleteEnabled: true,
      customCommandsEnabled: true,
      attributionEnabled: false,
      attribution: "none",
      smartContextWindowEnabled: true,
      modelsAPIEnabled: true,
      latestSupportedCompletionsStreamAPIVersion: latest,
    });
  });
  app.get(
    "/.api/modelconfig/supported-models.json",
    () => plain(200, JSON.stringify({ schemaVersion: "1.0", revision: "simulator", ...catalog })),
  );
  app.get("/.api/llm/models", (c) =>
    c.json({
      object: "list",
      data: catalog.models.map((model) => ({
        id: model.modelRef,
        object: "model",
        created: 0,
        owned_by: model.modelRef.split("::")[0],
      })),
    }));

  /** The fault to play on a request (scripted, then its directive) and the answer it gets. */
  const answer = (body: SimulatedBody, model: SimulatorModel, tools: boolean) => {
    const { question, alreadySaid, argumentsAfter } = readConversation(body.messages);
    const directive = parseDirective(messageText(question));
    const fault: SimulatorFault = { paceMs: options.paceMs, ...queued.shift(), ...directive.fault };
    const plan = planAnswer(body, {
      displayModel: model.modelRef,
      thinking: model.capabilities.includes("reasoning"),
      tools,
      question,
      userText: directive.text,
      words: fault.words,
      code: fault.code,
      alreadySaid,
      argumentsAfter,
      repeatWords: fault.repeatWords,
      restartLine: !!fault.restartLine,
      reopenFence: !!fault.reopenFence,
      outputCap: options.maxOutputTokens,
      tool: fault.tool,
    });
    return { fault, plan };
  };

  // The OpenAI protocol (the seed's "mock server"): Bearer tokens, the same models and faults.
  app.get("/v1/models", (c) =>
    c.json({
      object: "list",
      data: catalog.models.filter((model) => model.capabilities.includes("chat")).map((model) => ({
        id: model.modelRef,
        object: "model",
        created: 0,
        owned_by: model.modelRef.split("::")[0],
      })),
    }));
  /** OpenAI chat on `/v1` (Bearer), or Sourcegraph's `/.api/llm` (its own auth too; its chunk quirks; no system role). */
  const openAIChat = (style: ChunkStyle) => async (c: Context<SimulatorEnv>) => {
    const record = c.get("record");
    const settle = c.get("settle");
    const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const bearerValid = !!bearer && (!options.accessTokens || options.accessTokens.includes(bearer));
    if (!bearerValid && (style === "openai" || record.auth === "none")) {
      return openAIError(401, "Incorrect API key provided.", "invalid_api_key", settle);
    }
    if (bearerValid) record.auth = "token";
    let body: ReceivedChatBody;
    try {
      body = await c.req.json();
    } catch {
      return openAIError(400, "We could not parse the JSON body of your request.", null, settle);
    }
    record.body = body as SimulatedRequest["body"];
    if (style === "sourcegraph" && !options.llmSystemRole && body.messages?.some((m) => m.role === "system")) {
      return openAIError(400, "system role is not supported", null, settle);
    }
    const model = resolveModel(catalog, body.model, "stream");
    if (typeof model === "string") return openAIError(404, model, "model_not_found", settle);
    const simulated = simulatedBodyOf(body);
    const { fault, plan } = answer(simulated, model, true);
    if (fault.status || fault.html) return faultResponse(fault, true);
    if (fault.garbage) return garbage(settle);
    const meta = {
      id: `chatcmpl-sim${requests.length}`,
      created: Math.floor(Date.now() / 1000),
      model: model.modelRef,
    };
    if (body.stream !== true) return c.json(await openAICompletion(plan, simulated, meta));
    const frames = await openAIChunks(plan, simulated, meta, body.stream_options?.include_usage === true, style);
    const wire = style === "openai" ? OPENAI_WIRE : { ...OPENAI_WIRE, done: "" };
    return new Response(frameStream(frames, fault, settle, wire), { headers: SSE_HEADERS });
  };
  app.post("/v1/chat/completions", openAIChat("openai"));
  app.post("/.api/llm/chat/completions", openAIChat("sourcegraph"));

  for (const kind of ["stream", "code"] as const) {
    app.all(`/.api/completions/${kind}`, async (c) => {
      const record = c.get("record");
      const settle = c.get("settle");
      if (c.req.method !== "POST") return plain(405, "Method Not Allowed");
      if (record.auth === "none") return plain(401, "cody is not enabled: not authenticated");
      const apiVersion = record.apiVersion === null ? 0 : Number(record.apiVersion);
      if (
        !(Number.isInteger(apiVersion) && apiVersion >= (record.apiVersion === null ? 0 : 1) && apiVersion <= latest)
      ) {
        return plain(406, "Unsupported API Version (Please update your client)");
      }
      let body: SimulatedRequest["body"];
      try {
        body = await c.req.json();
      } catch {
        return plain(400, "could not decode request body");
      }
      record.body = body;
      const model = resolveModel(catalog, body?.model, kind);
      if (typeof model === "string") return plain(400, model);
      const { fault, plan } = answer(body ?? {}, model, apiVersion >= 9);
      if (fault.status || fault.html) return faultResponse(fault);
      if (fault.garbage) return garbage(settle);
      const wire = { apiVersion, modelName: model.modelName };
      if (body?.stream === false || (kind === "code" && body?.stream !== true)) {
        return plain(200, answerBody(plan, wire));
      }
      return new Response(frameStream(answerFrames(plan, wire), fault, settle), { headers: SSE_HEADERS });
    });
  }

  return {
    fetch: (request) => Promise.resolve(app.fetch(request)),
    requests,
    script: (...faults) => queued.push(...faults),
  };
}

type Auth = "token" | "session" | "none" | "invalid-token" | "bad-header";

/** What the simulator's middleware hands its routes. */
type SimulatorEnv = { Variables: { record: SimulatedRequest; settle: (outcome: SimulatedOutcome) => void } };

/** Sourcegraph's rules (cody-protocol.md §3.2): `token` scheme; other schemes are ignored. */
function authenticate(headers: Headers, options: SimulatorOptions): Auth {
  const authorization = headers.get("authorization");
  const scheme = authorization?.match(/^token(?:\s+(.*))?$/i);
  if (scheme) {
    const token = scheme[1]?.trim();
    if (!token) return "bad-header";
    return !options.accessTokens || options.accessTokens.includes(token) ? "token" : "invalid-token";
  }
  const session = headers.get("cookie")?.match(/(?:^|;\s*)sgs=([^;]+)/)?.[1];
  if (session && headers.has("x-requested-with")) {
    return !options.sessionCookies || options.sessionCookies.includes(session) ? "session" : "none";
  }
  return "none";
}

function resolveModel(catalog: SimulatorCatalog, requested: unknown, kind: "stream" | "code") {
  const defaultRef = kind === "stream" ? catalog.defaultModels.chat : catalog.defaultModels.codeCompletion;
  const ref = typeof requested === "string" && requested ? requested : defaultRef;
  const model = catalog.models.find((candidate) =>
    candidate.modelRef === ref || `${candidate.modelRef.split("::")[0]}/${candidate.modelName}` === ref
  );
  const capability = kind === "stream" ? "chat" : "autocomplete";
  if (!model || !model.capabilities.includes(capability)) {
    return `unsupported ${kind === "stream" ? "chat" : "code completion"} model "${ref}" (default "${defaultRef}")`;
  }
  return model;
}

/** What a CDN's bot check in front of an instance answers instead of the API. */
const CHALLENGE_PAGE = "<!DOCTYPE html><html><head><title>Just a moment...</title></head>" +
  "<body><h1>Checking your browser before accessing sourcegraph.example.com</h1></body></html>";

/** A response for a `status` or `html` fault: Sourcegraph's text/plain errors, or OpenAI's JSON ones. */
function faultResponse(fault: SimulatorFault, json = false): Response {
  const status = fault.status ?? 200;
  if (fault.html) {
    return new Response(CHALLENGE_PAGE, { status, headers: { "content-type": "text/html; charset=UTF-8" } });
  }
  if (json) {
    const seconds = status === 429 ? fault.retryAfter ?? 60 : 0;
    const response = openAIError(status, fault.message ?? `simulated upstream failure (HTTP ${status})`, null);
    if (seconds) response.headers.set("retry-after", String(seconds));
    return response;
  }
  if (status !== 429) return plain(status, fault.message ?? `simulated upstream failure (HTTP ${status})`);
  const seconds = fault.retryAfter ?? 60;
  const reset = new Date(Date.now() + seconds * 1000).toUTCString();
  return plain(
    429,
    fault.message ??
      `you exceeded the rate limit for chat_completions, only 100 requests are allowed per day at the moment to ensure the service stays functional. Current usage: 101.${
        seconds ? ` Retry after ${reset}` : ""
      }`,
    undefined,
    { ...(seconds ? { "retry-after": reset } : {}), "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0" },
  );
}

const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" };

/** A 200 event stream that is not one (a misconfigured proxy). */
function garbage(settle: (outcome: SimulatedOutcome) => void): Response {
  settle("completed");
  return new Response("this is not an event stream\n<html>oops</html>\n", {
    headers: { "content-type": "text/event-stream" },
  });
}

/** OpenAI's error body, with the `type` OpenAI uses for the status. */
function openAIError(
  status: number,
  message: string,
  code: string | null,
  settle?: (outcome: SimulatedOutcome) => void,
): Response {
  settle?.("completed");
  const type = status === 401
    ? "authentication_error"
    : status === 429
    ? "rate_limit_error"
    : status >= 500
    ? "server_error"
    : "invalid_request_error";
  return Response.json({ error: { message, type, param: null, code } }, { status });
}

function plain(
  status: number,
  text: string,
  settle?: (outcome: SimulatedOutcome) => void,
  headers: Record<string, string> = {},
): Response {
  settle?.("completed");
  return new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}
