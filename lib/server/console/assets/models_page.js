/**
 * The Models page: every routable id with its upstream, name, capabilities, limits and
 * aliases, filtered as you type.
 *
 * @module
 */
import { api, startPage } from "./console_api.js";
import { byId, field, h } from "./dom.js";
import { count } from "./format.js";

/**
 * @param {number | null} tokens
 * @returns {string}
 */
function limit(tokens) {
  return tokens === null ? "–" : count(tokens);
}

startPage(async () => {
  /** @type {any[]} */
  const models = await api("models");
  const filter = field("model-filter");
  const render = () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = models.filter((model) => {
      const text = [model.id, model.upstream, model.displayName ?? "", ...model.capabilities, ...model.aliases]
        .join(" ").toLowerCase();
      return words.every((word) => text.includes(word));
    });
    byId("model-count").textContent = `${shown.length} of ${models.length} models`;
    byId("models").querySelector("tbody")?.replaceChildren(
      ...shown.map((model) =>
        h(
          "tr",
          {},
          h("td", {}, h("code", {}, model.id)),
          h("td", {}, model.upstream),
          h("td", {}, model.displayName ?? ""),
          h("td", {}, model.capabilities.map((/** @type {string} */ name) => h("span", { class: "chip" }, name))),
          h("td", { class: "number" }, limit(model.contextTokens)),
          h("td", { class: "number" }, limit(model.outputTokens)),
          h("td", {}, model.aliases.map((/** @type {string} */ alias) => h("code", { class: "alias" }, alias))),
        )
      ),
    );
  };
  filter.addEventListener("input", render);
  render();
});
