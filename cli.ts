#!/usr/bin/env -S deno run -A
/**
 * The cody-relay command: `deno run -A cli.ts [--help]` (or `bun cli.ts`).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { configure, getLogger } from "@logtape/logtape";
import { parseConfig } from "./lib/cli/config.ts";
import { explainConfig } from "./lib/cli/explain.ts";
import { milliseconds } from "./lib/cli/milliseconds.ts";
import type { RelayConfig } from "./lib/cli/relay_config.ts";
import { buildUpstream } from "./lib/cli/build_upstream.ts";
import { configSecrets } from "./lib/cli/config_secrets.ts";
import { bufferedSink } from "./lib/cli/buffered_sink.ts";
import { logFormatter } from "./lib/cli/log_format.ts";
import { isEntryPoint } from "./lib/cli/is_entry_point.ts";
import { usage } from "./lib/cli/usage.ts";
import { configuredApp } from "./lib/cli/relay_app.ts";
import { watchConfig } from "./lib/cli/watch_config.ts";
import { RelayMetrics } from "./lib/server/metrics.ts";
import { RequestLog } from "./lib/server/console/request_log.ts";
import { openResponseStore } from "./lib/server/responses_store/open_store.ts";
import type { ResponseStore } from "./lib/server/responses_store/store.ts";
import { ConfigError } from "./lib/config/config_error.ts";
import { configPath, loadConfigFile } from "./lib/config/load_config.ts";
import { redactor } from "./lib/server/redact.ts";
import { type RunningServer, serve, type ServeOptions } from "./lib/server/serve.ts";
import { createSimulator } from "./lib/simulator/simulator.ts";
import { VERSION } from "./lib/version.ts";

const log = getLogger(["cody-relay", "cli"]);

async function main(config: RelayConfig, reload?: { path: string; argv: string[] }): Promise<void> {
  if (config.command === "help") return void process.stdout.write(usage());
  if (config.command === "version") return void console.log(`cody-relay ${VERSION}`);
  let format = logFormatter(config.logging.format);
  // Every secret any config has held is redacted from then on (a reload adds, never forgets).
  const secrets = new Set(configSecrets(config));
  let redact = redactor([...secrets]);
  const stderr = bufferedSink((text) => process.stderr.write(text), (record) => redact(format(record)));
  process.on("exit", () => stderr.flush());
  // Configured again by a reload, which may change the level and the format.
  const configureLogging = ({ level, format: name }: RelayConfig["logging"]) => {
    format = logFormatter(name);
    return configure({
      reset: true,
      sinks: { stderr },
      loggers: [
        { category: "cody-relay", lowestLevel: level, sinks: ["stderr"] },
        { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
      ],
    });
  };
  await configureLogging(config.logging);
  const { host, port, tlsCert, tlsKey } = config.server;
  const tls = tlsCert && tlsKey ? { cert: await readFile(tlsCert, "utf8"), key: await readFile(tlsKey, "utf8") } : {};
  if (config.command === "simulate") {
    const simulator = createSimulator({ recordRequests: false });
    const server = await listen({ fetch: simulator.fetch, hostname: host, port, ...tls });
    console.log(`cody-relay simulator listening on ${server.url}`);
    return;
  }
  const shutdown = new AbortController();
  // Counted only while server.metrics is on (a reload may turn it on or off), by the same counters throughout.
  const metrics = new RelayMetrics();
  // One store per setting for the process's life: stored responses outlive config reloads.
  const stores = new Map<string, Promise<ResponseStore>>();
  const openStore = (setting: string) => {
    if (!stores.has(setting)) stores.set(setting, openResponseStore(setting));
    return stores.get(setting)!;
  };
  // The console's request log is the process's: it outlives config reloads.
  const requestLog = new RequestLog();
  let running = config;
  let current = await configuredApp(config, shutdown.signal, { metrics, openStore, requestLog, secrets: [...secrets] });
  const server = await listen({
    // In-flight requests finish on the app they started with; new ones get the current one.
    fetch: (request) => current.app.fetch(request),
    hostname: host,
    port,
    ...tls,
  });
  console.log(`cody-relay listening on ${server.url}`);
  console.log(current.description);
  if (!reload) {
    process.on("SIGHUP", () => log.warn("SIGHUP: there is no config file to reload (start with --config FILE)"));
  } else {
    watchConfig(reload.path, async (why) => {
      try {
        const next = parseConfig(reload.argv, process.env, await loadConfigFile(reload.path, process.env), reload.path);
        for (const secret of configSecrets(next)) secrets.add(secret);
        redact = redactor([...secrets]);
        const previous = current;
        current = await configuredApp(next, shutdown.signal, { metrics, openStore, requestLog, secrets: [...secrets] });
        running = next;
        await configureLogging(next.logging);
        // The console's live feeds end and reconnect, so a feed opened with a key the edit removed stops.
        previous.retire();
        log.info("config reloaded ({why}): {description}", { why, description: current.description });
        const restart = ["host", "port", "tlsCert", "tlsKey"] as const;
        if (restart.some((key) => next.server[key] !== config.server[key])) {
          log.warn("host, port and TLS changes take effect after a restart");
        }
      } catch (error) {
        log.error("config reload rejected ({why}): {reason}; still serving the previous config", {
          why,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    });
  }
  stopOnSignals(server, shutdown, () => milliseconds(running.server.shutdownGrace), () => current.retire());
}

/** {@link serve}, but an address in use (Deno, Node and Bun all say EADDRINUSE) says what to do about it. */
async function listen(options: ServeOptions): Promise<RunningServer> {
  try {
    return await serve(options);
  } catch (error) {
    if ((error as { code?: unknown } | undefined)?.code !== "EADDRINUSE") throw error;
    const host = options.hostname?.includes(":") ? `[${options.hostname}]` : options.hostname;
    throw new Error(
      `${host}:${options.port} is in use (another cody-relay?): stop what listens there, or pick another port with --port N (PORT=N; 0 picks a free one)`,
    );
  }
}

