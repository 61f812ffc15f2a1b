/**
 * A coding agent's request, as each dialect carries it: a long system prompt, 25 tools with
 * JSON schemas, and 15 turns of a user message, a tool call and its result (about 150 KB),
 * streamed, in the shape the OpenAI chat, Anthropic Messages, Responses and Gemini clients
 * send. Agents send their whole conversation with every turn; `bench/request_cost.ts --agent`
 * measures what such a request costs the relay.
 *
 * @module
 */

/** One front's request: where it goes, its JSON body, and the text its streamed answer ends with. */
export interface AgentRequest {
  /** The front, as the report names it. */
  front: string;
  /** The path the client posts to. */
  path: string;
  /** The request body (JSON). */
  body: string;
  /** A text the whole streamed answer contains at its end. */
  end: string;
}

/** The model every request names. */
const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
/** Turns of user message, tool call and tool result. */
const TURNS = 15;

/** `count` words of prose, each starting with `seed`. */
const words = (count: number, seed: string) =>
  Array.from({ length: count }, (_, index) => `${seed}${index % 97} lorem ipsum`).join(" ");

const tools = Array.from({ length: 25 }, (_, tool) => ({
  name: `tool_${tool}`,
  description: words(20, "tool"),
  schema: {
    type: "object",
    properties: Object.fromEntries(
      Array.from({ length: 8 }, (_, field) => [`field_${field}`, { type: "string", description: words(12, "field") }]),
    ),
    required: ["field_0"],
  },
}));
const system = words(1500, "system");
const turns = Array.from({ length: TURNS }, (_, turn) => turn);

/**
 * The agent's request in each dialect, the conversation's texts made unique by `nonce` (a
 * different nonce for each request stands for a conversation the relay has not seen, the
 * same nonce for the next turn of one it has); the system prompt and tools are the agent's
 * own, the same in every conversation.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { agentRequests } from "./agent_requests.ts";
 * const requests = agentRequests("a");
 * equal(requests.map((request) => request.front).join(), "openai,anthropic,responses,gemini");
 * ok(requests.every((request) => request.body.length > 100_000 && JSON.parse(request.body)));
 * ```
 */
export function agentRequests(nonce: string): AgentRequest[] {
  const ask = (turn: number) => `${nonce} ${words(40, "user")} (turn ${turn})`;
  const args = (turn: number) => JSON.stringify({ field_0: `${nonce} ${words(10, "arg")} ${turn}` });
  const result = (turn: number) => `${nonce} ${words(250, "result")} (turn ${turn})`;
  const openai = {
    model: MODEL,
    stream: true,
    messages: [
      { role: "system", content: system },
      ...turns.flatMap((turn) => [
        { role: "user", content: ask(turn) },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: `call_${turn}`, type: "function", function: { name: "tool_1", arguments: args(turn) } }],
        },
        { role: "tool", tool_call_id: `call_${turn}`, content: result(turn) },
      ]),
      { role: "user", content: "go on" },
    ],
    tools: tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.schema },
    })),
  };
  const anthropic = {
    model: MODEL,
    stream: true,
    max_tokens: 4000,
    system,
    messages: [
      ...turns.flatMap((turn) => [
        {
          role: "user",
          content: turn === 0 ? ask(turn) : [
            { type: "tool_result", tool_use_id: `toolu_${turn - 1}`, content: result(turn - 1) },
            { type: "text", text: ask(turn) },
          ],
        },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: `toolu_${turn}`, name: "tool_1", input: JSON.parse(args(turn)) }],
        },
      ]),
      { role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${TURNS - 1}`, content: "go on" }] },
    ],
    tools: tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.schema })),
  };
  const responses = {
    model: MODEL,
    stream: true,
    store: false,
    instructions: system,
    input: [
      ...turns.flatMap((turn) => [
        { role: "user", content: ask(turn) },
        { type: "function_call", call_id: `call_${turn}`, name: "tool_1", arguments: args(turn) },
        { type: "function_call_output", call_id: `call_${turn}`, output: result(turn) },
      ]),
      { role: "user", content: "go on" },
    ],
    tools: tools.map((tool) => ({
      type: "function",
      name: tool.name,
      description: tool.description,
      parameters: tool.schema,
    })),
  };
  const gemini = {
    systemInstruction: { parts: [{ text: system }] },
    contents: [
      ...turns.flatMap((turn) => [
        { role: "user", parts: [{ text: ask(turn) }] },
        { role: "model", parts: [{ functionCall: { name: "tool_1", args: JSON.parse(args(turn)) } }] },
        { role: "user", parts: [{ functionResponse: { name: "tool_1", response: { output: result(turn) } } }] },
      ]),
      { role: "user", parts: [{ text: "go on" }] },
    ],
    tools: [{
      functionDeclarations: tools.map((tool) => ({
        name: tool.name,
        description: tool.description,
        parameters: tool.schema,
      })),
    }],
  };
  return [
    { front: "openai", path: "/v1/chat/completions", body: JSON.stringify(openai), end: "data: [DONE]\n\n" },
    { front: "anthropic", path: "/v1/messages", body: JSON.stringify(anthropic), end: "event: message_stop" },
    { front: "responses", path: "/v1/responses", body: JSON.stringify(responses), end: "event: response.completed" },
    {
      front: "gemini",
      path: `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`,
      body: JSON.stringify(gemini),
      end: '"finishReason"',
    },
  ];
}
