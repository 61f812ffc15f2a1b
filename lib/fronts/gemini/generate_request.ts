/**
 * Gemini API `generateContent` / `streamGenerateContent` / `countTokens` bodies → hub
 * requests. The model comes from the path (see `splitModelMethod`). Fields are read in
 * camelCase and in the snake_case Google's REST examples use (`system_instruction`,
 * `inline_data`); unknown fields are ignored; a wrong type is a 400 naming the field, and
 * so is a feature the relay cannot serve (built-in tools such as `googleSearch`, uploaded
 * `fileData`, several candidates).
 *
 * @module
 */
import { z } from "zod";
import { RelayError } from "../../hub/errors.ts";
import type { RelayMessage, RelayPart, RelayRequest, RelayTool, RelayToolChoice } from "../../hub/request.ts";
import { ModelId, OutputTokens, StopSequences, validationError } from "../../hub/validation.ts";
import { toJsonSchema } from "./schema.ts";

const JsonObject = z.record(z.string(), z.unknown());

const Part = z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  inlineData: z.object({ mimeType: z.string(), data: z.string() }).optional(),
  fileData: z.object({ mimeType: z.string().optional(), fileUri: z.string() }).optional(),
  functionCall: z.object({
    id: z.string().optional(),
    name: z.string().min(1),
    args: JsonObject.nullish(),
  }).optional(),
  functionResponse: z.object({
    id: z.string().optional(),
    name: z.string(),
    response: JsonObject.nullish(),
  }).optional(),
});

const Content = z.object({
  role: z.enum(["user", "model", "function", "tool"]).optional(),
  parts: z.array(Part).default([]),
});

/** Built-in Gemini tools the relay cannot run, by their field name. */
const BUILT_IN_TOOLS = [
  "googleSearch",
  "googleSearchRetrieval",
  "codeExecution",
  "urlContext",
  "retrieval",
  "computerUse",
  "fileSearch",
  "googleMaps",
  "enterpriseWebSearch",
  "mcpServers",
];

const Tool = z.looseObject({
  functionDeclarations: z.array(z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: JsonObject.optional(),
    parametersJsonSchema: JsonObject.optional(),
  })).optional(),
});

const GenerationConfig = z.object({
  maxOutputTokens: OutputTokens.optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().min(0).optional(),
  stopSequences: StopSequences.optional(),
  candidateCount: z.literal(1, "only candidateCount 1 is supported: the relay returns one candidate").optional(),
  thinkingConfig: z.object({
    includeThoughts: z.boolean().optional(),
    thinkingBudget: z.number().int().optional(),
    thinkingLevel: z.string().optional(),
  }).optional(),
  responseMimeType: z.enum(
    ["text/plain", "application/json"],
    "only text/plain and application/json are supported",
  ).optional(),
  responseSchema: JsonObject.optional(),
  responseJsonSchema: JsonObject.optional(),
  _responseJsonSchema: JsonObject.optional(),
  responseModalities: z.array(z.literal("TEXT", "only TEXT output is supported")).optional(),
});

/** The fields of a Gemini `generateContent` request the relay reads (after snake_case keys are camelCased). */
export const GenerateContentRequestSchema = z.object({
  contents: z.array(Content).min(1, "must contain at least one content"),
  systemInstruction: z.union([z.string(), Content]).optional(),
  tools: z.array(Tool).optional(),
  toolConfig: z.object({
    functionCallingConfig: z.object({
      mode: z.enum(["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"]).optional(),
      allowedFunctionNames: z.array(z.string()).optional(),
    }).optional(),
  }).optional(),
  generationConfig: GenerationConfig.optional(),
  cachedContent: z.undefined("cached content is not supported: send the whole conversation").optional(),
});

/** A `countTokens` body: `contents`, or a whole `generateContentRequest`. */
export const GeminiCountTokensRequestSchema = z.union([
  z.object({ generateContentRequest: GenerateContentRequestSchema.loose() }),
  GenerateContentRequestSchema.partial({ contents: true }),
]);

