/**
 * `cli.ts check-config --explain` as users run it: the effective configuration of the
 * documented config file, each value with where it came from, secrets redacted; and without
 * a file, flags, environment and defaults alone.
 */
import { equal, ok } from "node:assert/strict";

const root = new URL("../../", import.meta.url);
const SECRET = "Zr4Qp8Lm2Xv6Nk1Tw9Bd";

/** A fenced block of `docs/configuration.md`: the first in `lang` after `marker`. */
async function documented(marker: string, lang: string): Promise<string> {
  const document = await Deno.readTextFile(new URL("docs/configuration.md", root));
  return document.split(marker)[1].match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"))![1];
}

async function explain(args: string[], cwd: string, env: Record<string, string>) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("cli.ts", root).pathname, "check-config", ...args],
    cwd,
    env: { NO_COLOR: "1", ...env },
  }).output();
  return { code, output: new TextDecoder().decode(stdout), errors: new TextDecoder().decode(stderr) };
}

/** Lines with their runs of spaces made one. */
const squeezed = (text: string) => text.trim().split("\n").map((line) => line.trim().replace(/\s{2,}/g, "  "));

Deno.test("check-config --explain prints the documented lines for the documented file, and no secret", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${folder}/cody-relay.json`, await documented("## Config file", "jsonc"));
    const env = { SRC_ACCESS_TOKEN: `sgp_${SECRET}`, RELAY_KEY: `key-${SECRET}` };
    const { code, output, errors } = await explain(["cody-relay.json", "--explain", "--port", "9000"], folder, env);
    equal(code, 0, errors);
    const lines = squeezed(output);
    equal(lines[0], "cody-relay.json: ok (2 upstreams)");
    for (const line of squeezed(await documented("check-config --explain", "text"))) {
      ok(lines.includes(line), `"${line}" is not in the output:\n${output}`);
    }
    ok(!output.includes(SECRET.slice(0, 8)) && !errors.includes(SECRET.slice(0, 8)), "a secret is shown");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("check-config --explain without a file: flags, variables and defaults", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const { code, output, errors } = await explain(
      ["--explain", "--endpoint", "https://sg.example/?token=" + SECRET],
      folder,
      {
        CODY_IDLE_TIMEOUT: "5",
        RELAY_RESPONSES_STORE: `redis://:${SECRET}@cache:6379`,
      },
    );
    equal(code, 0, errors);
    const lines = squeezed(output);
    equal(lines[0], "no config file: ok");
    for (
      const line of [
        "limits.idleTimeout  5  env CODY_IDLE_TIMEOUT",
        "responses.store  [redacted]  env RELAY_RESPONSES_STORE",
        "upstreams.cody.type  cody  flag --endpoint",
        "upstreams.cody.endpoint  https://sg.example/?[redacted]  flag --endpoint",
        "server.port  8787  default",
      ]
    ) ok(lines.includes(line), `"${line}" is not in the output:\n${output}`);
    ok(!output.includes(SECRET.slice(0, 8)), "a secret is shown");
    const bare = await explain([], folder, {});
    equal(bare.code, 2, "check-config without a file or --explain is a problem");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
