import type { RelayEvent } from "../hub/events.ts";
import type { CodyToolCallFragment } from "./wire.ts";

/**
 * Turns Cody `delta_tool_calls` fragments into indexed hub events. A fragment with a new
 * id starts a call; one with an empty id (or a known id) continues the last (or that) call.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { ToolCallTracker } from "./tool_call_tracker.ts";
 * const tracker = new ToolCallTracker();
 * const events = [
 *   ...tracker.accept({ id: "t1", function: { name: "f", arguments: "" } }),
 *   ...tracker.accept({ id: "", function: { name: "", arguments: "{}" } }),
 * ];
 * ok(events.length === 2 && tracker.count === 1);
 * ```
 */
export class ToolCallTracker {
  readonly #indexById = new Map<string, number>();
  #last = -1;

  /** How many distinct calls have started. */
  get count(): number {
    return this.#indexById.size;
  }

  /** The hub events one fragment stands for (zero, one or two). */
  accept(fragment: CodyToolCallFragment): RelayEvent[] {
    const events: RelayEvent[] = [];
    const id = fragment.id ?? "";
    const args = fragment.function?.arguments ?? "";
    let index = id ? this.#indexById.get(id) : this.#last;
    if (index === undefined || index < 0) {
      index = this.#indexById.size;
      const callId = id || `call_${index}`;
      this.#indexById.set(callId, index);
      events.push({
        type: "tool_call_start",
        index,
        id: callId,
        name: fragment.function?.name ?? "",
      });
    }
    this.#last = index;
    if (args) events.push({ type: "tool_call_delta", index, arguments: args });
    return events;
  }
}