/** A parsed Gemini request: the hub request plus what only the front needs. */
export interface ParsedGeminiRequest {
  /** The request in hub terms (`model` is the client's name; the route maps it to the instance's). */
  request: RelayRequest;
  /** The model name the client asked for (from the path, without `models/`). */
  model: string;
  /** Whether thoughts go back to the client as `thought` parts (`thinkingConfig.includeThoughts`). */
  includeThoughts: boolean;
}

/**
 * Validates a `generateContent` / `streamGenerateContent` body for the model named in the
 * path, and translates it: `systemInstruction` becomes a system message; `user` contents
 * user messages and `model` contents assistant messages; `text` parts text (`thought`
 * parts thinking, keeping the `thoughtSignature` a part carries), `inlineData` images
 * (`data:` URLs; text types as text); `functionCall` parts tool calls (numbered, since
 * Gemini gives them no ids) and `functionResponse` parts the results of the earliest
 * unanswered call with their `id` or else their `name`; function declarations tools
 * (`parameters` in Google's schema subset or `parametersJsonSchema`, both as JSON Schema);
 * `toolConfig` the tool choice; `generationConfig` the sampling, stop sequences, output
 * budget and JSON output (`responseMimeType: application/json` with `responseSchema` or
 * `responseJsonSchema`).
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { parseGenerateContentRequest } from "./generate_request.ts";
 * const { request, model } = parseGenerateContentRequest({
 *   system_instruction: { parts: [{ text: "Be brief." }] },
 *   contents: [{ role: "user", parts: [{ text: "Hi" }] }],
 *   generationConfig: { maxOutputTokens: 100, stopSequences: ["END"] },
 * }, "models/gemini-2.5-flash");
 * equal(model, "gemini-2.5-flash");
 * deepEqual(request.messages.map((message) => message.role), ["system", "user"]);
 * equal(request.maxTokens, 100);
 * ```
 */
export function parseGenerateContentRequest(body: unknown, model: string): ParsedGeminiRequest {
  const result = GenerateContentRequestSchema.safeParse(camelKeys(body));
  if (!result.success) throw validationError(result.error);
  return toParsed(result.data, modelName(model));
}

/**
 * Validates a `countTokens` body (`contents`, or `generateContentRequest` holding a whole
 * `generateContent` body) into a hub request, for counting its prompt.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseGeminiCountTokensRequest } from "./generate_request.ts";
 * const { request } = parseGeminiCountTokensRequest({ contents: [{ parts: [{ text: "Hi" }] }] }, "gemini-2.5-pro");
 * equal(request.messages[0].role, "user");
 * ```
 */
export function parseGeminiCountTokensRequest(body: unknown, model: string): ParsedGeminiRequest {
  const result = GeminiCountTokensRequestSchema.safeParse(camelKeys(body));
  if (!result.success) throw validationError(result.error);
  const data = "generateContentRequest" in result.data ? result.data.generateContentRequest : result.data;
  return toParsed({ ...data, contents: data.contents ?? [] }, modelName(model));
}

