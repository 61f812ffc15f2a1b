/**
 * Several upstreams behind one relay: exact model ids, aliases resolved against an
 * upstream's live model list, prefix routes (`local/…`), and a default.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { quoted, RelayError } from "../hub/errors.ts";
import { resolveModelName } from "../hub/model_names.ts";
import type { RelayRequest } from "../hub/request.ts";
import type { AnswerCall, AnswerSink, RelayModel, Upstream, UpstreamContext } from "../hub/upstream.ts";
import { closeMatches } from "./close_matches.ts";

const log = getLogger(["cody-relay", "routing"]);

/** Where one model id goes. */
export interface ModelRoute {
  /** The upstream's name. */
  upstream: string;
  /** The upstream's own model id. @default the id asked for */
  model?: string;
  /**
   * An alias: an id in the upstream's live model list that contains one of these
   * (case-insensitive, tried in order; the shortest such id), so an alias never points at a
   * model the upstream does not have. Ignored when `model` is set.
   */
  prefer?: readonly string[];
  /** The output budget when the client sets none. */
  maxTokens?: number;
  /** `false` turns automatic continuation off for this model. */
  continuation?: boolean;
  /** The sampling parameters a client may set (`temperature`, `topP`, `topK`, `stop`); others are a 400. @default all */
  allowedParameters?: readonly ("temperature" | "topP" | "topK" | "stop")[];
}

/** The routing table. */
export interface RoutingTable {
  /** Exact ids and aliases. */
  models?: Readonly<Record<string, ModelRoute>>;
  /** Prefix → upstream name: `local/llama3` goes to `local` as `llama3`. */
  prefixes?: Readonly<Record<string, string>>;
  /** The upstream for requests naming no model, and whose own model ids are routable as they are. */
  default: string;
}

/**
 * Aliases for a Cody instance's usual models, resolved against its live list.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { codyAliases } from "./routing_upstream.ts";
 * equal(codyAliases("cody")["cody-sonnet"].upstream, "cody");
 * ```
 */
export function codyAliases(upstream: string): Record<string, ModelRoute> {
  return {
    "cody-sonnet": { upstream, prefer: ["claude-sonnet-4-5", "claude-sonnet-4", "sonnet"] },
    "cody-opus": { upstream, prefer: ["claude-opus-4", "opus"] },
    "cody-haiku": { upstream, prefer: ["claude-haiku-4", "haiku"] },
    "cody-gpt4": { upstream, prefer: ["gpt-4.1", "gpt-4o", "gpt-4"] },
    "cody-gemini": { upstream, prefer: ["gemini-2.5-pro", "gemini-2.5", "gemini"] },
  };
}

/**
 * Routes each request to one of several named upstreams by its model id: an entry in
 * `models` (an exact id, or an alias resolved against the upstream's live list), a
 * prefix, or a name the default upstream's list resolves (`resolveModelName`: an exact id,
 * or the same model under a client's name such as `claude-3-5-sonnet-20241022`); no model
 * (and any code completion) goes to the default. An id that matches nothing is a 404 that lists close matches. The model list shows every routable
 * id, aliases included, with `ownedBy` naming the upstream.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { RoutingUpstream } from "./routing_upstream.ts";
 * import { answerStream, streamUpstream } from "../hub/answer_stream.ts";
 * const named = (name: string) => streamUpstream({
 *   chat: (request) => Promise.resolve(ReadableStream.from([{ type: "text", text: `${name}:${request.model}` }, { type: "finish", reason: "stop" }] as const)),
 *   models: () => Promise.resolve([{ id: `${name}-model`, ownedBy: name }]),
 * });
 * const router = new RoutingUpstream({ main: named("main"), local: named("local") }, { prefixes: { "local/": "local" }, default: "main" });
 * const [event] = await Array.fromAsync(await answerStream(router, { model: "local/llama3", messages: [] }, {}));
 * equal(event.type === "text" && event.text, "local:llama3");
 * ```
 */
export class RoutingUpstream implements Upstream {
  readonly #upstreams: Readonly<Record<string, Upstream>>;
  readonly #table: RoutingTable;

  /** Checks that every route names a known upstream. */
  constructor(upstreams: Readonly<Record<string, Upstream>>, table: RoutingTable) {
    const named = [
      table.default,
      ...Object.values(table.prefixes ?? {}),
      ...Object.values(table.models ?? {}).map((route) => route.upstream),
    ];
    for (const name of named) {
      if (!upstreams[name]) throw new TypeError(`the routing table names an upstream "${name}" that is not configured`);
    }
    this.#upstreams = upstreams;
    this.#table = table;
  }

  async open(request: RelayRequest, context: UpstreamContext, sink: AnswerSink): Promise<AnswerCall> {
    const { upstream, model } = await this.#route(request.model, context, !!request.infill);
    return await this.#upstreams[upstream].open({ ...request, ...(model ? { model } : {}) }, context, sink);
  }

