/**
 * The value at a path inside a value: how settings, their sources and their errors are
 * looked up by key.
 *
 * @module
 */

/**
 * The value at `path` inside `value`, or undefined where the path leaves it.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { valueAt } from "./value_at.ts";
 * ok(valueAt({ a: [{ b: 1 }] }, ["a", 0, "b"]) === 1 && valueAt({ a: 1 }, ["a", "b"]) === undefined);
 * ```
 */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (item, key) => item && typeof item === "object" ? (item as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );
}

/**
 * `value` with `leaf` at `path`, the objects on the way created or copied (never changed).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { withValueAt } from "./value_at.ts";
 * const before = { a: { b: 1 } };
 * deepEqual(withValueAt(before, ["a", "c", "d"], 2), { a: { b: 1, c: { d: 2 } } });
 * deepEqual(before, { a: { b: 1 } });
 * ```
 */
export function withValueAt<T extends object>(value: T, path: readonly string[], leaf: unknown): T {
  if (!path.length) return leaf as T;
  const [key, ...rest] = path;
  const inner = (value as Record<string, unknown>)[key];
  return { ...value, [key]: withValueAt(inner && typeof inner === "object" ? inner : {}, rest, leaf) };
}
