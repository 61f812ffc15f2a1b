import { RelayError } from "../hub/errors.ts";

/** How the relay authenticates to Sourcegraph for one request. */
export type CodyCredential =
  | { kind: "token"; token: string }
  | { kind: "session"; cookie: string };

const ACCESS_TOKEN = /^(sgp_[A-Za-z0-9_]+|[a-fA-F0-9]{40})$/;
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * Chooses the credential: the relay's own token if configured (clients then need no key),
 * else the client's key: an access token (`sgp_…`, or a legacy 40-hex token) is sent as
 * `Authorization: token …`, anything else as the `sgs` session cookie. No key at all is a 401.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { resolveCredential } from "./credentials.ts";
 * equal(resolveCredential(undefined, "sgp_local_abc").kind, "token");
 * equal(resolveCredential(undefined, "a-session-cookie").kind, "session");
 * ```
 */
export function resolveCredential(serverToken: string | undefined, clientKey: string | undefined): CodyCredential {
  const key = serverToken || clientKey;
  if (!key) {
    throw new RelayError(
      401,
      "No Sourcegraph credentials: send your Sourcegraph access token (sgp_…) as the API key, or start the relay with SRC_ACCESS_TOKEN set.",
      { code: "invalid_api_key" },
    );
  }
  if (!HEADER_SAFE.test(key)) {
    throw new RelayError(401, "The API key contains characters that cannot be sent in an HTTP header.", {
      code: "invalid_api_key",
    });
  }
  return ACCESS_TOKEN.test(key) ? { kind: "token", token: key } : { kind: "session", cookie: key };
}

/**
 * The headers that carry a credential. A session cookie is honoured only with an
 * `X-Requested-With` header, which every Cody request sends anyway.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { credentialHeaders } from "./credentials.ts";
 * const headers = credentialHeaders({ kind: "token", token: "sgp_x" });
 * equal(headers.authorization, "token sgp_x");
 * ```
 */
export function credentialHeaders(credential: CodyCredential): Record<string, string> {
  return credential.kind === "token"
    ? { authorization: `token ${credential.token}` }
    : { cookie: `sgs=${credential.cookie}` };
}
