/**
 * The Requests page: the relay's last requests, updated live from one server-sent event
 * stream (`/ui/api/requests/live`, read with `fetch` so that it carries the key), filtered
 * by dialect, model and status; a click shows a request's timeline, and its bodies when
 * the relay keeps them.
 *
 * @module
 */
import { api, call, readText, RelayProblem, showProblem, startPage } from "./console_api.js";
import { byId, field, h } from "./dom.js";
import { duration, timeOfDay, tokenPair } from "./format.js";
import { FrameSplitter, sseFields } from "./frame_splitter.js";

/** Rows kept in the page, like the relay's ring buffer. */
const MAX_ROWS = 500;

/** @type {Map<string, any>} newest first once sorted */
const rows = new Map();
let renderQueued = false;

/**
 * @param {any} row
 * @returns {boolean}
 */
function failed(row) {
  return row.status >= 400 || row.outcome === "error" || row.outcome === "timeout";
}

/**
 * @param {any} row
 * @returns {boolean}
 */
function shown(row) {
  const dialect = field("filter-dialect").value;
  const model = field("filter-model").value.toLowerCase();
  const status = field("filter-status").value;
  if (dialect && row.dialect !== dialect) return false;
  if (model && !`${row.requestedModel ?? ""} ${row.answeredModel ?? ""}`.toLowerCase().includes(model)) return false;
  if (status === "ok") return !failed(row) && row.outcome !== null;
  if (status === "failed") return failed(row);
  if (status === "live") return row.outcome === null;
  return true;
}

/**
 * @param {any} row
 * @returns {HTMLTableRowElement}
 */
function tableRow(row) {
  const models = row.answeredModel && row.answeredModel !== row.requestedModel
    ? `${row.requestedModel ?? "–"} → ${row.answeredModel}`
    : row.requestedModel ?? row.answeredModel ?? "–";
  const status = row.outcome === null ? `${row.status} streaming…` : `${row.status} ${row.outcome}`;
  return h(
    "tr",
    {
      "data-id": row.id,
      class: failed(row) ? "failed" : row.outcome === null ? "live" : "",
      onclick: () => detail(row.id),
    },
    h("td", {}, timeOfDay(row.at)),
    h("td", {}, row.dialect),
    h("td", { class: "client", title: row.client ?? "" }, row.client ?? ""),
    h("td", { class: "model" }, models),
    h("td", { class: "status" }, status),
    h("td", { class: "number" }, duration(row.firstByteMs)),
    h("td", { class: "number" }, duration(row.durationMs)),
    h("td", { class: "number" }, tokenPair(row.tokens)),
    h("td", { class: "number" }, String(row.continuations)),
    h("td", { class: "number" }, row.fallback ? `${row.retries} → ${row.fallback}` : String(row.retries)),
    h("td", { class: "error", title: row.error?.message ?? "" }, row.error ? row.error.message : ""),
  );
}

function render() {
  renderQueued = false;
  const dialects = new Set([...rows.values()].map((row) => row.dialect));
  const menu = field("filter-dialect");
  for (const dialect of dialects) {
    if (![...menu.querySelectorAll("option")].some((option) => option.value === dialect)) {
      menu.append(h("option", { value: dialect }, dialect));
    }
  }
  const sorted = [...rows.values()].sort((a, b) => b.at - a.at);
  byId("requests").querySelector("tbody")?.replaceChildren(...sorted.filter(shown).map(tableRow));
}

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(render);
}

/**
 * @param {any} row
 * @returns {void}
 */
function keep(row) {
  rows.delete(row.id);
  rows.set(row.id, row);
  if (rows.size > MAX_ROWS) rows.delete(rows.keys().next().value ?? "");
}

/**
 * One frame of the live feed: a `snapshot` of the kept requests, or a request that `started` or `ended`.
 *
 * @param {string} frame
 * @returns {void}
 */
function take(frame) {
  const { event, data } = sseFields(frame);
  if (!data) return;
  const payload = JSON.parse(data);
  if (event === "snapshot") {
    const streaming = [...rows.values()].filter((row) => row.outcome === null);
    rows.clear();
    for (const row of [...streaming, ...payload]) keep(row);
  } else if (event === "started" || event === "ended") {
    keep(payload);
  }
  queueRender();
}

/** Reads the live feed, reconnecting two seconds after it ends or fails. */
async function follow() {
  const state = byId("live-state");
  for (;;) {
    try {
      const response = await call("/ui/api/requests/live");
      state.textContent = "live";
      state.dataset.live = "true";
      showProblem();
      const frames = new FrameSplitter("sse");
      await readText(response, (text) => frames.push(text).forEach(take));
    } catch (problem) {
      if (problem instanceof RelayProblem && problem.status === 401) return void (state.textContent = "needs a key");
      showProblem(problem);
    }
    state.textContent = "reconnecting…";
    state.dataset.live = "false";
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/**
 * Shows the timeline and facts of request `id`.
 *
 * @param {string} id
 * @returns {Promise<void>}
 */
async function detail(id) {
  const panel = byId("detail");
  panel.hidden = false;
  byId("detail-title").textContent = id;
  for (const row of byId("requests").querySelectorAll("tr.selected")) row.classList.remove("selected");
  byId("requests").querySelector(`tr[data-id="${CSS.escape(id)}"]`)?.classList.add("selected");
  let request;
  try {
    request = await api(`requests/${encodeURIComponent(id)}`);
  } catch (problem) {
    byId("timeline").replaceChildren(h("li", {}, rows.get(id)?.outcome === null ? "still streaming" : String(problem)));
    byId("detail-facts").replaceChildren();
    byId("bodies").replaceChildren();
    return;
  }
  const end = Math.max(1, ...request.timeline.map((/** @type {any} */ step) => step.atMs));
  byId("timeline").replaceChildren(
    ...request.timeline.map((/** @type {any} */ step) => {
      const bar = h("span", { class: "bar" });
      bar.style.setProperty("--at", `${(step.atMs / end) * 100}%`);
      return h(
        "li",
        { "data-label": step.label },
        bar,
        h("span", { class: "at" }, `+${duration(step.atMs)}`),
        h("span", { class: "label" }, step.label),
        step.detail ? h("span", { class: "detail" }, step.detail) : null,
      );
    }),
  );
  byId("detail-facts").replaceChildren(
    ...[
      ["request", `${request.method} ${request.path}`],
      ["client", request.client ?? "–"],
      ["model asked", request.requestedModel ?? "–"],
      ["model answered", request.answeredModel ?? "–"],
      ["status", `${request.status} ${request.outcome ?? ""}`],
      ["tokens in / out", tokenPair(request.tokens)],
      ["continuation rounds", String(request.continuations)],
      ["retries", String(request.retries)],
      ["fallback", request.fallback ?? "–"],
      ["error", request.error ? `${request.error.code ?? ""} ${request.error.message}` : "–"],
    ].flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)]),
  );
  byId("bodies").replaceChildren(
    ...(request.bodies
      ? [
        h("h3", {}, "Request body"),
        h("pre", { class: "body" }, request.bodies.request ?? "(none)"),
        h("h3", {}, "Answer body"),
        h("pre", { class: "body" }, request.bodies.answer ?? "(none)"),
      ]
      : [h("p", { class: "note" }, "Bodies are shown when the relay runs with --log-bodies.")]),
  );
}

startPage(() => {
  for (const id of ["filter-dialect", "filter-model", "filter-status"]) field(id).addEventListener("input", render);
  void follow();
});
