/** The app a configuration builds: its warnings follow the settings as built, and errors never quote a secret. */
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";
import { configuredApp } from "../../lib/cli/relay_app.ts";

async function warnings(env: Record<string, string>, skipInFile?: boolean): Promise<string[]> {
  const file = {
    upstreams: {
      cody: { type: "cody" as const, endpoint: "https://sg.invalid", tls: { insecureSkipTlsVerify: skipInFile } },
    },
  };
  const { app } = await configuredApp(parseConfig([], env, file), new AbortController().signal);
  return (await (await app.fetch(new Request("http://relay/health"))).json()).warnings ?? [];
}

Deno.test("the TLS warning follows the upstream's setting as built: a variable turning verification on silences the file", async () => {
  deepEqual(await warnings({ CODY_SSL_BYPASS: "false" }, true), []);
  match((await warnings({}, true))[0], /verification of the upstream "cody" is off/);
  match((await warnings({ CODY_SSL_BYPASS: "true" }))[0], /verification of the upstream "cody" is off/);
  deepEqual(await warnings({}), []);
});

Deno.test("a bad endpoint is named without its query, fragment or user info", () => {
  const secret = "sgp_0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
  for (
    const endpoint of [
      `ftp://sg.example/?token=${secret}`,
      `htp://user:${secret}@sg.example`,
      `not a url ${"?"}token=${secret}`,
    ]
  ) {
    const error = (() => {
      try {
        parseConfig(["--endpoint", endpoint], {});
      } catch (error) {
        return error as Error;
      }
    })();
    ok(error, endpoint.slice(0, 6));
    match(error.message, /^--endpoint must/);
    equal(error.message.includes(secret.slice(4, 12)), false, "no part of the token is quoted");
  }
  throws(() => parseConfig(["--endpoint", "https://u:p@sg.example"], {}), /must not contain credentials/);
});