/**
 * SIGINT/SIGTERM: stop accepting, let in-flight answers finish for the grace period (the
 * running configuration's, read when the signal comes), then end the rest with an error
 * event, and exit 0 once every response has ended. The console's live feeds (`endFeeds`)
 * end at once.
 */
function stopOnSignals(
  server: RunningServer,
  shutdown: AbortController,
  graceOf: () => number,
  endFeeds: () => void,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = graceOf(); // the running config's: a reload may have changed it
    log.info("{signal}: no new connections; in-flight answers have {seconds} s to finish", {
      signal,
      seconds: graceMs / 1000,
    });
    const grace = setTimeout(() => {
      log.warn("grace period over: ending the answers still running");
      shutdown.abort();
    }, graceMs);
    // The console's live feeds are no answers to wait for: they end now, or every stop would take the whole grace.
    endFeeds();
    await server.shutdown();
    clearTimeout(grace);
    log.info("stopped");
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(signal));
}

if (isEntryPoint(import.meta)) {
  const argv = process.argv.slice(2);
  let config: RelayConfig;
  let path: string | undefined;
  try {
    path = configPath(argv, process.env);
    const file = path ? await loadConfigFile(path, process.env) : undefined;
    config = parseConfig(argv, process.env, file, path);
    if (config.command === "check-config") {
      if (!path && !config.explain) {
        throw new ConfigError("check-config", ["no config file: give its path, --config PATH, or CODY_RELAY_CONFIG"]);
      }
      await buildUpstream(config);
      console.log(path ? `${path}: ok (${Object.keys(file?.upstreams ?? {}).length} upstreams)` : "no config file: ok");
      if (config.explain) console.log(explainConfig(config));
      process.exit(0);
    }
  } catch (error) {
    console.error(`cody-relay: ${error instanceof Error ? error.message : error}`);
    process.exit(2);
  }
  await main(config, path ? { path, argv } : undefined).catch((error) => {
    console.error(`cody-relay: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
