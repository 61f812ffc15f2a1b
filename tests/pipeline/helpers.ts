/** Upstreams for the pipeline's tests: scripted answers, paced or stalled, with their abort signals recorded. */
import { RelayError } from "../../lib/hub/errors.ts";
import type { RelayEvent } from "../../lib/hub/events.ts";
import type { RelayRequest } from "../../lib/hub/request.ts";
import type { AnswerCall, Upstream, UpstreamContext } from "../../lib/hub/upstream.ts";

/** One attempt's script: a failure to start, or events sent `pauseMs` apart (then a stall if `stall`). */
export type Script = RelayError | { events: RelayEvent[]; pauseMs?: number; stall?: boolean };

/** What a {@link scripted} upstream was asked: each request, its context, and whether it was cancelled. */
export interface Asked {
  requests: RelayRequest[];
  contexts: UpstreamContext[];
  cancelled: number;
  paused: number;
}

/** An upstream that answers each `open` from the next script (the last one repeats), pushing one event per batch. */
export function scripted(...scripts: Script[]): { upstream: Upstream; asked: Asked } {
  const asked: Asked = { requests: [], contexts: [], cancelled: 0, paused: 0 };
  const upstream: Upstream = {
    open(request, context, sink) {
      asked.requests.push(request);
      asked.contexts.push(context);
      const script = scripts.length > 1 ? scripts.shift()! : scripts[0];
      if (script instanceof RelayError) return Promise.reject(script);
      let index = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let stopped = false;
      const next = () => {
        if (stopped) return;
        if (index < script.events.length) {
          sink([script.events[index++]]);
          timer = setTimeout(next, script.pauseMs ?? 0);
        } else if (!script.stall) stopped = true;
      };
      timer = setTimeout(next, script.pauseMs ?? 0);
      const call: AnswerCall = {
        pause: () => void asked.paused++,
        resume() {},
        cancel() {
          stopped = true;
          asked.cancelled++;
          clearTimeout(timer);
        },
      };
      return Promise.resolve(call);
    },
    models: () => Promise.resolve([]),
  };
  return { upstream, asked };
}

/** Every event an answer sends into its sink, once it ended (or `timeoutMs` passed). */
export async function drainAnswer(
  upstream: Upstream,
  request: RelayRequest = { messages: [] },
  context: UpstreamContext = {},
  timeoutMs = 5_000,
): Promise<RelayEvent[]> {
  const events: RelayEvent[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const timer = setTimeout(resolve, timeoutMs);
  await upstream.open(request, context, (batch) => {
    events.push(...batch);
    if (batch.some((event) => event.type === "finish" || event.type === "error")) resolve();
  });
  await promise;
  clearTimeout(timer);
  return events;
}

/** `text` events. */
export const text = (value: string): RelayEvent => ({ type: "text", text: value });
/** A `stop` finish. */
export const finish: RelayEvent = { type: "finish", reason: "stop" };