/** `models/gemini-2.5-pro` → `gemini-2.5-pro`, checked as a model id. */
function modelName(path: string): string {
  const name = path.replace(/^models\//, "");
  const result = z.object({ model: ModelId.min(1, "must name a model") }).safeParse({ model: name });
  if (!result.success) throw validationError(result.error);
  return name;
}

type GenerateContentRequest = z.infer<typeof GenerateContentRequestSchema>;

function toParsed(data: GenerateContentRequest, model: string): ParsedGeminiRequest {
  const messages: RelayMessage[] = [];
  const system = data.systemInstruction;
  if (system !== undefined) {
    const text = typeof system === "string"
      ? system
      : system.parts.flatMap((part) => part.text !== undefined && !part.thought ? [part.text] : []).join("\n");
    if (text) messages.push({ role: "system", parts: [{ type: "text", text }] });
  }
  const calls = new PendingCalls();
  data.contents.forEach((content, index) => {
    const message = toMessage(content, index, calls);
    if (message.parts.length) messages.push(message);
  });
  const request: RelayRequest = { model, messages };
  const config = data.generationConfig;
  if (config?.maxOutputTokens !== undefined) request.maxTokens = config.maxOutputTokens;
  if (config?.temperature !== undefined) request.temperature = config.temperature;
  if (config?.topP !== undefined) request.topP = config.topP;
  if (config?.topK) request.topK = config.topK;
  if (config?.stopSequences?.length) request.stop = config.stopSequences;
  if (config?.responseMimeType === "application/json") {
    const schema = config.responseJsonSchema ?? config._responseJsonSchema ?? config.responseSchema;
    request.responseFormat = { type: "json", ...(schema ? { schema: toJsonSchema(schema) } : {}) };
  }
  const tools = toTools(data.tools ?? []);
  const choice = toToolChoice(data.toolConfig?.functionCallingConfig);
  const allowed = data.toolConfig?.functionCallingConfig?.allowedFunctionNames;
  const offered = choice === "required" && allowed?.length
    ? tools.filter((tool) => allowed.includes(tool.name))
    : tools;
  if (offered.length) request.tools = offered;
  if (offered.length && choice) {
    request.toolChoice = choice === "required" && offered.length === 1 ? { name: offered[0].name } : choice;
  }
  return { request, model, includeThoughts: config?.thinkingConfig?.includeThoughts === true };
}

/** Tool calls of earlier model turns not answered yet, in order. */
class PendingCalls {
  #calls: { id: string; clientId?: string; name: string }[] = [];

  /** Records a call and returns its hub id (the client's id, else a number of its position). */
  add(name: string, clientId: string | undefined, at: string): string {
    const id = clientId ?? `call_${at}`;
    this.#calls.push({ id, clientId, name });
    return id;
  }

  /** The hub id of the call a response answers: the one with its `id`, else the earliest with its `name`. */
  answer(name: string, clientId: string | undefined): string | undefined {
    let at = clientId === undefined ? -1 : this.#calls.findIndex((call) => call.clientId === clientId);
    if (at < 0) at = this.#calls.findIndex((call) => call.name === name);
    return at < 0 ? undefined : this.#calls.splice(at, 1)[0].id;
  }
}

function toMessage(content: z.infer<typeof Content>, index: number, calls: PendingCalls): RelayMessage {
  const role = content.role === "model" ? "assistant" : "user";
  const parts: RelayPart[] = [];
  content.parts.forEach((part, partIndex) => {
    const field = `contents[${index}].parts[${partIndex}]`;
    if (part.thoughtSignature !== undefined && role === "assistant" && !part.thought) {
      signThinking(parts, part.thoughtSignature);
    }
    if (part.functionCall) {
      const call = part.functionCall;
      const id = calls.add(call.name, call.id, `${index}_${partIndex}`);
      parts.push({ type: "tool_call", id, name: call.name, arguments: JSON.stringify(call.args ?? {}) });
    } else if (part.functionResponse) {
      const response = part.functionResponse;
      const id = calls.answer(response.name, response.id);
      if (id === undefined) {
        throw new RelayError(400, `${field}.functionResponse answers no earlier functionCall of ${response.name}`, {
          param: `${field}.functionResponse`,
        });
      }
      parts.push({ type: "tool_result", toolCallId: id, content: resultText(response.response ?? {}) });
    } else if (part.inlineData) {
      parts.push(inlinePart(part.inlineData, `${field}.inlineData`));
    } else if (part.fileData) {
      throw new RelayError(400, `${field}.fileData: uploaded files are not supported; send the file as inlineData`, {
        param: `${field}.fileData`,
      });
    } else if (part.text !== undefined) {
      if (part.thought) {
        const last = parts.at(-1);
        if (last?.type === "thinking" && last.signature === undefined) last.text += part.text;
        else parts.push({ type: "thinking", text: part.text });
        if (part.thoughtSignature !== undefined) {
          (parts.at(-1) as { signature?: string }).signature = part.thoughtSignature;
        }
      } else if (part.text) {
        parts.push({ type: "text", text: part.text });
      }
    }
  });
  return { role, parts };
}

/** Gives the turn's thinking the signature a part carries: the last unsigned thinking part, else a new empty one. */
function signThinking(parts: RelayPart[], signature: string): void {
  const unsigned = parts.findLast((part) => part.type === "thinking" && part.signature === undefined);
  if (unsigned?.type === "thinking") unsigned.signature = signature;
  else parts.push({ type: "thinking", text: "", signature });
}

/** A function's response as text: its `output` (or `error`) when that is all it holds, else its JSON. */
function resultText(response: Record<string, unknown>): string {
  const keys = Object.keys(response);
  if (keys.length === 1 && typeof response.output === "string") return response.output;
  if (keys.length === 1 && typeof response.error === "string") return `Error: ${response.error}`;
  if (keys.length === 1 && typeof response.content === "string") return response.content;
  return JSON.stringify(response);
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-sh|x-python|typescript)\b)/;

