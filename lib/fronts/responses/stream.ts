/**
 * Hub events → the Responses API: response objects, and the SSE event sequence that
 * `responses.stream()` of the openai SDK, the Agents SDK and Codex CLI parse.
 *
 * @module
 */
import type { CollectedAnswer, CollectedToolCall } from "../../hub/collect.ts";
import { RelayError } from "../../hub/errors.ts";
import type { FinishReason, RelayUsage } from "../../hub/events.ts";
import { type AnswerEncoding, EncoderStream } from "../answer_encoder.ts";
import { responseError, type ResponseErrorObject } from "./errors.ts";
import type { ResponsesEcho, ResponsesToolRoute } from "./request.ts";

/** What one response reports about itself. */
export interface ResponseMeta {
  /** The `resp_…` id. */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The model name reported (the client's, or the fallback model that answered). */
  model: string;
  /** The request parameters every response object reports back. */
  echo: ResponsesEcho;
  /** How each hub tool's calls are written (function or custom, its namespace); unknown names are functions. */
  tools?: ReadonlyMap<string, ResponsesToolRoute>;
  /** Prompt tokens, an estimate, used when the upstream reports none. */
  inputTokens: number;
  /** Put a thinking signature into reasoning items' `encrypted_content`. @default false */
  includeEncryptedReasoning?: boolean;
  /** Called with the final response object once a streamed answer ended (completed, incomplete or failed). */
  onEnd?(response: ResponseObject): void;
}

/** An `output_text` part. */
export interface OutputTextPart {
  /** Always `output_text`. */
  type: "output_text";
  /** The text. */
  text: string;
  /** Always empty: the relay adds no citations. */
  annotations: unknown[];
  /** Always empty. */
  logprobs: unknown[];
}

/** A `summary_text` part of a reasoning item. */
export interface SummaryTextPart {
  /** Always `summary_text`. */
  type: "summary_text";
  /** The model's thinking. */
  text: string;
}

/** Whether an output item is still being written, done, or cut short. */
export type ItemStatus = "in_progress" | "completed" | "incomplete";

/** An item of a response's `output`. */
export type ResponseOutputItem =
  | { type: "message"; id: string; status: ItemStatus; role: "assistant"; content: OutputTextPart[] }
  | { type: "reasoning"; id: string; summary: SummaryTextPart[]; encrypted_content?: string }
  | {
    type: "function_call";
    id: string;
    status: ItemStatus;
    call_id: string;
    name: string;
    namespace?: string;
    arguments: string;
  }
  | {
    type: "custom_tool_call";
    id: string;
    status: ItemStatus;
    call_id: string;
    name: string;
    namespace?: string;
    input: string;
  };

/** A response's `usage`. */
export interface ResponseUsage {
  /** Tokens read. */
  input_tokens: number;
  /** Of those, read from the upstream's prompt cache. */
  input_tokens_details: { cached_tokens: number };
  /** Tokens written. */
  output_tokens: number;
  /** Of those, thinking (0: the upstreams do not say). */
  output_tokens_details: { reasoning_tokens: number };
  /** Read and written. */
  total_tokens: number;
}

/** A `response` object. */
export interface ResponseObject extends ResponsesEcho {
  /** The `resp_…` id. */
  id: string;
  /** Always `response`. */
  object: "response";
  /** Unix seconds. */
  created_at: number;
  /** Where the response stands. */
  status: "in_progress" | "completed" | "incomplete" | "failed";
  /** Always false: the relay answers in the foreground. */
  background: false;
  /** Unix seconds, once completed. */
  completed_at: number | null;
  /** Why it failed, when it did. */
  error: ResponseErrorObject | null;
  /** Why it is incomplete, when it is. */
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  /** The model reported. */
  model: string;
  /** What the model wrote, in order. */
  output: ResponseOutputItem[];
  /** Token counts, once the answer ended. */
  usage: ResponseUsage | null;
}

function itemId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function responseUsage(usage: RelayUsage | undefined, inputTokens: number): ResponseUsage {
  const input = usage?.promptTokens ?? inputTokens;
  const output = usage?.completionTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.cachedTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/** How a response with this finish ends: `completed`, or `incomplete` with its reason. */
function ending(reason: FinishReason): Pick<ResponseObject, "status" | "incomplete_details"> {
  if (reason === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (reason === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

/**
 * A response object: the request's parameters as `meta.echo` reports them, and the given
 * status, output and usage.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { responseObject } from "./stream.ts";
 * import { parseResponsesRequest } from "./request.ts";
 * const { echo } = parseResponsesRequest({ model: "m", input: "Hi" });
 * const response = responseObject({ id: "resp_1", createdAt: 0, model: "m", echo, inputTokens: 1 }, { status: "in_progress" });
 * equal(response.object, "response");
 * ```
 */
export function responseObject(
  meta: ResponseMeta,
  fields: Partial<Pick<ResponseObject, "status" | "output" | "usage" | "error" | "incomplete_details">>,
): ResponseObject {
  const status = fields.status ?? "in_progress";
  return {
    id: meta.id,
    object: "response",
    created_at: meta.createdAt,
    status,
    background: false,
    completed_at: status === "completed" ? nowSeconds() : null,
    error: fields.error ?? null,
    incomplete_details: fields.incomplete_details ?? null,
    ...meta.echo,
    model: meta.model,
    output: fields.output ?? [],
    usage: fields.usage ?? null,
  };
}

/**
 * `JSON.stringify(response)` with the request's echo taken from `echo`, its JSON: an
 * agent's echo (its instructions and tools) can be tens of kilobytes, and three events of
 * a streamed response carry it. Relies on {@link responseObject}'s order of keys.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { responseJson, responseObject } from "./stream.ts";
 * import { parseResponsesRequest } from "./request.ts";
 * const { echo } = parseResponsesRequest({ model: "m", input: "Hi", instructions: "Be brief." });
 * const response = responseObject({ id: "resp_1", createdAt: 0, model: "m", echo, inputTokens: 1 }, {});
 * equal(responseJson(response, JSON.stringify(echo)), JSON.stringify(response));
 * ```
 */
export function responseJson(response: ResponseObject, echo: string): string {
  const { id, object, created_at, status, background, completed_at, error, incomplete_details } = response;
  const head = JSON.stringify({ id, object, created_at, status, background, completed_at, error, incomplete_details });
  const { model, output, usage } = response;
  const tail = JSON.stringify({ model, output, usage });
  return echo.length > 2
    ? `${head.slice(0, -1)},${echo.slice(1, -1)},${tail.slice(1)}`
    : `${head.slice(0, -1)},${tail.slice(1)}`;
}

/** A tool call's item, as `kind` says (a custom tool's input is the `input` argument). */
function toolItem(
  id: string,
  call: { id: string; name: string },
  route: ResponsesToolRoute | undefined,
  status: ItemStatus,
  argumentsOrInput: string,
): ResponseOutputItem {
  const name = route?.name ?? call.name;
  const namespace = route?.namespace ? { namespace: route.namespace } : {};
  return route?.kind === "custom"
    ? { type: "custom_tool_call", id, status, call_id: call.id, name, ...namespace, input: argumentsOrInput }
    : { type: "function_call", id, status, call_id: call.id, name, ...namespace, arguments: argumentsOrInput };
}

/** A custom tool's free-form input from the hub call's arguments (`{"input": "…"}`; any other text as it is). */
function customInput(json: string): string {
  try {
    const value = JSON.parse(json);
    if (value && typeof value === "object" && typeof value.input === "string") return value.input;
  } catch {
    // The model wrote the input itself rather than the JSON wrapping it: take it as it is.
  }
  return json;
}

/** The item being written: its place in `output`, and what it collected so far. */
interface OpenItem {
  index: number;
  item: ResponseOutputItem;
  /** Text of a message, thinking of a reasoning item, arguments of a call (a custom call's JSON until it closes). */
  text: string;
  /** Whether a reasoning item's summary part was announced. */
  summaryStarted?: boolean;
  /** The hub tool call this item writes. */
  toolIndex?: number;
}

/**
 * The open item as a failure leaves it, with what the client already got: a message's text
 * so far as its `output_text` part, a reasoning item's summary so far, a call's arguments
 * so far (`incomplete`; a custom call's input was not sent yet, so it stays empty).
 */
function cutShort(open: OpenItem): ResponseOutputItem {
  const item = open.item;
  switch (item.type) {
    case "message":
      return {
        ...item,
        status: "incomplete",
        content: [{ type: "output_text", text: open.text, annotations: [], logprobs: [] }],
      };
    case "reasoning":
      return open.summaryStarted ? { ...item, summary: [{ type: "summary_text", text: open.text }] } : item;
    case "function_call":
      return { ...item, status: "incomplete", arguments: open.text };
    case "custom_tool_call":
      return { ...item, status: "incomplete" };
  }
}

/**
 * Hub events → Responses SSE text: `response.created` and `response.in_progress` first;
 * per output item `response.output_item.added`, its deltas (`response.output_text.delta`
 * inside a `response.content_part.added`/`.done` pair, `response.reasoning_summary_text.delta`
 * inside a `response.reasoning_summary_part.added`/`.done` pair,
 * `response.function_call_arguments.delta`, `response.custom_tool_call_input.delta`), their
 * `.done` and `response.output_item.done`; then `response.completed`, or
 * `response.incomplete` (`max_output_tokens` when the output budget cut the answer; the
 * item it cut is `incomplete`), each with the whole response. Every event carries an
 * increasing `sequence_number`. An error, or an answer that ends without `finish`, is
 * `response.failed` with the output so far (the item being written `incomplete`, with its
 * text or arguments so far) — never `response.completed`. A custom tool's input is sent
 * whole when its call ends (the model writes it JSON-wrapped).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { responsesEncoding } from "./stream.ts";
 * import { parseResponsesRequest } from "./request.ts";
 * import { AnswerEncoder } from "../answer_encoder.ts";
 * const { echo } = parseResponsesRequest({ model: "m", input: "Hi" });
 * const encoder = new AnswerEncoder(responsesEncoding({ id: "resp_1", createdAt: 0, model: "m", echo, inputTokens: 1 }));
 * const text = encoder.start() + encoder.push({ type: "text", text: "Hello" }) + encoder.push({ type: "finish", reason: "stop" });
 * const names = text.match(/^event: \S+/gm)?.map((line) => line.slice(7));
 * deepEqual(names, [
 *   "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
 *   "response.output_text.delta", "response.output_text.done", "response.content_part.done",
 *   "response.output_item.done", "response.completed",
 * ]);
 * ```
 */
export function responsesEncoding(meta: ResponseMeta): AnswerEncoding {
  let sequence = 0;
  const output: ResponseOutputItem[] = [];
  let open: OpenItem | undefined;
  let usage: RelayUsage | undefined;
  let signature: string | undefined;

  const sse = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  /** The request's parameters as JSON, written once for the three events that carry the whole response. */
  const echo = JSON.stringify(meta.echo);
  /** `sse(type, { response })`, the response's echo from {@link echo}. */
  const responseSse = (type: string, response: ResponseObject) =>
    `event: ${type}\ndata: {"type":"${type}","sequence_number":${sequence++},"response":${
      responseJson(response, echo)
    }}\n\n`;
  const ids = (item: OpenItem) => ({ item_id: item.item.id, output_index: item.index });

  const add = (item: ResponseOutputItem, toolIndex?: number): string => {
    open = { index: output.length, item, text: "", ...(toolIndex !== undefined ? { toolIndex } : {}) };
    output.push(item);
    let text = sse("response.output_item.added", { output_index: open.index, item });
    if (item.type === "message") {
      text += sse("response.content_part.added", {
        ...ids(open),
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [], logprobs: [] },
      });
    }
    return text;
  };

  /** The events that end the open item, with the item as it ends (`incomplete` when the answer was cut in it). */
  const close = (status: ItemStatus = "completed"): string => {
    const current = open;
    if (!current) return "";
    open = undefined;
    let text = "";
    let done: ResponseOutputItem;
    const item = current.item;
    switch (item.type) {
      case "message": {
        const part: OutputTextPart = { type: "output_text", text: current.text, annotations: [], logprobs: [] };
        text += sse("response.output_text.done", {
          ...ids(current),
          content_index: 0,
          text: current.text,
          logprobs: [],
        });
        text += sse("response.content_part.done", { ...ids(current), content_index: 0, part });
        done = { ...item, status, content: [part] };
        break;
      }
      case "reasoning": {
        const summary: SummaryTextPart[] = current.summaryStarted ? [{ type: "summary_text", text: current.text }] : [];
        if (current.summaryStarted) {
          text += sse("response.reasoning_summary_text.done", {
            ...ids(current),
            summary_index: 0,
            text: current.text,
          });
          text += sse("response.reasoning_summary_part.done", { ...ids(current), summary_index: 0, part: summary[0] });
        }
        done = {
          ...item,
          summary,
          ...(signature !== undefined && meta.includeEncryptedReasoning ? { encrypted_content: signature } : {}),
        };
        signature = undefined;
        break;
      }
      case "function_call":
        text += sse("response.function_call_arguments.done", { ...ids(current), arguments: current.text });
        done = { ...item, status, arguments: current.text };
        break;
      case "custom_tool_call": {
        const input = customInput(current.text);
        if (input) text += sse("response.custom_tool_call_input.delta", { ...ids(current), delta: input });
        text += sse("response.custom_tool_call_input.done", { ...ids(current), input });
        done = { ...item, status, input };
        break;
      }
    }
    output[current.index] = done;
    return text + sse("response.output_item.done", { output_index: current.index, item: done });
  };

  /** The events that make sure an item of `type` (for hub tool `toolIndex`) is the open one. */
  const ensure = (type: "message" | "reasoning"): string => {
    if (open?.item.type === type) return "";
    const closed = close();
    return closed + add(
      type === "message"
        ? { type: "message", id: itemId("msg"), status: "in_progress", role: "assistant", content: [] }
        : { type: "reasoning", id: itemId("rs"), summary: [] },
    );
  };

  /** The final response object with the output as it stands. */
  const final = (fields: Parameters<typeof responseObject>[1]): ResponseObject => {
    const response = responseObject(meta, { ...fields, output, usage: responseUsage(usage, meta.inputTokens) });
    meta.onEnd?.(response);
    return response;
  };

  return {
    start: () => {
      const response = responseObject(meta, { status: "in_progress" });
      return responseSse("response.created", response) + responseSse("response.in_progress", response);
    },
    event(event) {
      switch (event.type) {
        case "text": {
          const text = ensure("message");
          open!.text += event.text;
          return text + sse("response.output_text.delta", {
            ...ids(open!),
            content_index: 0,
            delta: event.text,
            logprobs: [],
          });
        }
        case "thinking": {
          let text = ensure("reasoning");
          if (!open!.summaryStarted) {
            open!.summaryStarted = true;
            text += sse("response.reasoning_summary_part.added", {
              ...ids(open!),
              summary_index: 0,
              part: { type: "summary_text", text: "" },
            });
          }
          open!.text += event.text;
          return text + sse("response.reasoning_summary_text.delta", {
            ...ids(open!),
            summary_index: 0,
            delta: event.text,
          });
        }
        case "thinking_signature": {
          const text = ensure("reasoning");
          signature = event.signature;
          return text;
        }
        case "tool_call_start": {
          const route = meta.tools?.get(event.name);
          const prefix = route?.kind === "custom" ? "ctc" : "fc";
          return close() + add(toolItem(itemId(prefix), event, route, "in_progress", ""), event.index);
        }
        case "tool_call_delta": {
          if (open?.toolIndex !== event.index) {
            throw new RelayError(502, `arguments of tool call ${event.index} arrived after its item ended`);
          }
          open.text += event.arguments;
          if (open.item.type !== "function_call") return "";
          return sse("response.function_call_arguments.delta", { ...ids(open), delta: event.arguments });
        }
        case "usage":
          usage = event.usage;
          return "";
        case "finish": {
          const end = ending(event.reason);
          const closed = close(end.status === "incomplete" ? "incomplete" : "completed");
          const response = final(end);
          const type = response.status === "completed" ? "response.completed" : "response.incomplete";
          return closed + responseSse(type, response);
        }
      }
    },
    error(error) {
      if (open) {
        output[open.index] = cutShort(open);
        open = undefined;
      }
      const response = final({ status: "failed", error: responseError(error) });
      return responseSse("response.failed", response);
    },
  };
}

/**
 * {@link responsesEncoding} as a `TransformStream` from hub events to bytes.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { ResponsesStream } from "./stream.ts";
 * import { parseResponsesRequest } from "./request.ts";
 * import type { RelayEvent } from "../../hub/events.ts";
 * const { echo } = parseResponsesRequest({ model: "m", input: "Hi" });
 * const sse = ReadableStream.from<RelayEvent>([{ type: "text", text: "Hello" }, { type: "finish", reason: "stop" }])
 *   .pipeThrough(new ResponsesStream({ id: "resp_1", createdAt: 0, model: "m", echo, inputTokens: 1 }))
 *   .pipeThrough(new TextDecoderStream());
 * ok((await Array.fromAsync(sse)).join("").includes("event: response.completed"));
 * ```
 */
export class ResponsesStream extends EncoderStream {
  /** Creates the encoder; `response.created` and `response.in_progress` are sent at once. */
  constructor(meta: ResponseMeta) {
    super(responsesEncoding(meta));
  }
}

/**
 * A whole answer as a response object: a `reasoning` item when the model thought, a
 * `message` with one `output_text` part (also when empty, unless the model only called
 * tools), then a `function_call` or `custom_tool_call` item per call. When the answer was
 * cut (`incomplete`), its last item is the one cut, and is `incomplete` too.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { toResponse } from "./stream.ts";
 * import { parseResponsesRequest } from "./request.ts";
 * const { echo } = parseResponsesRequest({ model: "m", input: "Hi" });
 * const response = toResponse(
 *   { text: "Hello", thinking: "", toolCalls: [], finishReason: "stop" },
 *   { id: "resp_1", createdAt: 0, model: "m", echo, inputTokens: 1 },
 * );
 * ok(response.status === "completed" && response.output[0].type === "message");
 * ```
 */
export function toResponse(answer: CollectedAnswer, meta: ResponseMeta): ResponseObject {
  const output: ResponseOutputItem[] = [];
  if (answer.thinking || answer.thinkingSignature) {
    output.push({
      type: "reasoning",
      id: itemId("rs"),
      summary: answer.thinking ? [{ type: "summary_text", text: answer.thinking }] : [],
      ...(answer.thinkingSignature !== undefined && meta.includeEncryptedReasoning
        ? { encrypted_content: answer.thinkingSignature }
        : {}),
    });
  }
  if (answer.text || !answer.toolCalls.length) {
    output.push({
      type: "message",
      id: itemId("msg"),
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: answer.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of answer.toolCalls.filter(Boolean) as CollectedToolCall[]) {
    const route = meta.tools?.get(call.name);
    const value = route?.kind === "custom" ? customInput(call.arguments) : call.arguments;
    output.push(toolItem(itemId(route?.kind === "custom" ? "ctc" : "fc"), call, route, "completed", value));
  }
  const end = ending(answer.finishReason);
  const last = output.at(-1);
  if (end.status === "incomplete" && last && "status" in last) last.status = "incomplete";
  return responseObject(meta, {
    ...end,
    output,
    usage: responseUsage(answer.usage, meta.inputTokens),
  });
}
