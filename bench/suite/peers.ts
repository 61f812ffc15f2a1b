/**
 * Other gateways, measured against the same fixed upstream answer for `deno task bench
 * --peers` (never in CI): Portkey's gateway (`@portkey-ai/gateway`, OpenAI front, OpenAI
 * upstream through its `x-portkey-custom-host` header) and claude-code-router
 * (`@musistudio/claude-code-router`, Anthropic front, an OpenAI-compatible provider in its
 * config file). Each is installed from npm into a temporary folder (removed by `cleanup`),
 * started and checked with one streamed request; a peer that cannot be installed, started
 * or answer is returned with the reason instead.
 *
 * @module
 */
import { type ServerProcess, startServer } from "./processes.ts";

/** A peer gateway, started, or skipped with the reason. */
export interface Peer {
  /** e.g. `portkey`. */
  name: string;
  /** The npm package and version installed, e.g. `@portkey-ai/gateway@1.15.2`. */
  package?: string;
  /** The runtime it runs on, e.g. `node 20.20.2`. */
  runtime?: string;
  /** Why it was not measured. */
  skipped?: string;
  /** Runtimes tried before the one it runs on, and why they failed. */
  tried?: string;
  /** The running server (when not skipped). */
  process?: ServerProcess;
  /** What the load generator sends it. */
  request?: PeerRequest;
}

/** A streamed request the load generator can send to a peer. */
export interface PeerRequest {
  /** Path on the peer. */
  path: string;
  /** Headers besides content-type. */
  headers: Record<string, string>;
  /** The JSON body for a prompt. */
  body: (prompt: string) => string;
  /** A complete stream ends with this text. */
  expectEnd: string;
}

const PORTKEY = "@portkey-ai/gateway";
const CCR = "@musistudio/claude-code-router";

/** The peers' temporary folder and a way to remove it. */
export interface PeerFolder {
  /** Where the packages are installed. */
  dir: string;
  /** Removes the folder. */
  cleanup(): Promise<void>;
}

/**
 * Creates the temporary folder the peers are installed into.
 *
 * @example
 * ```ts ignore
 * const folder = await peerFolder();
 * await folder.cleanup();
 * ```
 */
export async function peerFolder(): Promise<PeerFolder> {
  const dir = await Deno.makeTempDir({ prefix: "cody-relay-bench-peers-" });
  return { dir, cleanup: () => Deno.remove(dir, { recursive: true }).catch(() => {}) };
}

/**
 * Installs and starts both peers against `upstream` (the fixed upstream's origin).
 *
 * @example
 * ```ts ignore
 * const peers = await startPeers(folder.dir, upstream.url, bunPath, log);
 * for (const peer of peers) await peer.process?.stop();
 * ```
 */
export async function startPeers(
  dir: string,
  upstream: string,
  bun: string | undefined,
  log: (line: string) => void,
): Promise<Peer[]> {
  return [await startPortkey(dir, upstream, bun, log), await startClaudeCodeRouter(dir, upstream, log)];
}

async function startPortkey(dir: string, upstream: string, bun: string | undefined, log: (line: string) => void) {
  const peer: Peer = { name: "portkey" };
  const installed = await install(`${dir}/portkey`, PORTKEY, log);
  if ("error" in installed) return { ...peer, skipped: installed.error };
  peer.package = `${PORTKEY}@${installed.version}`;
  const request: PeerRequest = {
    path: "/v1/chat/completions",
    headers: {
      authorization: "Bearer sk-bench",
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": `${upstream}/v1`,
    },
    body: (prompt) =>
      JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: prompt }], stream: true }),
    expectEnd: "data: [DONE]\n\n",
  };
  const script = `${dir}/portkey/node_modules/${PORTKEY}/build/start-server.js`;
  const problems: string[] = [];
  // Its documented runtime is Node; Node 20's fetch Response headers are immutable and its
  // streaming path appends to them ("TypeError: immutable"), so Bun is the fallback.
  const runtimes: [string, string[]][] = [["node", ["node"]]];
  if (bun) runtimes.push(["bun", [bun]]);
  for (const [name, command] of runtimes) {
    const port = freePort();
    const started = await startAndCheck(
      [...command, script, `--port=${port}`, "--headless"],
      { cwd: dir, readyUrl: `http://127.0.0.1:${port}/` },
      request,
    );
    if ("error" in started) {
      problems.push(`${name}: ${started.error}`);
      log(`peer portkey on ${name}: ${started.error}`);
      continue;
    }
    const tried = problems.length ? problems.join("; ") : undefined;
    return { ...peer, runtime: await version(command[0], name), tried, process: started.process, request };
  }
  return { ...peer, skipped: problems.join("; ") };
}

