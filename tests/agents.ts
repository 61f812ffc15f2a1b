/**
 * The real coding agents the tests drive (Codex CLI, Gemini CLI, Claude Code, …): each a
 * pinned npm package, installed once per machine into a cache folder outside the
 * repository, then its command run directly with a fresh home and no network beyond
 * loopback.
 */

/** A pinned agent package and the command it installs. */
export interface AgentPackage {
  /** The npm package, e.g. `@openai/codex`. */
  name: string;
  /** The exact version. */
  version: string;
  /** The command it installs in `node_modules/.bin`, e.g. `codex`. */
  bin: string;
}

/** Where installed agents are kept: `$CODY_RELAY_AGENTS`, or the user's cache folder. */
function cacheRoot(): string {
  const home = Deno.env.get("HOME") ?? "/tmp";
  return Deno.env.get("CODY_RELAY_AGENTS") ?? `${Deno.env.get("XDG_CACHE_HOME") ?? `${home}/.cache`}/cody-relay/agents`;
}

const installs = new Map<string, Promise<string | undefined>>();

/**
 * The path of the agent's command, installing the package first if this machine has not
 * (an `npm install` into its own folder, reused by later runs); undefined, with the reason
 * printed once, when it cannot be installed here. Concurrent calls share one install.
 */
export function installAgent(agent: AgentPackage): Promise<string | undefined> {
  const key = `${agent.name}@${agent.version}`;
  let install = installs.get(key);
  if (!install) {
    install = install_(agent, `${cacheRoot()}/${key.replace(/[/@]/g, "_")}`);
    installs.set(key, install);
  }
  return install;
}

async function install_(agent: AgentPackage, folder: string): Promise<string | undefined> {
  const bin = `${folder}/node_modules/.bin/${agent.bin}`;
  if (await Deno.stat(bin).then(() => true, () => false)) return bin;
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(`${folder}/package.json`, JSON.stringify({ private: true }));
  const { success, stderr } = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", "--loglevel=error", `${agent.name}@${agent.version}`],
    cwd: folder,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (success && await Deno.stat(bin).then(() => true, () => false)) return bin;
  console.log(
    `${agent.name}@${agent.version} tests skipped: npm install failed: ${new TextDecoder().decode(stderr).trim()}`,
  );
  await Deno.remove(folder, { recursive: true }).catch(() => {});
  return undefined;
}

/**
 * The environment an agent runs in: a fresh home (given), no proxies, and every variable
 * of the relay's own tests left out, so nothing reaches beyond loopback and no credential
 * of this machine is used.
 */
export function agentEnvironment(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    NO_COLOR: "1",
    NO_PROXY: "*",
    no_proxy: "*",
    ...extra,
  };
}

/** A network with only loopback, where the relay and an agent run side by side. */
export interface LoopbackNetwork extends AsyncDisposable {
  /** Prefix a command with this to run it inside (empty when the network could not be made). */
  readonly prefix: string[];
  /** Why the network is not isolated, when it is not. */
  readonly notIsolated?: string;
}

/**
 * A fresh network namespace with only loopback up (`ip netns add`, as root): a relay and
 * an agent started with its `prefix` reach each other on 127.0.0.1 and nothing beyond.
 * Where a namespace cannot be made, commands run as they are, and the reason is printed.
 */
export async function loopbackNetwork(): Promise<LoopbackNetwork> {
  const name = `cody-relay-${crypto.randomUUID().slice(0, 8)}`;
  const ip = (...args: string[]) => new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).output();
  const made = await ip("netns", "add", name).catch((error) => ({ success: false, stderr: error.message }));
  const up = made.success ? await ip("-n", name, "link", "set", "lo", "up") : made;
  if (!up.success) {
    const reason = typeof up.stderr === "string" ? up.stderr : new TextDecoder().decode(up.stderr).trim();
    if (made.success) await ip("netns", "del", name);
    console.log(`agents run without network isolation: cannot make a network namespace (${reason})`);
    return { prefix: [], notIsolated: reason, [Symbol.asyncDispose]: () => Promise.resolve() };
  }
  return {
    prefix: ["ip", "netns", "exec", name],
    [Symbol.asyncDispose]: async () => void await ip("netns", "del", name),
  };
}
