/**
 * The routing path of a request: query dropped, runs of `/` collapsed, a trailing `/`
 * removed. `http://h//v1/chat/completions/?beta=true` routes as `/v1/chat/completions`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { normalizePath } from "./normalize_path.ts";
 * equal(normalizePath(new Request("http://h//v1//models/?x=1")), "/v1/models");
 * ```
 */
export function normalizePath(request: Request): string {
  const { url } = request;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  const path = url.slice(start, query < 0 ? undefined : query).replace(/\/{2,}/g, "/");
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}
