/**
 * The simulator's answer streams: frames sent one per pull (paced), with a stream fault
 * played on the way, ended in the protocol's own way (Cody's `done`, OpenAI's `[DONE]`).
 *
 * @module
 */
import { goJson } from "./go_json.ts";
import type { SimulatorFault } from "./faults.ts";
import { sleep } from "../hub/sleep.ts";

/** How a simulated request ended. */
export type SimulatedOutcome = "completed" | "aborted" | "failed";

const encoder = new TextEncoder();

/** How a protocol ends a stream, reports an error in it, and looks when an event is cut short. */
export interface StreamWire {
  done: string;
  error(message: string): string;
  cutEvent: string;
}

const DEFAULT_STREAM_ERROR = "Anthropic (Sourcegraph Cody Gateway): unexpected status code 529: Overloaded";

/** Cody: `event: error` then `done`. */
export const CODY_WIRE: StreamWire = {
  done: "event: done\ndata: {}\n\n",
  error: (message) => `event: error\ndata: ${goJson({ error: message })}\n\nevent: done\ndata: {}\n\n`,
  cutEvent: 'event: completion\ndata: {"deltaText":"trunc\n\nevent: done\ndata: {}\n\n',
};

/** OpenAI: a `data: {"error":…}` event; `data: [DONE]` at the end. */
export const OPENAI_WIRE: StreamWire = {
  done: "data: [DONE]\n\n",
  error: (message) => `data: ${JSON.stringify({ error: { message, type: "server_error", code: null } })}\n\n`,
  cutEvent: 'data: {"choices":[{"index":0,"delta":{"content":"trunc\n\ndata: [DONE]\n\n',
};

/**
 * Sends the frames one per pull (paced), playing a stream fault, then the protocol's end;
 * `settle` learns how it ended.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { frameStream, OPENAI_WIRE } from "./frame_stream.ts";
 * const body = frameStream(["data: {}\n\n"], {}, () => {}, OPENAI_WIRE).pipeThrough(new TextDecoderStream());
 * equal((await Array.fromAsync(body)).join(""), "data: {}\n\ndata: [DONE]\n\n");
 * ```
 */
export function frameStream(
  frames: string[],
  fault: SimulatorFault,
  settle: (outcome: SimulatedOutcome) => void,
  wire: StreamWire = CODY_WIRE,
) {
  const cancelled = new AbortController();
  let sent = 0;
  let paused = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (fault.delayMs && sent === 0) await sleep(fault.delayMs, cancelled.signal);
      else if (fault.pauseMs && sent === fault.pauseAfter && !paused) {
        paused = true;
        await sleep(fault.pauseMs, cancelled.signal);
      } else if (fault.paceMs && sent > 0) await sleep(fault.paceMs, cancelled.signal);
      if (cancelled.signal.aborted) return;
      if (sent === fault.errorAfter) {
        controller.enqueue(encoder.encode(wire.error(fault.message ?? DEFAULT_STREAM_ERROR)));
        controller.close();
        return settle("completed");
      }
      if (sent === fault.stallAfter) return await sleep(Infinity, cancelled.signal);
      if (sent === fault.badJsonAfter) {
        controller.enqueue(encoder.encode(wire.cutEvent));
        controller.close();
        return settle("completed");
      }
      if (sent === fault.dropAfter) {
        controller.error(new Error("simulated connection reset"));
        return settle("failed");
      }
      if (sent === fault.truncateAfter) {
        controller.close();
        return settle("completed");
      }
      if (sent < frames.length) {
        controller.enqueue(encoder.encode(frames[sent++]));
        return;
      }
      controller.enqueue(encoder.encode(wire.done));
      controller.close();
      settle("completed");
    },
    cancel() {
      cancelled.abort();
      settle("aborted");
    },
  }, { highWaterMark: 0 });
}
