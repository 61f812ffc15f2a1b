/**
 * Config errors name where the problem is and never quote a credential: every
 * secret-bearing key at every depth (list items, header values), valid secrets next to
 * invalid siblings, misspelt keys, URLs carrying keys, secrets from `${VAR}`, JSON syntax
 * errors and unset variables; through `validateConfig`, `loadConfigFile` and the real
 * `cli.ts check-config`.
 */
import { equal, ok } from "node:assert/strict";
import { parseConfig } from "../../lib/cli/config.ts";
import { ConfigError } from "../../lib/config/config_error.ts";
import { loadConfigFile, validateConfig } from "../../lib/config/load_config.ts";

/** A recognisable fake credential: no 8 characters of it in a row may appear in any output. */
const SECRET = "Xq7Kz9Wp2Mt4Vr8Nl5Bh3Jc";

const CODY = { type: "cody", endpoint: "https://sg.example" };
const LOCAL = { type: "openai-compatible", baseUrl: "http://127.0.0.1:8080/v1" };

/** Where a fragment of the secret appears in `text`, or -1. */
function leakAt(text: string): number {
  for (let start = 0; start + 8 <= SECRET.length; start++) {
    const at = text.indexOf(SECRET.slice(start, start + 8));
    if (at >= 0) return at;
  }
  return -1;
}

/** Asserts that `text` says each of `named` and holds no fragment of the secret (and never prints the text). */
function assertRedacted(where: string, text: string, named: readonly string[]): void {
  equal(leakAt(text), -1, `${where}: a fragment of the fake secret appears at offset ${leakAt(text)}`);
  for (const words of named) ok(text.includes(words), `${where}: "${words}" is not said`);
}

/** How an error names the problem at `path`. */
const at = (path: string) => `${path}: `;

/** Files the schema rejects, and the paths their problems must name. */
const INVALID: { name: string; file: Record<string, unknown>; paths: string[] }[] = [
  {
    name: "gateway keys written the way the variable takes them",
    file: { server: { apiKeys: [`key1-${SECRET},key2-${SECRET}`] } },
    paths: ["server.apiKeys[0]"],
  },
  {
    name: "gateway keys as one string",
    file: { server: { apiKeys: `${SECRET},${SECRET}` } },
    paths: ["server.apiKeys"],
  },
  {
    name: "a valid gateway key next to invalid ones, one a nested list",
    file: { server: { apiKeys: [`valid-${SECRET}`, `${SECRET},x`, [SECRET], ""] } },
    paths: ["server.apiKeys[1]", "server.apiKeys[2]", "server.apiKeys[3]"],
  },
  {
    name: "upstream credentials of the wrong shape",
    file: {
      upstreams: {
        cody: { ...CODY, accessToken: [SECRET] },
        llm: { type: "sourcegraph-llm", endpoint: "https://sg.example", accessToken: { value: SECRET } },
        local: {
          ...LOCAL,
          apiKey: [SECRET],
          headers: { Authorization: [`Bearer ${SECRET}`], "X-Count": 7, "X-Valid": `Bearer ${SECRET}` },
        },
      },
    },
    paths: [
      "upstreams.cody.accessToken",
      "upstreams.llm.accessToken",
      "upstreams.local.apiKey",
      "upstreams.local.headers.Authorization",
      "upstreams.local.headers.X-Count",
    ],
  },
  {
    name: "headers as one string",
    file: { upstreams: { local: { ...LOCAL, headers: `Authorization: Bearer ${SECRET}` } } },
    paths: ["upstreams.local.headers"],
  },
  {
    name: "valid credentials next to invalid siblings",
    file: {
      server: { apiKeys: [SECRET], port: "80" },
      upstreams: {
        cody: { type: "cody", endpoint: "sg.example", accessToken: SECRET, clientName: "" },
        local: {
          ...LOCAL,
          baseUrl: "x",
          apiKey: SECRET,
          headers: { Authorization: `Bearer ${SECRET}` },
          systemRole: 1,
        },
      },
    },
    paths: [
      "server.port",
      "upstreams.cody.endpoint",
      "upstreams.cody.clientName",
      "upstreams.local.baseUrl",
      "upstreams.local.systemRole",
    ],
  },
  {
    name: "misspelt credential keys",
    file: { upstreams: { cody: { ...CODY, acessTokn: SECRET, pasword: SECRET } }, server: { apiKey: SECRET } },
    paths: ["upstreams.cody", "server"],
  },
  {
    name: "URLs carrying credentials in their query or user info",
    file: {
      upstreams: {
        sse: { type: "legacy-sse", url: `stream.example/?key=${SECRET}&q=\${query}` },
        local: { ...LOCAL, baseUrl: `http://user:${SECRET}@llm.example /v1` },
        cody: { type: "cody", endpoint: `sg.example?token=${SECRET}` },
        llm: { type: "sourcegraph-llm", endpoint: `ftp://sg.example/#${SECRET}` },
      },
    },
    paths: ["upstreams.sse.url", "upstreams.local.baseUrl", "upstreams.cody.endpoint", "upstreams.llm.endpoint"],
  },
  {
    name: "a URL the pattern accepts and no parser does",
    file: { upstreams: { local: { ...LOCAL, baseUrl: `http://[llm.example/v1?key=${SECRET}` } } },
    paths: ["upstreams.local.baseUrl"],
  },
];

