import { Hono } from "hono";
import { getLogger } from "@logtape/logtape";
import { RelayError } from "../../hub/errors.ts";
import type { Upstream } from "../../hub/upstream.ts";
import { estimatePromptTokens } from "../../hub/usage_estimate.ts";
import { clientKey, keyScope } from "../client_key.ts";
import { readJson } from "../read_json.ts";
import { answerRequest, type RespondOptions } from "../respond.ts";
import { responseNotFound, responsesErrorResponse } from "../../fronts/responses/errors.ts";
import {
  type InputItem,
  parseInputItems,
  parseResponsesRequest,
  responsesMessages,
} from "../../fronts/responses/request.ts";
import {
  type ResponseMeta,
  type ResponseObject,
  responsesEncoding,
  toResponse,
} from "../../fronts/responses/stream.ts";
import { MemoryResponseStore } from "../responses_store/memory_store.ts";
import type { ResponseStore, StoredResponse } from "../responses_store/store.ts";
import { failedWith } from "../trace.ts";

const log = getLogger(["cody-relay", "responses"]);

/**
 * Built-in tools clients send on every request whatever the model can do, dropped (with
 * a warning) instead of refused: Codex CLI sends `web_search` each time.
 */
const UNCONDITIONAL_TOOLS: readonly { client: RegExp; tools: readonly string[] }[] = [
  { client: /^codex/i, tools: ["web_search"] },
];

/** Options of {@link responsesRoutes}. */
export interface ResponsesOptions extends RespondOptions {
  /** Where stored responses are kept. @default a new MemoryResponseStore */
  store?: ResponseStore;
}

/**
 * The OpenAI Responses API (Codex CLI, the Agents SDK, `client.responses` of the openai
 * SDK): `POST /responses` (streamed or not), `GET /responses/{id}`,
 * `GET /responses/{id}/input_items`, `DELETE /responses/{id}` and
 * `POST /responses/input_tokens`, every error in OpenAI's shape. Responses are stored
 * unless `store: false`, scoped to the client's key, so that a follow-up can name its
 * `previous_response_id`. Mount it under `/v1` and `/`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { Hono } from "hono";
 * import { responsesRoutes } from "./responses.ts";
 * import { streamUpstream } from "../../hub/answer_stream.ts";
 * const upstream = streamUpstream({
 *   chat: () => Promise.resolve(ReadableStream.from([{ type: "text", text: "Hi" }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([]),
 * });
 * const app = new Hono().route("/v1", responsesRoutes(upstream));
 * const response = await app.request("/v1/responses", { method: "POST", body: JSON.stringify({ model: "m", input: "Hello" }) });
 * equal((await response.json()).output[0].content[0].text, "Hi");
 * ```
 */
