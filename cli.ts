#!/usr/bin/env -S deno run -A
/**
 * The cody-relay command: `deno run -A cli.ts [--help]` (or `bun cli.ts`).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { configure, getTextFormatter, type LogRecord } from "@logtape/logtape";
import { parseConfig, type RelayConfig, USAGE } from "./lib/cli/config.ts";
import { CodyUpstream } from "./lib/cody/upstream.ts";
import { createApp } from "./lib/server/app.ts";
import { serve } from "./lib/server/serve.ts";
import { createSimulator } from "./lib/simulator/simulator.ts";
import { VERSION } from "./lib/version.ts";

/** Simulator pacing in demo mode, so streaming is visible. */
const DEMO_PACE_MS = 15;

async function main(config: RelayConfig): Promise<void> {
  if (config.command === "help") return void process.stdout.write(USAGE);
  if (config.command === "version") return void console.log(`cody-relay ${VERSION}`);
  const format = getTextFormatter();
  await configure({
    sinks: { stderr: (record: LogRecord) => process.stderr.write(format(record)) },
    loggers: [
      { category: "cody-relay", lowestLevel: config.logLevel, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
  const tls = config.tls
    ? { cert: await readFile(config.tls.certFile, "utf8"), key: await readFile(config.tls.keyFile, "utf8") }
    : {};
  if (config.command === "simulate") {
    const simulator = createSimulator({ recordRequests: false });
    const server = await serve({ fetch: simulator.fetch, hostname: config.host, port: config.port, ...tls });
    console.log(`cody-relay simulator listening on ${server.url}`);
    return;
  }
  const upstream = config.endpoint
    ? new CodyUpstream({
      ...config,
      endpoint: config.endpoint,
      ...(config.upstreamTransport === "fetch" ? { fetch: (request) => fetch(request) } : {}),
    })
    : new CodyUpstream({
      ...config,
      endpoint: "http://simulator.invalid",
      accessToken: config.accessToken ?? "sgp_local_demo",
      fetch: createSimulator({ paceMs: DEMO_PACE_MS, recordRequests: false }).fetch,
    });
  const server = await serve({
    fetch: createApp({
      upstream,
      maxContinuations: config.maxContinuations,
      anthropicDefaultModel: config.anthropicDefaultModel,
      corsOrigins: config.corsOrigins,
    }).fetch,
    hostname: config.host,
    port: config.port,
    ...tls,
  });
  console.log(`cody-relay listening on ${server.url}`);
  console.log(
    config.endpoint
      ? `relaying to Sourcegraph at ${upstream.origin}`
      : "no Sourcegraph endpoint configured: answering from the built-in simulator (any API key works); set SRC_ENDPOINT or --endpoint to use a real instance",
  );
}

if (import.meta.main) {
  let config: RelayConfig;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`cody-relay: ${error instanceof Error ? error.message : error}`);
    process.exit(2);
  }
  await main(config);
}
