/**
 * The Charts page: the last hour per minute (requests by outcome, time to first byte p50
 * and p95, output tokens, errors by kind), drawn with uPlot and refreshed every ten
 * seconds. Each chart's element carries the sum of what it shows (`data-total`).
 *
 * @module
 */
import { api, every, startPage } from "./console_api.js";
import { byId, h } from "./dom.js";

/** uPlot, loaded by the page before this module (`uPlot.iife.min.js`). */
const uPlot = /** @type {any} */ (globalThis).uPlot;

/** Colours of the series every chart names the same way; others take the palette in turn. */
const NAMED = /** @type {Record<string, string>} */ ({
  completed: "#2f7d4a",
  error: "#c0392b",
  client_abort: "#7f8c8d",
  timeout: "#d68910",
  shutdown: "#8e44ad",
  p50: "#2471a3",
  p95: "#d68910",
  "output tokens": "#17a589",
});
const PALETTE = ["#c0392b", "#d68910", "#8e44ad", "#a04000", "#2471a3", "#7f8c8d", "#17a589", "#2f7d4a"];

/** @type {Map<string, { chart: any, names: string }>} */
const charts = new Map();

/**
 * Draws (or updates) the chart in `#id` with one line per named series.
 *
 * @param {string} id
 * @param {number[]} minutes
 * @param {Record<string, (number | null)[]>} series
 * @param {string} unit
 * @returns {void}
 */
function draw(id, minutes, series, unit) {
  const container = byId(id);
  const names = Object.keys(series);
  const data = [minutes.map((start) => start / 1000), ...names.map((name) => series[name])];
  const values = names.flatMap((name) => series[name]);
  container.dataset.total = String(values.reduce((/** @type {number} */ sum, value) => sum + (value ?? 0), 0));
  const drawn = charts.get(id);
  if (drawn && drawn.names === names.join()) return drawn.chart.setData(data);
  drawn?.chart.destroy();
  container.replaceChildren();
  if (!names.length) return void container.append(h("p", { class: "note" }, "nothing in the last hour"));
  const chart = new uPlot(
    {
      width: Math.max(300, container.clientWidth),
      height: 220,
      scales: {
        y: {
          range: (
            /** @type {any} */ _u,
            /** @type {number} */ min,
            /** @type {number} */ max,
          ) => [Math.min(0, min), Math.max(1, max)],
        },
      },
      axes: [{}, { label: unit, size: 60 }],
      series: [
        {},
        ...names.map((name, index) => ({
          label: name,
          stroke: NAMED[name] ?? PALETTE[index % PALETTE.length],
          width: 2,
          points: { show: true, size: 5 },
        })),
      ],
    },
    data,
    container,
  );
  charts.set(id, { chart, names: names.join() });
}

startPage(() =>
  every(10_000, async () => {
    const history = await api("charts");
    draw("chart-requests", history.minutes, history.requests, "requests");
    draw("chart-first-byte", history.minutes, history.firstByteMs, "ms");
    draw("chart-tokens", history.minutes, { "output tokens": history.tokensOut }, "tokens");
    draw("chart-errors", history.minutes, history.errors, "errors");
  })
);
