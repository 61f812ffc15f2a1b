/** The credentials the tests use: scanned for in the redaction test and in CI's captured test output. */
import { TOKEN } from "./harness.ts";

/** Secrets of the redaction test, by name. */
export const SECRETS: Readonly<Record<string, string>> = {
  "server token": "sgp_f00dfeed00112233_aabbccddeeff00112233445566778899aabbccdd",
  "client token": "sgp_c0ffee0011223344_0123456789abcdef0123456789abcdef01234567",
  "gateway key": "gw-7d3c1a9e5b2f4680-relay-gateway-key",
  "second gateway key": "gw-second-0f1e2d3c4b5a6978",
  "session cookie": "session-cookie-value-8a7b6c5d4e3f2a1b",
};

/** Every secret the test suite uses, including the harness token. */
export const ALL_SECRETS: Readonly<Record<string, string>> = { ...SECRETS, "harness token": TOKEN };

/** The names of the secrets that occur in `text` (never the secrets themselves). */
export function secretsIn(text: string): string[] {
  return Object.entries(ALL_SECRETS).filter(([, secret]) => text.includes(secret)).map(([name]) => name);
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
