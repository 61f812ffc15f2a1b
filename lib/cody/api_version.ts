/**
 * Which `api-version` to send (cody-protocol.md §2.3): the instance's
 * `latestSupportedCompletionsStreamAPIVersion` from `GET /.api/client-config`, capped at
 * what this code understands.
 *
 * @module
 */
import { z } from "zod";

/** The highest api-version this relay decodes (tools and thinking arrive at 9). */
export const MAX_API_VERSION = 9;
/** Instances older than 5.5 have no client-config; they speak api-version 1 (cumulative). */
export const NO_CLIENT_CONFIG_API_VERSION = 1;
/** client-config without the field predates it; the field arrived after api-version 2. */
export const UNREPORTED_API_VERSION = 2;

const ClientConfig = z.looseObject({
  latestSupportedCompletionsStreamAPIVersion: z.number().int().nullish(),
});

/**
 * The api-version a client-config response allows, or undefined when the answer says
 * nothing definite (auth failure, server error): then use a fallback without caching it.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { apiVersionFromClientConfig } from "./api_version.ts";
 * const response = Response.json({ latestSupportedCompletionsStreamAPIVersion: 12 });
 * equal(await apiVersionFromClientConfig(response), 9);
 * ```
 */
export async function apiVersionFromClientConfig(response: Response): Promise<number | undefined> {
  if (response.status === 404) {
    await response.body?.cancel();
    return NO_CLIENT_CONFIG_API_VERSION;
  }
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  const parsed = ClientConfig.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) return undefined;
  const latest = parsed.data.latestSupportedCompletionsStreamAPIVersion;
  return latest ? Math.min(Math.max(latest, 1), MAX_API_VERSION) : UNREPORTED_API_VERSION;
}

const MILESTONES = [9, 8, 5, 3, 2, 1];

/**
 * The next lower api-version worth trying after a `406 Unsupported API Version`: the
 * previous version that changed the protocol (9 tools, 8 thinking, 5 usage, 3 images,
 * 2 deltas, 1), or undefined below 1.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { lowerApiVersion } from "./api_version.ts";
 * ok(lowerApiVersion(9) === 8 && lowerApiVersion(7) === 5 && lowerApiVersion(1) === undefined);
 * ```
 */
export function lowerApiVersion(version: number): number | undefined {
  return MILESTONES.find((milestone) => milestone < version);
}
