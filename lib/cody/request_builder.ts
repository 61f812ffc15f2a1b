import { RelayError } from "../hub/errors.ts";
import { jsonInstruction } from "../hub/json_instruction.ts";
import type { RelayMessage, RelayPart, RelayRequest, RelayToolChoice } from "../hub/request.ts";
import type { CodyContentPart, CodyMessage, CodyRequestBody } from "./wire.ts";

/** The api-version from which Cody accepts `image_url` parts. */
export const IMAGES_API_VERSION = 3;
/** The api-version from which Cody forwards `tools` (at 8 they are silently ignored). */
export const TOOLS_API_VERSION = 9;

/** `maxTokensToSample` when neither the client nor the options set a limit. */
export const DEFAULT_MAX_TOKENS = 4000;

/** Options of {@link buildCodyRequest}. */
export interface CodyRequestOptions {
  /** The api-version the request will be sent with. */
  apiVersion: number;
  /** `maxTokensToSample` when the client set no limit. @default DEFAULT_MAX_TOKENS */
  defaultMaxTokens?: number;
}

/** Cody's own chat default; an omitted temperature would otherwise mean 0 to the server. */
const DEFAULT_TEMPERATURE = 0.2;

type Speaker = CodyMessage["speaker"];
/** What Cody can be sent: thinking blocks from earlier turns are not (Cody's own clients drop them too). */
type SentPart = Exclude<RelayPart, { type: "thinking" }>;
interface Turn {
  speaker: Speaker;
  parts: SentPart[];
}

/**
 * Builds the body of `POST /.api/completions/stream` from a hub request.
 *
 * - Leading system messages merge into one `system` turn; a system message later in the
 *   conversation becomes a human turn marked as an instruction (Cody accepts one system
 *   message, first). Consecutive turns of one speaker merge; empty assistant turns drop.
 * - Text-only turns use `text` (accepted by every api-version; Cody itself still sends it);
 *   turns with images or tool parts use `content` parts.
 * - Features the api-version lacks are a 400, never silently dropped: images need ≥ 3,
 *   tools ≥ 9. `toolChoice` and `responseFormat` have no Cody field: they become system
 *   instructions.
 * - Thinking blocks of earlier assistant turns are not sent (Cody has no field for them).
 * - The upstream is always asked to stream; clients that did not ask for a stream get the
 *   collected answer, so every answer takes the same decoding path.
 * - The client's stop sequences are not sent: the relay finds them itself, so it knows which
 *   one ended the answer (Cody reports only that one did).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { buildCodyRequest } from "./request_builder.ts";
 * const body = buildCodyRequest(
 *   { messages: [{ role: "user", parts: [{ type: "text", text: "Hi" }] }], maxTokens: 100 },
 *   { apiVersion: 9 },
 * );
 * ok(body.messages[0].speaker === "human" && body.maxTokensToSample === 100);
 * ```
 */
export function buildCodyRequest(request: RelayRequest, options: CodyRequestOptions): CodyRequestBody {
  const { apiVersion } = options;
  if (request.tools?.length && apiVersion < TOOLS_API_VERSION) {
    throw unsupported(
      "tools",
      `tool calling needs Cody api-version ${TOOLS_API_VERSION}; this Sourcegraph instance supports ${apiVersion}`,
    );
  }
  const body: CodyRequestBody = {
    ...(request.model ? { model: request.model } : {}),
    messages: toCodyMessages(request, apiVersion),
    maxTokensToSample: request.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: request.temperature ?? DEFAULT_TEMPERATURE,
    topK: request.topK ?? -1,
    topP: request.topP ?? -1,
    stream: true,
  };
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        ...(tool.parameters ? { parameters: tool.parameters } : {}),
      },
    }));
  }
  return body;
}

