/** Shared pieces of the fault suite: a relay with short limits, the openai client, request counts. */
import OpenAI from "openai";
import type { AppOptions } from "../../lib/server/app.ts";
import type { SimulatorOptions } from "../../lib/simulator/simulator.ts";
import { type Stack, startStack, TOKEN } from "../harness.ts";

export const MODEL = "anthropic::2024-10-22::claude-sonnet-4-latest";
export const FALLBACK = "openai::2024-02-01::gpt-4.1";

/** A relay whose limits and backoff are short enough for tests (each test overrides what it exercises). */
export function faultStack(
  app: Partial<Omit<AppOptions, "upstream">> = {},
  simulator: SimulatorOptions = {},
): Promise<Stack> {
  return startStack({
    simulator,
    app: {
      maxContinuations: 0,
      ...app,
      retry: { baseDelayMs: 20, ...app.retry },
      timeouts: { firstEventMs: 5_000, idleMs: 5_000, ...app.timeouts },
    },
  });
}

/** The real openai client, without its own retries (the relay's are under test). */
export function openai(stack: Stack, apiKey = TOKEN): OpenAI {
  return new OpenAI({ baseURL: `${stack.relayUrl}/v1`, apiKey, maxRetries: 0 });
}

/** A chat that must fail: the error the client raised. */
export function chatError(
  stack: Stack,
  content: string,
  extra: Partial<OpenAI.ChatCompletionCreateParams> = {},
  apiKey = TOKEN,
): Promise<InstanceType<typeof OpenAI.APIError>> {
  return openai(stack, apiKey).chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content }],
    ...extra,
  } as OpenAI.ChatCompletionCreateParams).then((answer) => {
    throw new Error(`expected an error, got ${JSON.stringify(answer)}`);
  }, (error) => error);
}

/** Streams a chat through the openai client: the text seen, and the error that ended it (if any). */
export async function streamChat(
  stack: Stack,
  content: string,
  extra: Partial<OpenAI.ChatCompletionCreateParams> = {},
): Promise<{ text: string; error?: InstanceType<typeof OpenAI.APIError>; finish?: string | null; model?: string }> {
  let text = "";
  let finish: string | null | undefined;
  let model: string | undefined;
  try {
    const stream = await openai(stack).chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content }],
      stream: true,
      ...extra,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    for await (const chunk of stream) {
      model = chunk.model;
      text += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason;
    }
    return { text, finish, model };
  } catch (error) {
    return { text, error: error as InstanceType<typeof OpenAI.APIError>, finish, model };
  }
}

/** How many completions requests the simulator received. */
export function completionRequests(stack: Stack): number {
  return stack.simulator.requests.filter((request) => request.path.startsWith("/.api/completions/")).length;
}

/** The simulator's answer text to `Hi` with `words` filler words, from a request without faults. */
export async function referenceText(words: number): Promise<string> {
  await using stack = await faultStack();
  const { text, error } = await streamChat(stack, `Hi [[sim words=${words}]]`);
  if (error) throw error;
  return text;
}
