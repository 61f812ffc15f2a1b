/**
 * How the console's pages talk to the relay: the key (kept in this tab's session storage,
 * sent as `Authorization: Bearer` on every call, never put in a URL), the JSON calls under
 * `/ui/api/`, streamed bodies, and the page's problem line and key form.
 *
 * @module
 */
import { byId, field } from "./dom.js";

const KEY_ITEM = "cody-relay.key";

/**
 * The headers that carry the console's key (none without one).
 *
 * @example
 * ```js ignore
 * await fetch("/v1/models", { headers: keyHeaders() });
 * ```
 *
 * @returns {Record<string, string>}
 */
export function keyHeaders() {
  const key = sessionStorage.getItem(KEY_ITEM);
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** A call the relay refused or failed; its message is the relay's. */
export class RelayProblem extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    /** The HTTP status. */
    this.status = status;
  }
}

/**
 * The error message of a failed response, in whichever dialect's shape it came.
 *
 * @param {Response} response
 * @returns {Promise<RelayProblem>}
 */
export async function problemOf(response) {
  const text = await response.text();
  let message = text;
  try {
    const body = JSON.parse(text);
    const error = body.error ?? body;
    message = typeof error === "string" ? error : error.message ?? text;
  } catch {
    // not JSON: the text is the message
  }
  if (response.status === 401) askForKey(!!sessionStorage.getItem(KEY_ITEM));
  return new RelayProblem(response.status, `${response.status}: ${message}`);
}

/**
 * `fetch` with the console's key; a failed response throws a {@link RelayProblem} (a 401
 * also shows the key form).
 *
 * @example
 * ```js ignore
 * const response = await call("/ui/api/requests/live", { signal });
 * ```
 *
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
export async function call(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { ...keyHeaders(), ...init.headers } });
  if (!response.ok) throw await problemOf(response);
  return response;
}

/**
 * The JSON the console's API answers at `path` (under `/ui/api/`).
 *
 * @example
 * ```js ignore
 * const status = await api("status");
 * ```
 *
 * @param {string} path
 * @returns {Promise<any>}
 */
export async function api(path) {
  return await (await call(`/ui/api/${path}`)).json();
}

/**
 * Calls `onText` with each piece of a streamed body as it arrives, until it ends.
 *
 * @example
 * ```js ignore
 * await readText(response, (text) => console.log(text));
 * ```
 *
 * @param {Response} response
 * @param {(text: string) => void} onText
 * @returns {Promise<void>}
 */
export async function readText(response, onText) {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) onText(read.value);
}

/**
 * Shows `problem` in the page's problem line (or hides the line when undefined).
 *
 * @example
 * ```js ignore
 * showProblem(new Error("the relay is unreachable"));
 * ```
 *
 * @param {unknown} [problem]
 * @returns {void}
 */
export function showProblem(problem) {
  const line = byId("problem");
  line.hidden = problem === undefined;
  line.textContent = problem instanceof Error ? problem.message : problem === undefined ? "" : String(problem);
}

/**
 * @param {boolean} refused
 * @returns {void}
 */
function askForKey(refused) {
  if (refused) sessionStorage.removeItem(KEY_ITEM);
  const form = byId("key-form");
  form.hidden = false;
  form.dataset.refused = String(refused);
  field("key-input").focus();
}

/**
 * Sets up the parts every page shares (the key form and "Forget key"), then runs the
 * page's own `start`, showing what it throws; on a relay with gateway keys, only once the
 * console has a key.
 *
 * @example
 * ```js ignore
 * startPage(async () => render(await api("status")));
 * ```
 *
 * @param {() => Promise<void> | void} start
 * @returns {void}
 */
export function startPage(start) {
  const forget = byId("forget-key");
  forget.hidden = !sessionStorage.getItem(KEY_ITEM);
  forget.addEventListener("click", () => {
    sessionStorage.removeItem(KEY_ITEM);
    location.reload();
  });
  byId("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = field("key-input").value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY_ITEM, key);
    location.reload();
  });
  // A relay with gateway keys refuses everything without one: ask first.
  if (document.body.dataset.keyed === "true" && !sessionStorage.getItem(KEY_ITEM)) return askForKey(false);
  Promise.resolve().then(start).catch((problem) => {
    if (!(problem instanceof RelayProblem && problem.status === 401)) showProblem(problem);
  });
}

/**
 * Runs `task` now and every `ms` after it settled, showing its problems (and clearing them once it works).
 *
 * @example
 * ```js ignore
 * every(5000, async () => render(await api("status")));
 * ```
 *
 * @param {number} ms
 * @param {() => Promise<void>} task
 * @returns {Promise<void>}
 */
export async function every(ms, task) {
  await task();
  const again = () =>
    setTimeout(async () => {
      try {
        await task();
        showProblem();
      } catch (problem) {
        if (problem instanceof RelayProblem && problem.status === 401) return;
        showProblem(problem);
      }
      again();
    }, ms);
  again();
}
