/**
 * What the simulator answers: deterministic for a given request (no randomness), honouring
 * `maxTokensToSample` (stop reason `max_tokens`), `stopSequences` (`stop_sequence`) and
 * `tools` (one call, then a text answer once the result comes back).
 *
 * @module
 */
import { ARGUMENTS_TAIL_MARKER } from "../continuation/continuation_request.ts";
import { JSON_INSTRUCTION } from "../hub/json_instruction.ts";

/** The parts of a Cody request body the simulator reads. */
export interface SimulatedBody {
  /** The conversation. */
  messages?: { speaker?: string; text?: string; content?: unknown }[];
  /** The output cap. */
  maxTokensToSample?: number;
  /** Strings that end the answer. */
  stopSequences?: string[];
  /** Functions the model may call. */
  tools?: { function?: { name?: string; parameters?: Record<string, unknown> } }[];
}

/** An answer split into tokens, ready to be framed. */
export interface PlannedAnswer {
  thinking: string[];
  text: string[];
  toolCall?: { id: string; name: string; arguments: string[] };
  stopReason: string;
  promptTokens: number;
  completionTokens: number;
}

/** What shapes the answer besides the body. */
export interface AnswerOptions {
  displayModel: string;
  thinking: boolean;
  tools: boolean;
  /** The user message being answered. */
  question?: { text?: string; content?: unknown };
  /** Its text with any simulator directive removed. */
  userText: string;
  /** Replaces the default text with this many filler words. */
  words?: number;
  /** Replaces the default text with a fenced code block of this many lines. */
  code?: number;
  /** The answer so far, when asked to continue it: only the rest is answered. */
  alreadySaid?: string;
  /** When continuing: first repeat the last this-many words already said (a sloppy seam). */
  repeatWords?: number;
  /** When continuing: first repeat the unfinished last line already said. */
  restartLine?: boolean;
  /** When continuing: first open a new code fence, then restart the unfinished line. */
  reopenFence?: boolean;
  /** The model's own output cap, below which `maxTokensToSample` cannot go. */
  outputCap?: number;
  /** When asked to finish cut-off tool arguments: the last characters the client got. */
  argumentsAfter?: string;
  /** Which tool to call (by name), or `none` to answer in text although tools are given. @default the first tool */
  tool?: string;
}

/**
 * Which message is being answered, and the answer so far if the request asks to continue
 * one: a trailing assistant turn (a prefill), or an assistant turn followed by a user turn
 * that asks to continue.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { readConversation } from "./answer.ts";
 * const { question, alreadySaid } = readConversation([
 *   { speaker: "human", text: "Q" },
 *   { speaker: "assistant", text: "The answer so f" },
 * ]);
 * ok(question?.text === "Q" && alreadySaid === "The answer so f");
 * ```
 */
export function readConversation(messages: SimulatedBody["messages"] = []): {
  question?: { text?: string; content?: unknown };
  alreadySaid?: string;
  argumentsAfter?: string;
} {
  const last = messages.at(-1);
  const previous = messages.at(-2);
  let end = messages.length;
  let alreadySaid: string | undefined;
  let argumentsAfter: string | undefined;
  const repair = messageText(last).split(`${ARGUMENTS_TAIL_MARKER}\n`);
  if (last?.speaker === "human" && previous?.speaker === "assistant" && repair.length === 2) {
    argumentsAfter = repair[1];
    end -= 2;
  } else if (last?.speaker === "assistant") {
    alreadySaid = messageText(last);
    end -= 1;
  } else if (previous?.speaker === "assistant" && /\bcontinue\b/i.test(messageText(last))) {
    alreadySaid = messageText(previous);
    end -= 2;
  }
  return {
    question: messages.slice(0, end).findLast((message) => message.speaker === "human"),
    ...(alreadySaid !== undefined ? { alreadySaid } : {}),
    ...(argumentsAfter !== undefined ? { argumentsAfter } : {}),
  };
}