async function startClaudeCodeRouter(dir: string, upstream: string, log: (line: string) => void): Promise<Peer> {
  const peer: Peer = { name: "claude-code-router" };
  const installed = await install(`${dir}/claude-code-router`, CCR, log);
  if ("error" in installed) return { ...peer, skipped: installed.error };
  peer.package = `${CCR}@${installed.version}`;
  const home = `${dir}/home`;
  const port = freePort();
  await Deno.mkdir(`${home}/.claude-code-router`, { recursive: true });
  await Deno.writeTextFile(
    `${home}/.claude-code-router/config.json`,
    JSON.stringify({
      PORT: port,
      HOST: "127.0.0.1",
      LOG: false,
      NON_INTERACTIVE_MODE: true,
      API_TIMEOUT_MS: 600000,
      Providers: [{
        name: "bench",
        api_base_url: `${upstream}/v1/chat/completions`,
        api_key: "sk-bench",
        models: ["bench-model"],
      }],
      Router: { default: "bench,bench-model" },
    }),
  );
  const request: PeerRequest = {
    path: "/v1/messages",
    headers: { "x-api-key": "sk-bench", "anthropic-version": "2023-06-01" },
    body: (prompt) =>
      JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 4000,
        messages: [{ role: "user", content: prompt }],
        stream: true,
      }),
    expectEnd: '{"type":"message_stop"}\n\n',
  };
  const started = await startAndCheck(
    ["node", `${dir}/claude-code-router/node_modules/${CCR}/dist/cli.js`, "start"],
    { cwd: dir, readyUrl: `http://127.0.0.1:${port}/`, env: { HOME: home } },
    request,
  );
  if ("error" in started) return { ...peer, skipped: started.error };
  return { ...peer, runtime: await version("node", "node"), process: started.process, request };
}

/**
 * `npm install`s the newest version of `name` that installs here into its own folder,
 * trying the three newest from the newest down (a version whose install needs more than
 * the npm registry fails). Install scripts do not run.
 */
async function install(
  dir: string,
  name: string,
  log: (line: string) => void,
): Promise<{ version: string } | { error: string }> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify({ private: true }));
  const listed = await run(["npm", "view", name, "versions", "--json"], dir, 60_000);
  if (!listed.ok) return { error: `npm view ${name} failed: ${listed.output.slice(-300)}` };
  const versions = ([] as string[]).concat(JSON.parse(listed.output)).filter((version) => !version.includes("-"));
  const errors: string[] = [];
  for (const version of versions.reverse().slice(0, 3)) {
    log(`peers: npm install ${name}@${version}`);
    const installed = await run(
      ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", `${name}@${version}`],
      dir,
      240_000,
    );
    if (installed.ok) return { version };
    const reason = installed.output.split("\n").find((line) => /npm error (code|404|network)/.test(line)) ??
      installed.output.trim().split("\n").at(-1) ?? "";
    errors.push(`${version}: ${reason.replace(/^npm error\s*/, "")}`);
    log(`peers: ${name}@${version} did not install (${reason})`);
  }
  return { error: `no version installed (${errors.join("; ")})` };
}

async function startAndCheck(
  command: string[],
  options: { cwd: string; readyUrl: string; env?: Record<string, string> },
  request: PeerRequest,
): Promise<{ process: ServerProcess } | { error: string }> {
  let process: ServerProcess;
  try {
    process = await startServer(command, options.env ?? {}, { ...options, timeoutMs: 30_000 });
  } catch (error) {
    return { error: `did not start: ${(error as Error).message.split("\n")[0]}` };
  }
  try {
    const response = await fetch(`${process.url}${request.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...request.headers },
      body: request.body("check [[bench deltas=5]]"),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    if (response.status !== 200 || !text.endsWith(request.expectEnd)) {
      throw new Error(`HTTP ${response.status}: ${JSON.stringify(text.slice(-200))}`);
    }
    return { process };
  } catch (error) {
    await process.stop();
    const tail = process.stderrTail().split("\n").find((line) => /error/i.test(line)) ?? "";
    return { error: `a streamed request failed: ${(error as Error).message}${tail ? ` (${tail.trim()})` : ""}` };
  }
}

async function run(command: string[], cwd: string, timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  try {
    const output = await new Deno.Command(command[0], {
      args: command.slice(1),
      cwd,
      stdin: "null",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    return { ok: output.success, output: text };
  } catch (error) {
    return { ok: false, output: (error as Error).message };
  }
}

async function version(runtime: string, name: string): Promise<string> {
  const output = await run([runtime, "--version"], ".", 10_000);
  return `${name} ${output.output.trim().replace(/^v/, "")}`;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}
