/**
 * The Playground: a prompt sent through the relay's own public endpoint in the dialect
 * chosen, the answer rendered (as text) next to the raw wire frames as they stream, with
 * the time to the first token, tokens per second and the finish reason. Stop aborts the
 * request, and the relay aborts the upstream's.
 *
 * @module
 */
import { api, keyHeaders, problemOf, readText, showProblem, startPage } from "./console_api.js";
import { byId, field, h } from "./dom.js";
import { duration } from "./format.js";
import { DIALECTS } from "./dialects.js";
import { FrameSplitter } from "./frame_splitter.js";

/** Frames listed in the raw pane; later ones are counted, not shown. */
const MAX_FRAMES = 2000;

/** @type {AbortController | undefined} */
let running;

/** Shows only the fields the chosen dialect takes. */
function fitFields() {
  const dialect = DIALECTS[field("pg-dialect").value];
  field("pg-system").closest("label")?.toggleAttribute("hidden", !dialect.system);
  byId("pg-tool-field").hidden = !dialect.tools;
  byId("pg-suffix-field").hidden = !dialect.fim;
  byId("pg-prompt-label").textContent = dialect.fim ? "prompt (the code before the cursor)" : "prompt";
}

/**
 * The tool of the form, parsed, or undefined when the field is empty.
 *
 * @returns {import("./dialects.js").ToolDefinition | undefined}
 */
function tool() {
  const text = field("pg-tool").value.trim();
  if (!text || byId("pg-tool-field").hidden) return undefined;
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed?.name !== "string") throw new Error("it needs a name");
    return parsed;
  } catch (error) {
    throw new Error(`The tool is not a valid definition: ${error instanceof Error ? error.message : error}`);
  }
}

/** Sends the form's prompt and shows the answer as it streams. */
async function send() {
  const key = field("pg-dialect").value;
  const dialect = DIALECTS[key];
  const maxTokens = Number(field("pg-max-tokens").value) || undefined;
  const input = {
    model: field("pg-model").value,
    prompt: field("pg-prompt").value,
    ...(dialect.system && field("pg-system").value.trim() ? { system: field("pg-system").value } : {}),
    ...(dialect.fim && field("pg-suffix").value ? { suffix: field("pg-suffix").value } : {}),
    ...(maxTokens ? { maxTokens } : {}),
    ...(dialect.tools && tool() ? { tool: tool() } : {}),
  };
  const endpoint = dialect.endpoint(input);
  const answer = byId("pg-answer");
  const thinking = byId("pg-thinking");
  const tools = byId("pg-tools");
  const raw = byId("pg-raw");
  const stats = byId("pg-stats");
  answer.replaceChildren();
  thinking.replaceChildren();
  thinking.hidden = true;
  tools.replaceChildren();
  raw.replaceChildren();
  byId("pg-endpoint").textContent = `POST ${endpoint}`;
  delete stats.dataset.finish;
  showProblem();
  const controller = running = new AbortController();
  field("pg-send").disabled = true;
  field("pg-stop").disabled = false;
  const started = performance.now();
  let firstToken = 0;
  let frames = 0;
  let deltas = 0;
  /** @type {number | undefined} */
  let reported;
  let finish = "";
  let status = 0;
  /** @type {HTMLElement | undefined} */
  let call;
  const showStats = (/** @type {string} */ state) => {
    const elapsed = firstToken ? (performance.now() - firstToken) / 1000 : 0;
    const tokens = reported ?? deltas;
    const rate = elapsed > 0 && tokens ? ` · ${(tokens / elapsed).toFixed(1)} tokens/s` : "";
    stats.textContent = [
      `${state}${status ? ` (HTTP ${status})` : ""}`,
      firstToken ? `first token after ${duration(firstToken - started)}` : "",
      `${reported === undefined ? "≈ " : ""}${tokens} tokens${rate}`,
      finish ? `finish: ${finish}` : "",
      `${frames} frames`,
    ].filter(Boolean).join(" · ");
  };
  const frameIn = (/** @type {string} */ frame) => {
    frames++;
    if (frames <= MAX_FRAMES) raw.append(h("li", {}, frame));
    else if (frames === MAX_FRAMES + 1) raw.append(h("li", { class: "note" }, "… later frames are not listed"));
    for (const part of dialect.read(frame)) {
      if ((part.text || part.thinking || part.toolArguments) && !firstToken) firstToken = performance.now();
      if (part.text) {
        answer.append(part.text);
        deltas++;
      }
      if (part.thinking) {
        thinking.hidden = false;
        thinking.append(part.thinking);
        deltas++;
      }
      if (part.toolName) tools.append(call = h("li", {}, h("strong", {}, part.toolName), " "));
      if (part.toolArguments) (call ?? tools.appendChild(call = h("li", {}))).append(part.toolArguments);
      if (part.finish) stats.dataset.finish = finish = part.finish;
      if (part.outputTokens !== undefined) reported = part.outputTokens;
      if (part.error) showProblem(new Error(part.error));
    }
    showStats("streaming");
  };
  try {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", ...dialect.headers, ...keyHeaders() },
      body: JSON.stringify(dialect.body(input)),
      signal: controller.signal,
    });
    status = response.status;
    if (!response.ok) {
      const text = await response.text();
      raw.append(h("li", {}, text));
      throw await problemOf(new Response(text, { status: response.status }));
    }
    const splitter = new FrameSplitter(dialect.format);
    await readText(response, (text) => splitter.push(text).forEach(frameIn));
    splitter.flush().forEach(frameIn);
    showStats("done");
  } catch (error) {
    if (controller.signal.aborted) showStats("stopped");
    else {
      showStats("failed");
      showProblem(error);
    }
  } finally {
    running = undefined;
    field("pg-send").disabled = false;
    field("pg-stop").disabled = true;
  }
}

startPage(async () => {
  const dialects = field("pg-dialect");
  dialects.replaceChildren(
    ...Object.entries(DIALECTS).map(([key, dialect]) => h("option", { value: key }, dialect.label)),
  );
  dialects.addEventListener("change", fitFields);
  fitFields();
  byId("playground").addEventListener("submit", (event) => {
    event.preventDefault();
    send().catch(showProblem);
  });
  field("pg-stop").addEventListener("click", () => running?.abort());
  /** @type {any[]} */
  const models = await api("models");
  field("pg-model").replaceChildren(
    ...models.map((model) =>
      h("option", { value: model.id }, model.displayName ? `${model.id} (${model.displayName})` : model.id)
    ),
  );
  const chat = models.find((model) => model.capabilities.includes("chat"));
  if (chat) field("pg-model").value = chat.id;
});
