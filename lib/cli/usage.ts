/**
 * `--help`, generated from the settings schema and the command line's own options.
 *
 * @module
 */
import { COMMAND_OPTIONS, type CommandOption } from "../config/command_options.ts";
import { expected } from "../config/expected.ts";
import { envName, SETTINGS_META } from "../config/setting.ts";
import { type SettingKey, SETTINGS } from "../config/setting_list.ts";
import { INSTANCE_UPSTREAM, SettingsSchema } from "../config/settings_schema.ts";
import { type ValueKind, valueKind } from "../config/value_kind.ts";

/** Where descriptions start, and where lines end. */
const COLUMN = 30;
const WIDTH = 110;

const HEADER = `cody-relay — use Sourcegraph Cody (and other upstreams) from any LLM client, in its own API dialect

Usage:
  cli.ts [options]                       run the relay (the built-in simulator answers without an endpoint)
  cli.ts simulate [options]              run the built-in Sourcegraph simulator alone
  cli.ts check-config [PATH] [--explain] validate a config file and exit (0 = good, 2 = problems, each listed);
                                         --explain prints every setting's value and where it came from

Every setting is a flag, an environment variable and a key of the config file. For each one, a flag beats
the variable, which beats the file, which beats the default. The Sourcegraph instance's settings are the
keys of the upstream named cody: other upstreams take them only where their own keys are unset, and
SRC_ACCESS_TOKEN only at the cody upstream's origin. docs/configuration.md is the whole reference.
Logs go to stderr; the first stdout line is "cody-relay listening on http://HOST:PORT".
`;

/**
 * The `--help` text: the commands, then every flag with its variable, file key, default
 * and what it takes, grouped as the config file groups them.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { usage } from "./usage.ts";
 * const help = usage();
 * ok(help.includes("--port N") && help.includes("env PORT") && help.includes("file server.port"));
 * ok(help.includes("SRC_ACCESS_TOKEN"));
 * ```
 */
export function usage(): string {
  // Not Map.groupBy: the bundle runs on Node 20, which lacks it.
  const groups = new Map<string, (typeof SETTINGS)[number][]>();
  for (const setting of SETTINGS) {
    const group = setting.path.length > 1 ? setting.path[0] : "";
    groups.set(group, [...groups.get(group) ?? [], setting]);
  }
  const sections = [...groups].map(([group, settings]) => section(groupTitle(group), settings.map(settingLines)));
  const options = Object.entries(COMMAND_OPTIONS).map(([flag, option]) => optionLines(flag, option));
  return [HEADER, section("Options", options), ...sections].join("\n");
}

function section(title: string, entries: string[][]): string {
  return `${title}:\n${entries.flat().join("\n")}\n`;
}

/** A group's title: its key and what it is about. */
function groupTitle(group: string): string {
  if (group === "upstreams") return `upstreams.${INSTANCE_UPSTREAM}: the Sourcegraph instance`;
  const schema = SettingsSchema.shape[group as keyof typeof SettingsSchema.shape];
  return schema ? `${group}: ${SETTINGS_META.get(schema)?.description}` : "other settings";
}

function settingLines({ key, schema, meta }: SettingKey): string[] {
  const kind = valueKind(schema);
  const takes = expected(schema, meta.unit);
  const defaultValue = schema.safeParse(undefined).data ?? meta.default;
  const flag = !meta.flag
    ? ""
    : kind !== "boolean"
    ? `--${meta.flag} ${placeholder(meta.flag, kind, takes)}`
    : defaultValue === true
    ? `--[no-]${meta.flag}`
    : `--${meta.flag}`;
  const facts = [
    ...(meta.env ?? []).map((variable) =>
      typeof variable === "string" ? `env ${variable}` : `env ${variable.name} (${variable.note})`
    ),
    `file ${key}`,
    ...(defaultValue !== undefined
      ? [`default ${defaultValue}`]
      : meta.defaultText
      ? [`default ${meta.defaultText}`]
      : []),
    ...(kind === "integer" || kind === "number" ? [takes] : []),
    ...(kind === "list" ? ["comma-separated or repeated"] : []),
  ];
  return [...lines(flag || envName(meta.env![0]), meta.description), ...wrap(facts.join(" · "), COLUMN)];
}

function optionLines(flag: string, option: CommandOption): string[] {
  const name = `${option.short ? `-${option.short}, ` : ""}--${flag}${option.value ? ` ${option.value}` : ""}`;
  const facts = [
    ...(option.env ? [`env ${option.env}`] : []),
    ...(option.defaultText ? [`default ${option.defaultText}`] : []),
  ];
  return [...lines(name, option.description), ...(facts.length ? wrap(facts.join(" · "), COLUMN) : [])];
}

/** How `--help` names a flag's value: `N`, `SECONDS`, `a|b` for a choice, else the flag's last word (`--tls-cert CERT`). */
function placeholder(flag: string, kind: ValueKind, takes: string): string {
  if (kind === "integer") return "N";
  if (kind === "number") return takes.includes("seconds") ? "SECONDS" : "N";
  if (/^[\w-]+(, [\w-]+)* or [\w-]+$/.test(takes)) return takes.replace(/, | or /g, "|");
  const word = flag.split("-").at(-1)!.toUpperCase();
  return kind === "list" ? `${word},…` : word;
}

/** `name` and the description beside it (below it, when the name is too long). */
function lines(name: string, description: string): string[] {
  const head = `  ${name}`;
  const text = wrap(description, COLUMN);
  if (head.length >= COLUMN - 1) return [head, ...text];
  return [head.padEnd(COLUMN) + text[0].trimStart(), ...text.slice(1)];
}

/** `text` in lines of at most {@link WIDTH}, each indented by `indent`. */
function wrap(text: string, indent: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && indent + line.length + 1 + word.length > WIDTH) {
      out.push(" ".repeat(indent) + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...out, " ".repeat(indent) + line];
}