export function responsesRoutes(upstream: Upstream, options: ResponsesOptions = {}): Hono {
  const app = new Hono();
  const store = options.store ?? new MemoryResponseStore();
  /** Writes not yet finished, so a follow-up this process receives meanwhile still finds its response. */
  const pending = new Map<string, Promise<unknown>>();
  /** Clients and tool types warned about: one warning each, later drops are debug lines. */
  const warned = new Set<string>();
  app.onError((error, c) => responsesErrorResponse(failedWith(c.req.raw, error)));

  const find = async (scope: string, id: string, previous: boolean): Promise<StoredResponse> => {
    await pending.get(id);
    const record = await store.get(scope, id);
    if (!record) throw responseNotFound(id, previous);
    return record;
  };

  /** A request's hub form, after the items of the response it follows. */
  const prepare = async (raw: Request) => {
    const client = raw.headers.get("originator") ?? raw.headers.get("user-agent") ?? "";
    const droppableTools = UNCONDITIONAL_TOOLS.filter((rule) => rule.client.test(client)).flatMap((rule) => rule.tools);
    const parsed = parseResponsesRequest(await readJson(raw, options.maxBodyBytes), { droppableTools });
    for (const type of parsed.droppedTools) {
      const name = client.split(/[\s/]/)[0];
      const level = warned.has(`${name} ${type}`) ? "debug" : "warn";
      warned.add(`${name} ${type}`);
      log[level](
        "dropped the built-in tool {type}: {client} sends it on every request, and the relay cannot serve it",
        {
          type,
          client: name,
        },
      );
    }
    const scope = keyScope(clientKey(raw.headers));
    let history: InputItem[] = [];
    if (parsed.previousResponseId) {
      const previous = await find(scope, parsed.previousResponseId, true);
      history = [...previous.input, ...parseInputItems(previous.response.output)];
      parsed.request.messages = responsesMessages([...history, ...parsed.input], parsed.instructions);
    }
    return { parsed, scope, history };
  };

  app.post("/responses/input_tokens", async (c) => {
    const { parsed } = await prepare(c.req.raw);
    return c.json({
      object: "response.input_tokens",
      input_tokens: await estimatePromptTokens(parsed.request, keyScope(clientKey(c.req.raw.headers))),
    });
  });

  app.post("/responses", async (c) => {
    const { parsed, scope, history } = await prepare(c.req.raw);
    const input = withIds([...history, ...parsed.input]);
    let saved: Promise<unknown> | undefined;
    const save = (response: ResponseObject) => {
      if (!parsed.store || response.status === "failed") return;
      const write = store.put(scope, { response, input }).then(
        (kept) => kept || log.warn("response {id} is too large to store", { id: response.id }),
        (error) => log.warn("response {id} was not stored: {reason}", { id: response.id, reason: error.message }),
      ).finally(() => pending.delete(response.id));
      pending.set(response.id, write);
      saved = write;
    };
    const meta: ResponseMeta = {
      id: `resp_${crypto.randomUUID().replaceAll("-", "")}`,
      createdAt: Math.floor(Date.now() / 1000),
      model: parsed.model,
      echo: parsed.echo,
      tools: parsed.tools,
      inputTokens: await estimatePromptTokens(parsed.request, keyScope(clientKey(c.req.raw.headers))),
      includeEncryptedReasoning: parsed.includeEncryptedReasoning,
      onEnd: save,
    };
    const response = await answerRequest(upstream, c.req.raw, parsed.request, {
      stream: parsed.stream,
      requestedModel: parsed.model,
      toJson: (answer, model = meta.model) => {
        const whole = toResponse(answer, { ...meta, model });
        save(whole);
        return whole;
      },
      encoding: (model = meta.model) => responsesEncoding({ ...meta, model }),
    }, options);
    await saved; // a whole answer is stored before the client has it, so its follow-up finds it on any replica
    return response;
  });

  app.get("/responses/:id", async (c) => {
    const { response } = await find(keyScope(clientKey(c.req.raw.headers)), c.req.param("id"), false);
    return c.json(response);
  });

  app.get("/responses/:id/input_items", async (c) => {
    const { input } = await find(keyScope(clientKey(c.req.raw.headers)), c.req.param("id"), false);
    const limit = Number(c.req.query("limit") ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new RelayError(400, "limit must be an integer from 1 to 100", { param: "limit", code: "invalid_request" });
    }
    const order = c.req.query("order") ?? "desc";
    if (order !== "asc" && order !== "desc") {
      throw new RelayError(400, "order must be asc or desc", { param: "order", code: "invalid_request" });
    }
    const items = order === "asc" ? input : [...input].reverse();
    const after = c.req.query("after");
    const start = after ? items.findIndex((item) => item.id === after) + 1 : 0;
    const data = items.slice(start, start + limit);
    return c.json({
      object: "list",
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: start + limit < items.length,
    });
  });

  app.delete("/responses/:id", async (c) => {
    const id = c.req.param("id");
    await pending.get(id);
    if (!await store.delete(keyScope(clientKey(c.req.raw.headers)), id)) throw responseNotFound(id, false);
    return c.json({ id, object: "response", deleted: true });
  });

  return app;
}

/** Items with an `id` each (those the client sent without one get one), as `input_items` lists them. */
function withIds(items: InputItem[]): InputItem[] {
  const prefixes: Record<InputItem["type"], string> = {
    message: "msg",
    function_call: "fc",
    function_call_output: "fco",
    custom_tool_call: "ctc",
    custom_tool_call_output: "ctco",
    reasoning: "rs",
  };
  return items.map((item) =>
    item.id ? item : { ...item, id: `${prefixes[item.type]}_${crypto.randomUUID().replaceAll("-", "")}` }
  );
}
