/**
 * Building the console's DOM from data. Text always goes in as text (`textContent`, text
 * nodes, attribute values): nothing a request, a model list or an error carries is ever
 * parsed as HTML.
 *
 * @module
 */

/**
 * What {@link h} takes as children: text, elements, and nothing (skipped).
 *
 * @typedef {string | number | Node | null | undefined | false | unknown[]} Child
 */

/**
 * An element with attributes (`on…` functions become listeners, `hidden`/`disabled` and
 * other `true`/`false` values toggle boolean attributes) and children.
 *
 * @example
 * ```js ignore
 * // In the browser (the console's browser test runs every page):
 * const row = h("tr", { "data-id": "req_1" }, h("td", {}, "<b>not bold</b>"));
 * console.assert(row.firstElementChild?.textContent === "<b>not bold</b>");
 * ```
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attributes]
 * @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...flat(children));
  return element;
}

/**
 * @param {Child[]} children
 * @returns {(string | Node)[]}
 */
function flat(children) {
  return children.flatMap((child) =>
    Array.isArray(child)
      ? flat(/** @type {Child[]} */ (child))
      : child === null || child === undefined || child === false
      ? []
      : [typeof child === "number" ? String(child) : child]
  );
}

/**
 * The page's element with this id (the pages are rendered with every id the scripts use).
 *
 * @example
 * ```js ignore
 * const table = byId("requests");
 * ```
 *
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
}

/**
 * A form field of the page by id, typed as the input, select or text area it is.
 *
 * @example
 * ```js ignore
 * const prompt = field("pg-prompt").value;
 * ```
 *
 * @param {string} id
 * @returns {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement}
 */
export function field(id) {
  return /** @type {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} */ (byId(id));
}