  async models(context: UpstreamContext): Promise<RelayModel[]> {
    let failed: RelayError | undefined;
    const lists = await this.#lists(context, (error) => {
      if (error instanceof RelayError) failed ??= error;
    });
    // No upstream could list its models (no credentials, unreachable): say why rather than list nothing.
    if (failed && [...lists.values()].every((list) => !list)) throw failed;
    const routable: RelayModel[] = [];
    for (const [name, list] of lists) {
      const prefix = this.#prefixOf(name);
      for (const model of list ?? []) {
        if (name === this.#table.default) routable.push({ ...model, ownedBy: name });
        if (prefix) routable.push({ ...model, id: `${prefix}${model.id}`, ownedBy: name });
      }
    }
    for (const [id, route] of Object.entries(this.#table.models ?? {})) {
      const target = resolveRoute(id, route, lists.get(route.upstream));
      if (!target) continue;
      const known = lists.get(route.upstream)?.find((model) => model.id === target);
      const listed = routable.find((model) =>
        model.ownedBy === route.upstream &&
        (model.id === target || model.id === `${this.#prefixOf(route.upstream) ?? ""}${target}`)
      );
      routable.push({
        ...known,
        id,
        ownedBy: route.upstream,
        displayName: `${id} → ${target}`,
        ...(listed ? { aliasOf: listed.id } : {}),
      });
    }
    return routable;
  }

  /** Applies the route's overrides: a default budget, continuation off, parameters a model refuses. */
  prepare(request: RelayRequest): Promise<RelayRequest> {
    const route = request.model ? this.#table.models?.[request.model] : undefined;
    if (!route) return Promise.resolve(request);
    if (route.allowedParameters) {
      for (const name of ["temperature", "topP", "topK", "stop"] as const) {
        if (request[name] !== undefined && !route.allowedParameters.includes(name)) {
          return Promise.reject(
            new RelayError(400, `Invalid request: ${name} is not accepted by ${quoted(request.model!)}`, {
              param: name,
              code: "unsupported_parameter",
            }),
          );
        }
      }
    }
    return Promise.resolve({
      ...request,
      ...(request.maxTokens === undefined && route.maxTokens ? { maxTokens: route.maxTokens } : {}),
      ...(route.continuation === false ? { autoContinue: false } : {}),
    });
  }

  async ready(): Promise<void> {
    await Promise.all(Object.values(this.#upstreams).map((upstream) => upstream.ready?.()));
  }

  /**
   * The upstream and upstream model id for a requested id. Code completions (`lenient`) go to
   * the default upstream whatever their id: editors name FIM models loosely, and the Cody
   * upstream picks the instance's code model for names it does not know.
   */
  async #route(
    requested: string | undefined,
    context: UpstreamContext,
    lenient: boolean,
  ): Promise<{ upstream: string; model?: string }> {
    const table = this.#table;
    if (!requested) return { upstream: table.default };
    const entry = table.models?.[requested];
    if (entry) {
      let failed: RelayError | undefined;
      const list = entry.prefer && !entry.model
        ? await this.#list(entry.upstream, context, (error) => {
          if (error instanceof RelayError) failed = error;
        })
        : undefined;
      const target = resolveRoute(requested, entry, list);
      // A list that could not be had (no credentials, instance unreachable) says why, not that the alias matches nothing.
      if (!target && failed) throw failed;
      if (!target) {
        throw new RelayError(404, `The alias ${quoted(requested)} matches none of ${entry.upstream}'s models`, {
          param: "model",
          code: "model_not_found",
        });
      }
      return { upstream: entry.upstream, model: target };
    }
    for (const [prefix, upstream] of Object.entries(table.prefixes ?? {})) {
      if (requested.startsWith(prefix) && requested.length > prefix.length) {
        return { upstream, model: requested.slice(prefix.length) };
      }
    }
    const defaults = await this.#list(table.default, context);
    // When the default upstream's list cannot be had, it judges the id itself.
    if (!defaults) return { upstream: table.default, model: requested };
    const named = resolveModelName(requested, defaults);
    if (named || lenient) return { upstream: table.default, model: named ?? requested };
    const candidates = (await this.models(context)).map((model) => model.id);
    const matches = closeMatches(requested, candidates);
    throw new RelayError(
      404,
      `The model ${quoted(requested)} does not exist here${
        matches.length
          ? `; did you mean ${matches.map((id) => `'${id}'`).join(", ")}?`
          : " (GET /v1/models lists the models)"
      }`,
      { param: "model", code: "model_not_found" },
    );
  }

  /** The prefix that routes to upstream `name`, if one does. */
  #prefixOf(name: string): string | undefined {
    return Object.entries(this.#table.prefixes ?? {}).find(([, upstream]) => upstream === name)?.[0];
  }

  /** One upstream's models, or undefined when it cannot list them (logged, and passed to `failed`). */
  #list(name: string, context: UpstreamContext, failed?: (error: unknown) => void): Promise<RelayModel[] | undefined> {
    return this.#upstreams[name].models(context).catch((error) => {
      if (context.signal?.aborted) throw error;
      failed?.(error);
      log.warn("cannot list {upstream}'s models: {reason}", {
        upstream: name,
        reason: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    });
  }

  async #lists(
    context: UpstreamContext,
    failed?: (error: unknown) => void,
  ): Promise<Map<string, RelayModel[] | undefined>> {
    const names = Object.keys(this.#upstreams);
    const lists = await Promise.all(names.map((name) => this.#list(name, context, failed)));
    return new Map(names.map((name, index) => [name, lists[index]]));
  }
}

/**
 * The upstream model id a route points at, given that upstream's live list: its `model`,
 * the shortest listed id holding its first matching preference (so `claude-sonnet-4`
 * prefers the plain model to its `-thinking` variant), or the id itself.
 */
function resolveRoute(id: string, route: ModelRoute, list: RelayModel[] | undefined): string | undefined {
  if (route.model) return route.model;
  if (!route.prefer) return id;
  for (const wanted of route.prefer) {
    const matches = (list ?? []).filter((model) => model.id.toLowerCase().includes(wanted.toLowerCase()));
    if (matches.length) return matches.reduce((best, model) => model.id.length < best.id.length ? model : best).id;
  }
  return undefined;
}
