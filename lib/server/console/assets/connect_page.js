/**
 * Connect a client: for the model (or alias) chosen, each documented client's configuration filled
 * in with this relay's URL, the same text as the client documentation, with a copy button.
 *
 * @module
 */
import { api, startPage } from "./console_api.js";
import { byId, field, h } from "./dom.js";

/**
 * Copies `text`, and says so on `button` for a moment.
 *
 * @param {string} text
 * @param {HTMLButtonElement} button
 * @returns {Promise<void>}
 */
async function copy(text, button) {
  await navigator.clipboard.writeText(text);
  button.textContent = "Copied";
  setTimeout(() => button.textContent = "Copy", 1500);
}

startPage(async () => {
  /** @type {any[]} */
  const models = await api("models");
  const menu = field("connect-model");
  // Each model, then the aliases that resolve to it (a client may be set up with either).
  menu.replaceChildren(
    ...models.flatMap((model) => [
      h("option", { value: model.id }, model.id),
      ...model.aliases.map((/** @type {string} */ alias) => h("option", { value: alias }, `${alias} → ${model.id}`)),
    ]),
  );
  const chat = models.find((model) => model.capabilities.includes("chat"));
  if (chat) menu.value = chat.id;
  byId("connect-base").textContent = location.origin;
  const render = async () => {
    /** @type {any[]} */
    const setups = await api(
      `clients?model=${encodeURIComponent(menu.value)}&base=${encodeURIComponent(location.origin)}`,
    );
    byId("clients").replaceChildren(
      ...setups.map((setup) => {
        const button = /** @type {HTMLButtonElement} */ (h("button", { type: "button" }, "Copy"));
        button.addEventListener("click", () => void copy(setup.text, button));
        return h(
          "article",
          { class: "client-setup", "data-client": setup.client },
          h("h3", {}, setup.client, h("span", { class: "note" }, setup.where), button),
          setup.note ? h("p", { class: "note" }, setup.note) : null,
          h("pre", {}, h("code", {}, setup.text)),
        );
      }),
    );
  };
  menu.addEventListener("change", () => void render());
  await render();
});