/** Files that fail before validation, or only with the environment, and what their errors must say. */
const BROKEN: { name: string; text: string; env?: Record<string, string>; named: string[] }[] = [
  {
    name: "a secret from ${VAR} in a key that is not a credential's",
    text: JSON.stringify({
      upstreams: { cody: { type: "cody", endpoint: "${LEAKY_VALUE}" } },
      server: { port: "${LEAKY_VALUE}" },
    }),
    env: { LEAKY_VALUE: SECRET },
    named: [at("upstreams.cody.endpoint"), at("server.port"), '(got "${LEAKY_VALUE}")'],
  },
  {
    name: "a JSON syntax error in a file holding a secret",
    text: `{ "server": { "apiKeys": ["${SECRET}"] "port": 1 } }`,
    named: ["not valid JSON: it breaks at line 1 column"],
  },
  {
    name: "an unset variable inside a credential",
    text: JSON.stringify({ upstreams: { local: { ...LOCAL, apiKey: `${SECRET}\${NOT_SET_ANYWHERE_X}` } } }),
    named: [`${at("upstreams.local.apiKey")}\${NOT_SET_ANYWHERE_X} is not set`],
  },
];

async function writeConfig(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "cody-relay", suffix: ".json" });
  await Deno.writeTextFile(path, text);
  return path;
}

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    ok(error instanceof ConfigError, "a ConfigError");
    return error.message;
  }
  throw new Error("expected a ConfigError");
}

async function checkConfig(path: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "check-config", path],
    cwd: new URL("../../", import.meta.url),
    env: { NO_COLOR: "1", ...env },
  }).output();
  return { code, output: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test("validateConfig names every problem and quotes no credential, at any depth", () => {
  for (const { name, file, paths } of INVALID) {
    assertRedacted(name, problemsOf(() => validateConfig(file, "f.json")), paths.map(at));
  }
});

Deno.test("what errors still quote: plain values, and URLs up to their query", () => {
  const text = problemsOf(() =>
    validateConfig({
      server: { port: "80" },
      upstreams: { cody: { type: "cody", endpoint: "sg.example/path?token=t" }, other: { ...CODY, transport: "curl" } },
    }, "f.json")
  );
  ok(text.includes('server.port: Invalid input: expected number, received string (got "80")'), text);
  ok(text.includes('upstreams.cody.endpoint: must be an http(s) URL (got "sg.example/path?[redacted]")'), text);
  ok(text.includes('(got "curl")'), text);
});

Deno.test("a token given where a URL or a name belongs is not quoted back: file, flag and variable", () => {
  const text = problemsOf(() =>
    validateConfig({ upstreams: { cody: { type: "cody", endpoint: "sgp_0123456789abcdef" } } }, "f.json")
  );
  ok(text.includes('upstreams.cody.endpoint: must be an http(s) URL (got "sgp_[redacted]")'), text);
  ok(!text.includes("0123456789abcdef"), text);
  const flag = problemsOf(() => parseConfig(["--endpoint", "sgp_0123456789abcdef"], {}));
  equal(flag, '--endpoint must be an http(s) URL, got "sgp_[redacted]"');
  const variable = problemsOf(() => parseConfig([], { SRC_ENDPOINT: "sk-proj-abcdef0123456789" }));
  equal(variable, 'SRC_ENDPOINT must be an http(s) URL, got "sk-[redacted]"');
});

Deno.test("a flag's problem is said once, even when its value breaks two of the schema's checks", () => {
  equal(
    problemsOf(() => parseConfig(["--port", "99999999999999999999"], {})),
    '--port must be an integer from 0 to 65535, got "99999999999999999999"',
  );
});

Deno.test("loadConfigFile: syntax errors, unset variables and ${VAR} secrets are reported without the secret", async () => {
  for (const { name, text, env = {}, named } of BROKEN) {
    const path = await writeConfig(text);
    try {
      const error = await loadConfigFile(path, env).then(() => undefined, (error) => error);
      ok(error instanceof ConfigError, `${name}: a ConfigError`);
      assertRedacted(name, error.message, named);
    } finally {
      await Deno.remove(path);
    }
  }
  const directory = await Deno.makeTempDir();
  try {
    const error = await loadConfigFile(directory, {}).then(() => undefined, (error) => error);
    ok(error instanceof ConfigError && error.message.includes("cannot read the file"));
  } finally {
    await Deno.remove(directory);
  }
});

Deno.test("cli.ts check-config prints the problem paths and no fragment of a credential", async () => {
  const files = [
    ...INVALID.map(({ name, file, paths }) => ({ name, text: JSON.stringify(file), env: {}, named: paths.map(at) })),
    ...BROKEN,
  ];
  await Promise.all(files.map(async ({ name, text, env, named }) => {
    const path = await writeConfig(text);
    try {
      const { code, output } = await checkConfig(path, env);
      equal(code, 2, `${name}: exit status`);
      assertRedacted(`check-config, ${name}`, output, named);
    } finally {
      await Deno.remove(path);
    }
  }));
});