function toCodyMessages(request: RelayRequest, apiVersion: number): CodyMessage[] {
  const turns: Turn[] = [];
  const system: string[] = [];
  request.messages.forEach((message, index) => {
    checkParts(message, index, apiVersion);
    if (message.role === "assistant" && !message.parts.some(hasContent)) return;
    if (message.role === "system") {
      const text = textOf(message.parts);
      if (turns.length === 0) system.push(text);
      else push(turns, { speaker: "human", parts: [{ type: "text", text: `[System instruction]\n${text}` }] });
    } else {
      const parts = message.parts.filter((part): part is SentPart => part.type !== "thinking");
      push(turns, { speaker: message.role === "user" ? "human" : "assistant", parts });
    }
  });
  const instruction = request.tools?.length ? toolChoiceInstruction(request.toolChoice) : undefined;
  if (instruction) system.push(instruction);
  if (request.responseFormat) system.push(jsonInstruction(request.responseFormat));
  const last = turns.at(-1);
  if (last?.speaker === "assistant") last.parts = trimEnd(last.parts);
  const messages = turns.filter((turn) => turn.speaker !== "assistant" || turn.parts.some(hasContent)).map(
    toCodyMessage,
  );
  if (system.length) messages.unshift({ speaker: "system", text: system.join("\n\n") });
  if (!messages.some((message) => message.speaker === "human")) {
    throw new RelayError(400, "the conversation must contain at least one user message", { param: "messages" });
  }
  return messages;
}

function checkParts(message: RelayMessage, index: number, apiVersion: number): void {
  for (const part of message.parts) {
    if (part.type === "image" && apiVersion < IMAGES_API_VERSION) {
      throw unsupported(
        `messages[${index}].content`,
        `images need Cody api-version ${IMAGES_API_VERSION}; this Sourcegraph instance supports ${apiVersion}`,
      );
    }
    if ((part.type === "tool_call" || part.type === "tool_result") && apiVersion < TOOLS_API_VERSION) {
      throw unsupported(
        `messages[${index}]`,
        `tool calls need Cody api-version ${TOOLS_API_VERSION}; this Sourcegraph instance supports ${apiVersion}`,
      );
    }
  }
}

/** Appends a turn, merging it into the previous one when the speaker is the same. */
function push(turns: Turn[], turn: Turn): void {
  const previous = turns.at(-1);
  if (previous?.speaker === turn.speaker) previous.parts = [...previous.parts, ...turn.parts];
  else turns.push({ ...turn });
}

function toCodyMessage({ speaker, parts }: Turn): CodyMessage {
  if (parts.every((part) => part.type === "text")) return { speaker, text: textOf(parts) };
  return { speaker, content: parts.map(toCodyPart) };
}

function toCodyPart(part: SentPart): CodyContentPart {
  switch (part.type) {
    case "text":
      return part;
    case "image":
      return { type: "image_url", image_url: { url: part.url, ...(part.detail ? { detail: part.detail } : {}) } };
    case "tool_call":
      return { type: "tool_call", tool_call: { id: part.id, name: part.name, arguments: part.arguments } };
    case "tool_result":
      return { type: "tool_result", tool_result: { id: part.toolCallId, content: part.content } };
  }
}

function toolChoiceInstruction(choice: RelayToolChoice | undefined): string | undefined {
  if (choice === undefined || choice === "auto") return undefined;
  if (choice === "none") return "Do not call any tool in your next reply; answer in text.";
  if (choice === "required") return "You must call at least one of the provided tools in your next reply.";
  return `You must call the tool \`${choice.name}\` in your next reply.`;
}

function textOf(parts: RelayPart[]): string {
  return parts.flatMap((part) => part.type === "text" ? [part.text] : []).join("\n\n");
}

function hasContent(part: RelayPart): boolean {
  return part.type !== "text" || part.text.trim() !== "";
}

/** Anthropic rejects a final assistant turn (a prefill) that ends in whitespace. */
function trimEnd(parts: SentPart[]): SentPart[] {
  const last = parts.at(-1);
  if (last?.type !== "text") return parts;
  return [...parts.slice(0, -1), { type: "text", text: last.text.trimEnd() }];
}

function unsupported(param: string, message: string): RelayError {
  return new RelayError(400, message, { param, code: "unsupported_feature" });
}
