/**
 * The credentials the tests use, and how to look for them: scanned for in the redaction
 * test and in CI's captured test output.
 *
 * A secret counts as leaked when any 8 characters in a row of it appear, not only the
 * whole of it: a redaction that stops early (`sgp_[redacted]_0123…`) leaks the rest. The
 * windows are taken from a secret's distinctive part, the random characters after its
 * format's public prefix (`sgp_local_`, `sgp_`, `gw-`), which every token of that format
 * shares and which other output may legitimately contain. Every random part here was drawn
 * at random, so none of its windows occurs in any other text of the project.
 */
import { TOKEN } from "./harness.ts";

/** Secrets of the redaction test, by name, one or more of each format the relay handles. */
export const SECRETS: Readonly<Record<string, string>> = {
  /** `sgp_<16 hex>_<40 hex>`: an access token naming its instance. */
  "server token": "sgp_cc127412c8bce0f7_e858999d0437f85ef36c887e30788483b8df0d87",
  "client token": "sgp_60b0b884f36f2091_1586eb69c5e17d6e53e83d66943187a1ab3ca7db",
  /** `sgp_<40 hex>`: an access token without the instance part. */
  "plain access token": "sgp_9600bef59f5db784a6ee0b81e462263c38d12cf9",
  /** `sgp_local_<40 hex>`: a token of a local instance. */
  "local token": "sgp_local_9b1d4ecb7e82ec268379de94794a3debc7834073",
  /** A well-formed token the instance refuses (revoked, or of another instance). */
  "revoked token": "sgp_6c2cd44f08947d89_3c3f2a4b1fed65f46053da4ca48b6ea77eebdd49",
  /** The relay's own gateway keys (`RELAY_API_KEYS`). */
  "gateway key": "gw-8836c91c070022722221c86743f111d3",
  "second gateway key": "gw-864647a1ac510307e67dc2fc",
  /** An `sgs` session cookie value (base64url, as Sourcegraph's secure cookies are). */
  "session cookie": "EQM5GYCNiKYGytPx-Ik7K5cWCqJb_goLzxwfLCe1OpOIH",
};

/** Every secret the test suite uses, including the harness token. */
export const ALL_SECRETS: Readonly<Record<string, string>> = { ...SECRETS, "harness token": TOKEN };

/** The public prefixes of the token formats: not secret, the same in every token of a format. */
const PUBLIC_PREFIX = /^(?:sgp_local_|sgp_|gw-)/;

/** How many characters in a row of a secret's distinctive part count as leaking it. */
export const WINDOW = 8;

/**
 * What to look for to find `secret` in a text: every {@link WINDOW}-character window of its
 * distinctive part (all of it after the public prefix), each with where it starts in the
 * secret, so a failure can say which characters leaked without printing them.
 */
export function fragmentsOf(secret: string): { at: number; text: string }[] {
  const at = secret.match(PUBLIC_PREFIX)?.[0].length ?? 0;
  const distinctive = secret.slice(at);
  if (distinctive.length < WINDOW) throw new Error(`a test secret is too short to look for (${secret.length})`);
  return Array.from({ length: distinctive.length - WINDOW + 1 }, (_, index) => ({
    at: at + index,
    text: distinctive.slice(index, index + WINDOW),
  }));
}

/**
 * Which characters of `secret` occur in `text`, as `characters 20–27`-style ranges (never
 * the characters themselves); empty when none do.
 */
export function leakedParts(secret: string, text: string): string[] {
  return fragmentsOf(secret).filter((fragment) => text.includes(fragment.text)).map((fragment) =>
    `characters ${fragment.at}–${fragment.at + fragment.text.length - 1}`
  );
}

/** The names of the secrets any part of which occurs in `text` (never the secrets themselves). */
export function secretsIn(text: string): string[] {
  return Object.entries(ALL_SECRETS).filter(([, secret]) => leakedParts(secret, text).length > 0).map(([name]) => name);
}

if (import.meta.main) {
  // `deno run --allow-read tests/secrets.ts FILE`: CI scans a full test run's output with it.
  const found = secretsIn(await Deno.readTextFile(Deno.args[0]));
  if (found.length) {
    console.error(`secrets in the test output: ${found.join(", ")}`);
    Deno.exit(1);
  }
  console.log(`test output scanned for ${Object.keys(ALL_SECRETS).length} secrets: none found`);
}
