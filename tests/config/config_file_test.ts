/** The config file: JSONC, env interpolation, precise errors, precedence, and two upstreams through the real CLI. */
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import OpenAI from "openai";
import { parseConfig } from "../../lib/cli/config.ts";
import { ConfigError } from "../../lib/config/config_error.ts";
import { configPath, interpolateEnv, parseJsonc, validateConfig } from "../../lib/config/load_config.ts";
import { startProcess, startRelay } from "../process.ts";

const SONNET = "anthropic::2024-10-22::claude-sonnet-4-latest";
const HAIKU = "anthropic::2024-10-22::claude-3-5-haiku-latest";

const CONFIG = `{
  // Two upstreams: the Sourcegraph instance and an OpenAI-style server.
  "upstreams": {
    "cody": { "type": "cody", "endpoint": "\${SIM_URL}", "accessToken": "\${SIM_TOKEN}" },
    "local": { "type": "openai-compatible", "baseUrl": "\${SIM_URL}/v1", "apiKey": "\${SIM_TOKEN}", },
  },
  /* cody-sonnet and friends come with the cody default */
  "models": {
    "default": "cody",
    "aliases": { "fast": { "upstream": "local", "model": "${HAIKU}" } },
  },
  "server": { "port": 1 },
  "logging": { "level": "warning" },
}`;

