/**
 * Which `Host` a request may name. A relay on loopback answers only for loopback names,
 * so a web page whose domain was re-pointed at 127.0.0.1 (DNS rebinding) cannot use it,
 * its console or the access token it holds.
 *
 * @module
 */

/** The host name of a `Host` header (`[::1]:8787` → `::1`, `Relay.Example:443` → `relay.example`), lower case. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (bracketed) return bracketed[1].toLowerCase();
  const colon = host.indexOf(":");
  return (colon === host.lastIndexOf(":") && colon >= 0 ? host.slice(0, colon) : host).toLowerCase();
}

/**
 * Whether `name` (a host name or a `Host` header) is a loopback name: `localhost`,
 * `*.localhost`, 127.0.0.0/8 or `::1`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { isLoopbackName } from "./allowed_hosts.ts";
 * equal(isLoopbackName("127.0.0.1"), true);
 * equal(isLoopbackName("[::1]:8787"), true);
 * equal(isLoopbackName("0.0.0.0"), false);
 * ```
 */
export function isLoopbackName(name: string): boolean {
  const bare = hostName(name);
  return bare === "localhost" || bare.endsWith(".localhost") || bare === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * A check of a request's `Host` against `allowed`: host names (a port is ignored), where
 * `*` allows any and `localhost` also allows every loopback name.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { hostCheck } from "./allowed_hosts.ts";
 * const allows = hostCheck(["localhost"]);
 * equal(allows("127.0.0.1:8787"), true);
 * equal(allows("[::1]:8787"), true);
 * equal(allows("rebound.example:8787"), false);
 * equal(hostCheck(["relay.example"])("Relay.Example"), true);
 * equal(hostCheck(["*"])("anything.example"), true);
 * ```
 */
export function hostCheck(allowed: readonly string[]): (host: string) => boolean {
  if (allowed.includes("*")) return () => true;
  const names = new Set(allowed.map(hostName));
  const loopback = names.has("localhost");
  return (host) => names.has(hostName(host)) || (loopback && isLoopbackName(host));
}
