import { RelayError } from "../hub/errors.ts";
import type { RelayEvent } from "../hub/events.ts";
import type { UpstreamAdapter } from "./adapter.ts";
import type { EnvSource } from "./env.ts";
import { parsePythonLiteral } from "./python_literal.ts";

/** Options of {@link legacySseAdapter}. */
export interface LegacySseOptions {
  /**
   * The stream URL, with `${query}` for the question and optionally `${session}`, e.g.
   * `http://127.0.0.1:8000/stream?search_query=${query}&topNDocuments=3&sessionID=${session}`.
   */
  url: string;
  /** Where `${session}` comes from. @default a new UUID per request */
  session?: EnvSource;
  /** The adapter's name (and model id). @default "legacy-sse" */
  name?: string;
}

/**
 * The seed's legacy search API as an upstream: `GET` a URL with the question in the query,
 * read events whose data are Python-style dicts (`{'type': 'response', 'data': 'word'}`,
 * `{'type': 'citation', 'data': 'doc-id'}`, parsed safely, never evaluated), stream the
 * words as the answer (a space between words that bring none), and append the citations,
 * each once, as a bullet list when the stream ends. An `{'type': 'error', …}` event is an error.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { legacySseAdapter } from "./legacy_sse.ts";
 * const adapter = legacySseAdapter({ url: "http://127.0.0.1:8000/stream?search_query=${query}&sessionID=${session}" });
 * ok(adapter.method === "GET" && !adapter.capabilities.tools);
 * ```
 */
export function legacySseAdapter(options: LegacySseOptions): UpstreamAdapter {
  const name = options.name ?? "legacy-sse";
  return {
    name,
    url: options.url,
    method: "GET",
    env: { session: options.session ?? (() => crypto.randomUUID()) },
    capabilities: { streaming: true, tools: false, vision: false, fim: false, thinking: false },
    handlers: {
      parseEvent(message, context): RelayEvent[] {
        const payload = parsePythonLiteral(message.data) as { type?: unknown; data?: unknown };
        const data = String(payload?.data ?? "");
        if (payload?.type === "citation") {
          const citations = (context.state.citations ??= []) as string[];
          if (!citations.includes(data)) citations.push(data);
          return [];
        }
        if (payload?.type === "error") return [{ type: "error", error: new RelayError(502, `${name}: ${data}`) }];
        if (payload?.type !== "response" || !data) return [];
        const spaced = context.state.spoken && !/^\s/.test(data) && !context.state.endsInSpace ? ` ${data}` : data;
        context.state.spoken = true;
        context.state.endsInSpace = /\s$/.test(data);
        return [{ type: "text", text: spaced }];
      },
      parseEnd(context): RelayEvent[] {
        const citations = (context.state.citations ?? []) as string[];
        const list = citations.length
          ? [{ type: "text" as const, text: `\n\nCitations:\n${citations.map((id) => `- ${id}`).join("\n")}` }]
          : [];
        return [...list, { type: "finish", reason: "stop" }];
      },
    },
  };
}