/**
 * Plans the answer to a request.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { planAnswer } from "./answer.ts";
 * const plan = planAnswer({ maxTokensToSample: 3 }, { displayModel: "m", thinking: false, tools: false, userText: "hello" });
 * ok(plan.text.length === 3 && plan.stopReason === "max_tokens");
 * ```
 */
export function planAnswer(body: SimulatedBody, options: AnswerOptions): PlannedAnswer {
  if (options.argumentsAfter !== undefined) return planArgumentsRest(body, options, options.argumentsAfter);
  const raw = messageText(options.question);
  const beforeHole = textBeforeHole(raw);
  // A FIM prompt is continued by appending the answer so far to its prefix: seed the filler
  // with what came before the directive, and find the answer so far at the prefix's end.
  const seed = beforeHole !== undefined && raw.includes("[[sim")
    ? raw.slice(0, raw.indexOf("[[sim"))
    : options.userText;
  let alreadySaid = options.alreadySaid;
  const toolResult = partsOf(options.question).find((part) => part.type === "tool_result") as
    | { tool_result?: { content?: string } }
    | undefined;
  const tool = options.tools && !toolResult && alreadySaid === undefined ? chosenTool(body, options.tool) : undefined;
  const jsonSchema = jsonAsked(body);
  let text = jsonSchema !== undefined
    ? JSON.stringify(exampleJson(jsonSchema ?? {}, "answer"))
    : options.words !== undefined
    ? filler(options.words, seed)
    : options.code !== undefined
    ? codeBlock(options.code)
    : toolResult
    ? `The tool returned: ${toolResult.tool_result?.content ?? ""}`
    : tool
    ? `I'll call the ${tool.name} tool.`
    : simulatedMiddle(options.userText) ??
      `This is the cody-relay simulator answering as ${options.displayModel}. You said: ${options.userText}`;
  if (beforeHole !== undefined && alreadySaid === undefined) alreadySaid = overlap(beforeHole, text);
  if (alreadySaid !== undefined) text = repeated({ ...options, alreadySaid }) + rest(text, alreadySaid!);
  let stopReason = tool ? "tool_use" : "end_turn";
  const stopAt = Math.min(
    ...(body.stopSequences ?? []).map((stop) => text.indexOf(stop)).filter((index) => index >= 0),
  );
  if (Number.isFinite(stopAt)) {
    text = text.slice(0, stopAt);
    stopReason = "stop_sequence";
  }
  const textTokens = tokens(text);
  const argumentTokens = tool ? chunk(JSON.stringify(toolArguments(tool)), 8) : [];
  const budget = outputBudget(body, options);
  const keptText = textTokens.slice(0, budget);
  const keptArguments = argumentTokens.slice(0, Math.max(0, budget - keptText.length));
  if (keptText.length + keptArguments.length < textTokens.length + argumentTokens.length) stopReason = "max_tokens";
  const thinking = options.thinking ? tokens(`The user said "${options.userText}". I will answer briefly.`) : [];
  return {
    thinking,
    text: keptText,
    ...(tool && keptText.length === textTokens.length
      ? {
        toolCall: {
          id: `toolu_sim_${hash(options.userText).toString(16)}`,
          name: tool.name ?? "tool",
          arguments: keptArguments,
        },
      }
      : {}),
    stopReason,
    promptTokens: (body.messages ?? []).reduce((sum, message) => sum + tokens(messageText(message)).length, 0) + 1,
    completionTokens: thinking.length + keptText.length + keptArguments.length,
  };
}

/**
 * The text of a Cody message, from `text` or its text `content` parts.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { messageText } from "./answer.ts";
 * equal(messageText({ content: [{ type: "text", text: "a" }] }), "a");
 * ```
 */
export function messageText(message: { text?: string; content?: unknown } | undefined): string {
  if (!message) return "";
  if (typeof message.text === "string") return message.text;
  if (typeof message.content === "string") return message.content;
  return partsOf(message).flatMap((part) => typeof part.text === "string" ? [part.text] : []).join("\n\n");
}

