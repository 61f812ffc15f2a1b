/**
 * Inputs of the micro-benchmarks, shared with the suite so that times convert to MB/s
 * and events/s.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { RelayEvent } from "../lib/hub/events.ts";
import { goJson } from "../lib/simulator/go_json.ts";

/** Events in the synthetic v2 delta stream. */
export const DELTA_EVENTS = 1000;
/** Events in the recorded legacy cumulative fixture. */
export const LEGACY_EVENTS = 192;

const encoder = new TextEncoder();
const frames = [
  ...Array.from(
    { length: DELTA_EVENTS },
    (_, index) => `event: completion\ndata: ${goJson({ deltaText: ` token${index} <x>` })}\n\n`,
  ),
  `event: completion\ndata: ${
    goJson({ stopReason: "end_turn", usage: { prompt_tokens: 10, completion_tokens: DELTA_EVENTS } })
  }\n\n`,
  "event: done\ndata: {}\n\n",
];

/** A v2+ delta stream of 1,000 events of a few tokens each. */
export const deltaBytes: Uint8Array = encoder.encode(frames.join(""));
/** The same stream in network-sized reads of 1,400 bytes (an upstream that bursts). */
export const deltaReads: Uint8Array[] = reads(deltaBytes, 1400);
/** The same stream one event per read (an upstream that paces its tokens). */
export const deltaFrames: Uint8Array[] = frames.map((frame) => encoder.encode(frame));
/**
 * The same stream as the HTTP/1.1 client reads it from an upstream that paces its tokens:
 * the response head, then one chunk of `transfer-encoding: chunked` per event, each a
 * node `Buffer` over a larger pool (as `node:net` hands reads over), and the chunked end.
 */
export const chunkedReads: Uint8Array[] = (() => {
  const parts = [
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n",
    ...frames.map((frame) => `${encoder.encode(frame).length.toString(16)}\r\n${frame}\r\n`),
    "0\r\n\r\n",
  ].map((part) => encoder.encode(part));
  const pool = Buffer.alloc(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  return parts.map((part) => {
    pool.set(part, offset);
    return pool.subarray(offset, offset += part.length);
  });
})();
/** The recorded legacy (api-version 1) cumulative stream. */
export const legacyBytes: Uint8Array = await Deno.readFile(
  new URL("../tests/fixtures/cody/legacy-cumulative.sse", import.meta.url),
);
/** The legacy stream in 1,400-byte reads. */
export const legacyReads: Uint8Array[] = reads(legacyBytes, 1400);
/** 1,000 text events, usage and finish, as the encoder receives them. */
export const hubEvents: RelayEvent[] = [
  ...Array.from({ length: DELTA_EVENTS }, (_, index): RelayEvent => ({ type: "text", text: ` token${index} <x>` })),
  { type: "usage", usage: { promptTokens: 10, completionTokens: DELTA_EVENTS } },
  { type: "finish", reason: "stop" },
];

/** What each micro-benchmark consumes, by its name: input bytes and events. */
export const MICRO_INPUTS: Record<string, { bytes: number; events: number }> = {
  "Cody decoder: v2 delta stream, 1,400-byte reads": { bytes: deltaBytes.length, events: DELTA_EVENTS },
  "Cody decoder: v2 delta stream, one event per read": { bytes: deltaBytes.length, events: DELTA_EVENTS },
  "Cody decoder: recorded legacy cumulative stream": { bytes: legacyBytes.length, events: LEGACY_EVENTS },
  "hub → OpenAI encoder: 1,000 events": { bytes: 0, events: DELTA_EVENTS },
  "Cody bytes → OpenAI bytes: 1,000 events, one per read": { bytes: deltaBytes.length, events: DELTA_EVENTS },
  "HTTP/1.1 response parser: 1,000 chunked events, one per read": {
    bytes: chunkedReads.reduce((total, read) => total + read.length, 0),
    events: DELTA_EVENTS,
  },
};

function reads(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}