async function writeConfig(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("JSONC: comments and trailing commas are fine; a syntax error names its line and column", () => {
  deepEqual(parseJsonc('{ "a": [1, 2,], /* x */ "b": "// not a comment", }'), { a: [1, 2], b: "// not a comment" });
  throws(() => parseJsonc('{\n  "a": 1\n  "b": 2\n}'), /breaks at line 3 column 3/);
});

Deno.test("errors list every problem with its path, what was expected and what was found", () => {
  const { problems } = interpolateEnv({ upstreams: { a: { apiKey: "${NOT_SET_ANYWHERE}" } } }, {});
  deepEqual(problems, ["upstreams.a.apiKey: ${NOT_SET_ANYWHERE} is not set in the environment"]);
  try {
    validateConfig(
      { server: { port: "80", colour: "red" }, upstreams: { local: { type: "openai", baseUrl: "x" } } },
      "f.json",
    );
    throw new Error("expected a ConfigError");
  } catch (error) {
    ok(error instanceof ConfigError);
    const text = error.problems.join("\n");
    match(text, /server\.port: Invalid input: expected number, received string \(got "80"\)/);
    match(text, /server: Unrecognized key: "colour"/);
    match(text, /upstreams\.local\.type: Invalid discriminator value\. Expected 'cody' .* \(got "openai"\)/);
  }
});

Deno.test("errors never quote a credential, whatever its shape: a misspelt key, a wrong type", () => {
  const secret = "plain-secret-value-42";
  try {
    validateConfig(
      {
        upstreams: {
          cody: { type: "cody", endpoint: "https://sg.example", accesToken: secret },
          local: {
            type: "openai-compatible",
            baseUrl: "http://127.0.0.1:8080/v1",
            apiKey: 42,
            headers: { "x-token": 1 },
          },
        },
        server: { apiKeys: secret },
      },
      "f.json",
    );
    throw new Error("expected a ConfigError");
  } catch (error) {
    ok(error instanceof ConfigError);
    const text = error.problems.join("\n");
    match(text, /upstreams\.cody: Unrecognized key: "accesToken"/);
    match(text, /upstreams\.local\.apiKey: .* \(got "\[redacted\]"\)/);
    match(text, /server\.apiKeys: .* \(got "\[redacted\]"\)/);
    ok(!text.includes(secret) && !text.includes("42"), text);
  }
});

Deno.test("precedence: flags beat the environment, which beats the file, which beats the defaults", () => {
  const file = {
    server: { port: 9000, host: "127.0.0.2" },
    logging: { level: "error" as const },
    limits: { idleTimeout: 5 },
  };
  const fromFile = parseConfig([], {}, file);
  equal(fromFile.server.port, 9000);
  equal(fromFile.logging.level, "error");
  equal(fromFile.limits.idleTimeout, 5);
  equal(parseConfig([], { PORT: "9100" }, file).server.port, 9100);
  equal(parseConfig(["--port", "9200"], { PORT: "9100" }, file).server.port, 9200);
  equal(parseConfig([], {}, {}).server.port, 8787);
});

Deno.test("the CLI with a config file fronting two upstreams: aliases, prefixes, table entries, 404 with matches", async () => {
  await using simulator = await startProcess(
    Deno.execPath(),
    ["run", "-A", "cli.ts", "simulate", "--port", "0"],
    {},
    1,
  );
  const path = await writeConfig(CONFIG);
  try {
    await using relay = await startRelay(["--config", path, "--port", "0"], {
      SIM_URL: simulator.url,
      SIM_TOKEN: "sgp_local_x",
    });
    match(relay.lines[1], /relaying to cody \(cody\), local \(openai-compatible\); default cody/);
    const openai = new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const ask = async (model: string) =>
      (await openai.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] })).choices[0].message
        .content;
    match(await ask("cody-sonnet") ?? "", new RegExp(`answering as ${SONNET}\\.`));
    match(await ask(`local/${SONNET}`) ?? "", new RegExp(`answering as ${SONNET}\\.`));
    match(await ask("fast") ?? "", /claude-3-5-haiku-latest/);
    const error = await ask("cody-sonet").then(() => undefined, (error) => error);
    ok(error instanceof OpenAI.NotFoundError);
    match(error.message, /did you mean 'cody-sonnet'/);
    const ids = (await openai.models.list()).data.map((model) => model.id);
    for (const id of ["cody-sonnet", "fast", SONNET, `local/${SONNET}`]) ok(ids.includes(id), id);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("check-config's PATH is read wherever it stands among the flags, never a flag's value", async () => {
  equal(configPath(["check-config", "--explain", "relay.json"], {}), "relay.json");
  equal(configPath(["check-config", "--port", "9000", "relay.json"], {}), "relay.json");
  equal(configPath(["--explain", "check-config", "relay.json"], {}), "relay.json");
  equal(configPath(["check-config", "relay.json", "--explain"], {}), "relay.json");
  equal(configPath(["check-config", "--port=9000", "--config", "other.json"], {}), "other.json");
  equal(configPath(["--config=other.json", "--port", "9000"], {}), "other.json");
  const file = await writeConfig('{ "server": { "port": 9123 } }');
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli.ts", "check-config", "--explain", file],
      cwd: new URL("../../", import.meta.url),
    }).output();
    equal(code, 0, new TextDecoder().decode(stderr));
    const text = new TextDecoder().decode(stdout);
    match(text, /: ok \(0 upstreams\)/);
    match(text, /^server\.port +9123 +file /m);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("check-config: ok for a good file, exit 2 with every problem for a broken one", async () => {
  const good = await writeConfig(CONFIG);
  const broken = await writeConfig(
    '{ "server": { "port": "80" }, "upstreams": { "x": { "type": "cody" } }, "models": { "default": "nope" } }',
  );
  try {
    const run = (args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "cli.ts", ...args],
        cwd: new URL("../../", import.meta.url),
        env: { SIM_URL: "http://127.0.0.1:9", SIM_TOKEN: "t" },
      }).output();
    const ok = await run(["check-config", good]);
    equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    match(new TextDecoder().decode(ok.stdout), /: ok \(2 upstreams\)/);
    const bad = await run(["check-config", broken]);
    equal(bad.code, 2);
    const text = new TextDecoder().decode(bad.stderr);
    match(text, /server\.port: Invalid input: expected number, received string \(got "80"\)/);
    match(text, /upstreams\.x\.endpoint: /);
    const unrouted = await writeConfig(
      '{ "upstreams": { "a": { "type": "simulator" }, "b": { "type": "simulator" } } }',
    );
    const ambiguous = await run(["check-config", unrouted]);
    await Deno.remove(unrouted);
    equal(ambiguous.code, 2);
    match(new TextDecoder().decode(ambiguous.stderr), /models\.default must name one of the upstreams \(a, b\)/);
    const missing = await run(["check-config", "/no/such/file.json"]);
    equal(missing.code, 2);
    match(new TextDecoder().decode(missing.stderr), /cannot read the file/);
  } finally {
    await Deno.remove(good);
    await Deno.remove(broken);
  }
});
