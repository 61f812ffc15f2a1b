/**
 * The Status page: version, runtime, uptime, each upstream's readiness, the warnings and
 * the effective configuration, refreshed every five seconds.
 *
 * @module
 */
import { api, every, startPage } from "./console_api.js";
import { byId, h } from "./dom.js";
import { duration } from "./format.js";

/**
 * @param {any} status
 * @returns {void}
 */
function render(status) {
  byId("relay-facts").replaceChildren(
    ...[
      ["version", status.version],
      ["runtime", status.runtime],
      ["uptime", duration(status.uptimeMs)],
      ["request and answer bodies", status.logBodies ? "kept (--log-bodies)" : "not kept"],
    ].flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)]),
  );
  byId("warnings-section").hidden = !status.warnings.length;
  byId("warnings").replaceChildren(...status.warnings.map((/** @type {string} */ warning) => h("li", {}, warning)));
  byId("upstreams").querySelector("tbody")?.replaceChildren(
    ...status.upstreams.map((/** @type {any} */ upstream) =>
      h(
        "tr",
        { "data-ready": upstream.ready },
        h("td", {}, upstream.name),
        h("td", {}, upstream.type),
        h("td", { class: upstream.ready ? "good" : "bad" }, upstream.ready ? "ready" : `not ready: ${upstream.error}`),
        h("td", {}, duration(upstream.checkMs)),
      )
    ),
  );
  const sourced = status.settings.some((/** @type {any} */ setting) => setting.source);
  byId("settings-note").textContent = sourced
    ? "Secrets redacted. “from” says where each value came from."
    : "Secrets redacted.";
  byId("settings").querySelector("tbody")?.replaceChildren(
    ...status.settings.map((/** @type {any} */ setting) =>
      h(
        "tr",
        {},
        h("td", {}, h("code", {}, setting.key)),
        h("td", {}, h("code", {}, JSON.stringify(setting.value))),
        h("td", {}, setting.source ?? ""),
      )
    ),
  );
}

startPage(() => every(5000, async () => render(await api("status"))));