function partsOf(message: { content?: unknown } | undefined): { type?: string; text?: string }[] {
  return Array.isArray(message?.content) ? message.content : [];
}

/** The rest of the arguments of the call the question led to, after `after`, as plain text. */
function planArgumentsRest(body: SimulatedBody, options: AnswerOptions, after: string): PlannedAnswer {
  const tool = chosenTool(body, options.tool);
  const full = JSON.stringify(tool ? toolArguments(tool) : {});
  const rest = full.includes(after) ? full.slice(full.indexOf(after) + after.length) : full;
  const pieces = chunk(rest, 8);
  const text = pieces.slice(0, outputBudget(body, options));
  return {
    thinking: [],
    text,
    stopReason: text.length < pieces.length ? "max_tokens" : "end_turn",
    promptTokens: (body.messages ?? []).reduce((sum, message) => sum + tokens(messageText(message)).length, 0) + 1,
    completionTokens: text.length,
  };
}

/** How many tokens may be written: `maxTokensToSample`, never above the model's own cap. */
function outputBudget(body: SimulatedBody, options: AnswerOptions): number {
  const requested = body.maxTokensToSample && body.maxTokensToSample > 0 ? body.maxTokensToSample : Infinity;
  return Math.min(requested, options.outputCap ?? Infinity);
}

/** What is left of `full` after `said` (whose trailing whitespace a prefill may have lost). */
function rest(full: string, said: string): string {
  return full.startsWith(said) ? full.slice(said.length) : full;
}

/** The sloppy start a scripted continuation makes: repeated words or a restarted line. */
function repeated(options: AnswerOptions): string {
  const said = options.alreadySaid ?? "";
  const lastLine = said.slice(said.lastIndexOf("\n") + 1);
  if (options.reopenFence) return `\`\`\`ts\n${lastLine}`;
  if (options.restartLine) return lastLine;
  if (options.repeatWords) {
    return said.match(new RegExp(`(\\s*\\S+){1,${options.repeatWords}}\\s*$`))?.[0].trimStart() ?? "";
  }
  return "";
}

function codeBlock(lines: number): string {
  const body = Array.from({ length: lines }, (_, index) => `const value${index} = ${index};\n`).join("");
  return `Here is the code:\n\n\`\`\`ts\n${body}\`\`\`\n\nThat is all.`;
}

/** Word-sized tokens, each with its leading whitespace. */
function tokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

function chunk(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

const WORDS = [
  "the",
  "relay",
  "streams",
  "tokens",
  "from",
  "Cody",
  "to",
  "every",
  "client",
  "in",
  "its",
  "own",
  "dialect",
  "and",
  "never",
  "drops",
  "an",
  "error",
];

function filler(count: number, seedText: string): string {
  let state = hash(seedText) || 1;
  const words: string[] = [];
  for (let index = 0; index < count; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    words.push(WORDS[state % WORDS.length]);
  }
  return words.join(" ");
}

/** FNV-1a. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return value;
}

/** The tool a request's answer calls: the one named (none for `none`), else the first. */
function chosenTool(body: SimulatedBody, name: string | undefined): ToolFunction | undefined {
  if (name === undefined) return body.tools?.[0]?.function;
  return body.tools?.find((tool) => tool.function?.name === name)?.function;
}

type ToolFunction = NonNullable<NonNullable<SimulatedBody["tools"]>[number]["function"]>;

/**
 * The shell command the simulator runs through a coding agent's own shell tool: harmless,
 * and its output (`simulated-42`) is not its text, so a test can tell that it ran. No
 * `$(…)` in it: Gemini CLI refuses commands with command substitution, and takes
 * arithmetic expansion `$((…))` for one.
 */
export const SIMULATED_COMMAND = "printf 'simulated-%s\\n' 42";

/**
 * The arguments of the shell tools of coding agents (Codex CLI; Gemini CLI and Qwen Code;
 * opencode; Continue CLI): run {@link SIMULATED_COMMAND}.
 */
const SHELL_TOOL_ARGUMENTS: Readonly<Record<string, Record<string, unknown>>> = {
  exec_command: { cmd: SIMULATED_COMMAND },
  shell: { command: ["bash", "-lc", SIMULATED_COMMAND] },
  shell_command: { command: SIMULATED_COMMAND },
  run_shell_command: { command: SIMULATED_COMMAND },
  bash: { command: SIMULATED_COMMAND },
  Bash: { command: SIMULATED_COMMAND },
};

/** A call's arguments: a harmless command for a known shell tool, else an example of each parameter. */
function toolArguments(tool: ToolFunction): Record<string, unknown> {
  return SHELL_TOOL_ARGUMENTS[tool.name ?? ""] ?? exampleArguments(tool.parameters);
}

function exampleArguments(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const properties = (schema?.properties ?? {}) as Record<string, { type?: string }>;
  return Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, exampleValue(property.type, name)]),
  );
}