function inlinePart(data: { mimeType: string; data: string }, field: string): RelayPart {
  if (data.mimeType.startsWith("image/")) return { type: "image", url: `data:${data.mimeType};base64,${data.data}` };
  if (TEXT_TYPES.test(data.mimeType)) {
    try {
      return { type: "text", text: new TextDecoder("utf-8", { fatal: true }).decode(base64Bytes(data.data)) };
    } catch {
      throw new RelayError(400, `${field}.data is not base64-encoded UTF-8 text`, { param: `${field}.data` });
    }
  }
  throw new RelayError(
    400,
    `${field}: ${data.mimeType} is not supported; the relay passes images and text`,
    { param: `${field}.mimeType` },
  );
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

function toTools(tools: z.infer<typeof Tool>[]): RelayTool[] {
  const result: RelayTool[] = [];
  tools.forEach((tool, index) => {
    const builtIn = BUILT_IN_TOOLS.find((name) => tool[name] !== undefined && tool[name] !== null);
    if (builtIn) {
      throw new RelayError(
        400,
        `tools[${index}].${builtIn}: built-in Gemini tools are not supported by the relay; declare functions instead`,
        { param: `tools[${index}].${builtIn}` },
      );
    }
    for (const declaration of tool.functionDeclarations ?? []) {
      const schema = declaration.parametersJsonSchema ?? declaration.parameters;
      result.push({
        name: declaration.name,
        ...(declaration.description ? { description: declaration.description } : {}),
        ...(schema ? { parameters: toJsonSchema(schema) } : {}),
      });
    }
  });
  return result;
}

function toToolChoice(
  config: NonNullable<GenerateContentRequest["toolConfig"]>["functionCallingConfig"],
): RelayToolChoice | undefined {
  switch (config?.mode) {
    case "AUTO":
    case "VALIDATED":
      return "auto";
    case "ANY":
      return "required";
    case "NONE":
      return "none";
    default:
      return undefined;
  }
}

/** Values that are the client's own data, whose keys stay as written. */
const DATA_KEYS = new Set([
  "args",
  "response",
  "parametersJsonSchema",
  "responseJsonSchema",
  "_responseJsonSchema",
  "example",
  "default",
]);

/**
 * The body with snake_case keys camelCased (`system_instruction` → `systemInstruction`),
 * as Google's REST endpoints accept both: everywhere but inside function arguments and
 * responses, JSON Schemas and examples, and the names under `properties`.
 */
function camelKeys(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => camelKeys(item));
  if (typeof value !== "object" || value === null) return value;
  if (key !== undefined && DATA_KEYS.has(key)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => {
      const camel = name.includes("_")
        ? name.replace(/(?<=[A-Za-z0-9])_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
        : name;
      if (camel === "properties" && typeof item === "object" && item !== null && !Array.isArray(item)) {
        return [
          camel,
          Object.fromEntries(Object.entries(item).map(([property, schema]) => [property, camelKeys(schema)])),
        ];
      }
      return [camel, camelKeys(item, camel)];
    }),
  );
}
