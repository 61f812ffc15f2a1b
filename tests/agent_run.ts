/**
 * Running a real coding agent against a relay, both inside one loopback-only network
 * (tests/agents.ts): the relay as `deno run -A cli.ts --port 0` on the simulator, the agent as
 * a one-shot command with a clean environment and a time limit. Each leads its own
 * process group, which is ended with everything in it, so nothing outlives the test.
 */
import { agentEnvironment, type AgentPackage, installAgent, loopbackNetwork } from "./agents.ts";
import { endProcessGroup, type RelayProcess, startProcess } from "./process.ts";

/** What a finished agent run left. */
export interface AgentRun {
  /** The exit code (-1 when it was ended at the time limit). */
  code: number;
  stdout: string;
  stderr: string;
}

/** An agent, a relay and a fresh home and workspace, inside one loopback-only network. */
export interface AgentStage extends AsyncDisposable {
  /** The agent's command. */
  bin: string;
  /** The relay's base URL, e.g. `http://127.0.0.1:PORT` (in the agent's network). */
  relayUrl: string;
  /** The relay process (its stderr holds one log line per request). */
  relay: RelayProcess;
  /** The agent's home folder (empty). */
  home: string;
  /** The folder the agent runs in (empty). */
  workspace: string;
  /** Runs the agent once with `args`; `env` adds to {@link agentEnvironment}. */
  run(args: string[], env: Record<string, string>, timeoutMs?: number): Promise<AgentRun>;
}

/** The variable tools/run_tests.ts marks the test run's processes with; agents keep it so leaks are found. */
const MARKER = "CODY_RELAY_TEST_RUN";

/** Milliseconds between the simulator's tokens: streams in many reads, yet an agent's long prompt echoed back is quick. */
const PACE_MS = 1;

/**
 * Installs `agent` (once per machine) and starts a relay on the simulator (one token per
 * {@link PACE_MS}) next to it in a loopback-only network; undefined, with the reason
 * printed, when the agent cannot be installed here.
 */
export async function agentStage(agent: AgentPackage, relayArgs: string[] = []): Promise<AgentStage | undefined> {
  const bin = await installAgent(agent);
  if (!bin) return undefined;
  const root = await Deno.makeTempDir({ prefix: `cody-relay-${agent.bin}-` });
  const home = `${root}/home`;
  const workspace = `${root}/workspace`;
  await Deno.mkdir(home);
  await Deno.mkdir(workspace);
  const config = `${root}/relay.json`;
  await Deno.writeTextFile(config, JSON.stringify({ upstreams: { cody: { type: "simulator", paceMs: PACE_MS } } }));
  const network = await loopbackNetwork();
  const [command, ...prefix] = [...network.prefix, Deno.execPath()];
  const args = [...prefix, "run", "-A", "cli.ts", "--config", config, "--port", "0", ...relayArgs];
  const relay = await startProcess(command, args, { LOG_LEVEL: "info" }, 1);
  if (!relay.url) {
    await relay[Symbol.asyncDispose]();
    await network[Symbol.asyncDispose]();
    await Deno.remove(root, { recursive: true });
    throw new Error(`the relay did not start: ${relay.stderr}`);
  }
  return {
    bin,
    relayUrl: relay.url,
    relay,
    home,
    workspace,
    run: (args, env, timeoutMs = 120_000) =>
      runCommand([...network.prefix, bin, ...args], agentEnvironment(home, env), workspace, timeoutMs),
    async [Symbol.asyncDispose]() {
      await relay[Symbol.asyncDispose]();
      await network[Symbol.asyncDispose]();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Runs `command` with exactly `env` (plus the test run's marker) in `cwd`, as the leader of
 * a new process group; at `timeoutMs` the group is ended. Whatever the command left running
 * in its group is ended once it exits.
 */
export async function runCommand(
  command: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<AgentRun> {
  const marker = Deno.env.get(MARKER);
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    env: { ...env, ...(marker ? { [MARKER]: marker } : {}) },
    clearEnv: true,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void endProcessGroup(child.pid, 2_000);
  }, timeoutMs);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  await endProcessGroup(child.pid, 2_000);
  const decoder = new TextDecoder();
  return { code: timedOut ? -1 : code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** The relay's request log lines so far: `METHOD PATH → STATUS`. */
export function requestLines(relay: RelayProcess): string[] {
  return [...relay.stderr.matchAll(/cody-relay·http: (\S+ \S+ → \d+)/g)].map((match) => match[1]);
}
