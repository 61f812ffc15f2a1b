/** Token shapes redacted wherever they appear: Sourcegraph access tokens, bearer and token schemes, session cookies. */
const PATTERNS: [RegExp, string][] = [
  [/sgp_[A-Za-z0-9_]{4,}/g, "sgp_[redacted]"],
  [/\b(Bearer|token)\s+[A-Za-z0-9._~+\/=-]{8,}/gi, "$1 [redacted]"],
  [/\bsgs=[^;\s"]+/g, "sgs=[redacted]"],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, "sk-[redacted]"],
];

/**
 * Removes secrets from a log line: every configured secret (the server token, gateway
 * keys), and anything shaped like a token.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { redactor } from "./redact.ts";
 * const redact = redactor(["relay-key-123"]);
 * equal(redact("key relay-key-123, token sgp_abcdef0123"), "key [redacted], token sgp_[redacted]");
 * ```
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const known = secrets.filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let redacted = text;
    for (const secret of known) redacted = redacted.replaceAll(secret, "[redacted]");
    for (const [pattern, replacement] of PATTERNS) redacted = redacted.replace(pattern, replacement);
    return redacted;
  };
}