function exampleValue(type: string | undefined, name: string): unknown {
  if (type === "number" || type === "integer") return 1;
  if (type === "boolean") return true;
  if (type === "array") return [];
  if (type === "object") return {};
  return `example ${name}`;
}

/**
 * The JSON Schema a request asks its answer to match (`{}` for any JSON), or undefined when
 * it asks for text: the relay writes JSON requests as a system instruction.
 */
function jsonAsked(body: SimulatedBody): Record<string, unknown> | undefined {
  const system = body.messages?.find((message) => message.speaker === "system");
  const text = system ? messageText(system) : "";
  const at = text.indexOf(JSON_INSTRUCTION);
  if (at < 0) return undefined;
  const schema = text.slice(at).split("\n")[1];
  try {
    return schema ? JSON.parse(schema) : {};
  } catch {
    return {};
  }
}

/** A value that matches `schema`: the first enum value, each property (recursively), one array item. */
function exampleJson(schema: Record<string, unknown>, name: string): unknown {
  const type = String(schema.type ?? (schema.properties ? "object" : "string")).toLowerCase();
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (type === "object") {
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, exampleJson(value, key)]));
  }
  if (type === "array") return [exampleJson((schema.items ?? {}) as Record<string, unknown>, name)];
  return exampleValue(type, name);
}

/** The prompt up to a FIM hole (the ones the relay writes), or `undefined` for other prompts. */
function textBeforeHole(prompt: string): string | undefined {
  for (const hole of ["<｜fim▁hole｜>", "<fim_suffix>", "{{FILL_HERE}}"]) {
    const index = prompt.lastIndexOf(hole);
    if (index >= 0) return prompt.slice(0, index);
  }
  return undefined;
}

/** The longest start of `text` that `prefix` ends with (at least 8 characters), if any. */
function overlap(prefix: string, text: string): string | undefined {
  for (let length = Math.min(prefix.length, text.length); length >= 8; length--) {
    if (prefix.endsWith(text.slice(0, length))) return text.slice(0, length);
  }
  return undefined;
}

const FIM_PROMPTS = [
  /<｜fim▁begin｜>([\s\S]*)<｜fim▁hole｜>([\s\S]*)<｜fim▁end｜>/,
  /<fim_prefix>([\s\S]*)<fim_suffix>([\s\S]*)<fim_middle>/,
];

/**
 * What the simulated code model writes into a FIM prompt's hole: a marker naming the
 * nearest non-blank lines around the hole, so tests can tell the middle from its surroundings.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { simulatedMiddle } from "./answer.ts";
 * const middle = simulatedMiddle("<fim_prefix>let x = <fim_suffix>;\n<fim_middle>");
 * equal(middle, '[middle after "let x =" before ";"]');
 * ```
 */
export function simulatedMiddle(prompt: string): string | undefined {
  for (const pattern of FIM_PROMPTS) {
    const match = pattern.exec(prompt);
    if (match) {
      const before = match[1].trimEnd().split("\n").at(-1)!.trim();
      const after = match[2].trimStart().split("\n")[0].trim();
      return `[middle after ${JSON.stringify(before)} before ${JSON.stringify(after)}]`;
    }
  }
  return undefined;
}
