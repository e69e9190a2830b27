// The page of `deriv serve`: reads the inputs, asks /api/derive and /api/plot, and shows
// the answers. The state lives in the URL's query string, under the API's parameter
// names, so a copied link reproduces the page.
"use strict";

const $ = (id) => document.getElementById(id);

const inputs = {
  expr: $("expr"),
  wrt: $("wrt"),
  subst: $("subst"),
  steps: $("steps"),
  explain: $("explain"),
  verify: $("verify"),
  form: $("form-select"),
  notation: $("notation"),
  range: $("range"),
  at: $("at"),
};

// Checkboxes whose default is on: the URL records them only when they are off.
const ON_BY_DEFAULT = ["explain", "verify"];

const DEBOUNCE_MS = 250;

// ---- State: inputs <-> object <-> query string ----

// Splits on newlines and on commas outside parentheses: `t=f(x,y), u=x` is two parts.
function splitTopLevel(text) {
  const parts = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(" || ch === "[") depth++;
    if ((ch === ")" || ch === "]") && depth > 0) depth--;
    if (ch === "\n" || (ch === "," && depth === 0)) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function readState() {
  return {
    expr: inputs.expr.value.trim(),
    wrt: inputs.wrt.value.replace(/\s+/g, ""),
    subst: splitTopLevel(inputs.subst.value),
    total: $("total-1").checked,
    steps: inputs.steps.checked,
    explain: inputs.explain.checked,
    verify: inputs.verify.checked,
    form: inputs.form.value,
    notation: inputs.notation.value,
    range: inputs.range.value.trim(),
    at: inputs.at.value.trim(),
  };
}

// The page's query string: only what differs from the defaults.
function stateQuery(state) {
  const q = new URLSearchParams();
  if (state.expr) q.append("expr", state.expr);
  if (state.wrt) q.append("wrt", state.wrt);
  for (const s of state.subst) q.append("subst", s);
  if (state.total) q.append("total", "1");
  if (state.steps) q.append("steps", "1");
  for (const flag of ON_BY_DEFAULT) if (!state[flag]) q.append(flag, "0");
  if (state.form !== "auto") q.append("form", state.form);
  if (state.notation !== "leibniz") q.append("notation", state.notation);
  if (state.range) q.append("range", state.range);
  if (state.at) q.append("at", state.at);
  return q;
}

const isOn = (value) => ["", "1", "true", "on", "yes"].includes(value.toLowerCase());

// Fills the inputs from the page's query string.
function loadQuery(search) {
  const q = new URLSearchParams(search);
  inputs.expr.value = q.get("expr") ?? "";
  inputs.wrt.value = q.getAll("wrt").join(",");
  inputs.subst.value = q.getAll("subst").join("\n");
  const total = q.has("total") && isOn(q.get("total"));
  $(total ? "total-1" : "total-0").checked = true;
  inputs.steps.checked = q.has("steps") && isOn(q.get("steps"));
  for (const flag of ON_BY_DEFAULT) inputs[flag].checked = !q.has(flag) || isOn(q.get(flag));
  inputs.form.value = q.get("form") ?? "auto";
  if (!inputs.form.value) inputs.form.value = "auto";
  inputs.notation.value = q.get("notation") ?? "leibniz";
  if (!inputs.notation.value) inputs.notation.value = "leibniz";
  inputs.range.value = q.get("range") ?? "";
  inputs.at.value = q.getAll("at").join(", ");
}

// ---- Requests ----

// The parameters shared by the derivative, the table and the plot. A partial derivative
// holds every other variable fixed, so the constraints go with the total only (the table
// always takes them: it shows both).
function baseQuery(state, constrained = state.total) {
  const q = new URLSearchParams();
  q.append("expr", state.expr);
  if (state.wrt) q.append("wrt", state.wrt);
  if (constrained) for (const s of state.subst) q.append("subst", s);
  if (state.total) q.append("total", "1");
  return q;
}

function deriveQuery(state) {
  const q = baseQuery(state);
  if (state.steps) q.append("steps", "1");
  if (state.verify) q.append("verify", "1");
  q.append("form", state.form);
  q.append("notation", state.notation);
  return q;
}

function explainQuery(state) {
  const q = baseQuery(state, true);
  q.append("explain", "1");
  q.append("form", state.form);
  q.append("notation", state.notation);
  return q;
}

// The plot's parameters; variables other than the plotted one that nothing fixes are
// set to 1 (returned as `fixed`, for the caption).
function plotQuery(state, freeVariables) {
  const q = baseQuery(state);
  if (state.range) q.append("range", state.range);
  if (state.at) q.append("at", state.at);
  const plotted = state.range.includes("=")
    ? state.range.split("=")[0].trim()
    : state.wrt.split(",")[0];
  const given = new Set(
    [...(state.total ? state.subst : []), ...splitTopLevel(state.at)].map((a) => a.split("=")[0].trim()),
  );
  const fixed = plotted
    ? freeVariables.filter((v) => v !== plotted && !given.has(v))
    : [];
  for (const v of fixed) q.append("at", `${v}=1`);
  return { query: q, plotted, fixed };
}

// Fetches one API answer: { ok, json } or { ok, text } for the SVG, or { error }.
async function ask(path, query, signal) {
  let response;
  try {
    response = await fetch(`${path}?${query}`, { signal });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    return { error: { kind: "network", message: "The server is not answering: is `deriv serve` still running?" } };
  }
  const type = response.headers.get("content-type") ?? "";
  if (type.startsWith("application/json")) {
    const json = await response.json();
    if (!response.ok) return { error: json.error };
    return { ok: true, json };
  }
  if (!response.ok) return { error: { message: `HTTP ${response.status}` } };
  return { ok: true, text: await response.text() };
}

// ---- Rendering helpers ----

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A piece of mathematics: the server's MathML when the record has it (the content of a
// <math> element, generated by our own server, so inserted as markup), else the Unicode
// text, which is also the element's label for screen readers and copying.
function math(mathml, unicode, className = "math") {
  const node = el("span", className);
  if (typeof mathml === "string" && mathml) {
    node.innerHTML = `<math displaystyle="true">${mathml}</math>`;
    if (unicode) node.firstChild.setAttribute("alttext", unicode);
  } else {
    node.textContent = unicode ?? "";
  }
  return node;
}

// The UTF-16 index of a UTF-8 byte offset in `text` (the server's spans count bytes).
function charIndex(text, byteOffset) {
  let bytes = 0;
  let index = 0;
  for (const ch of text) {
    if (bytes >= byteOffset) break;
    bytes += new TextEncoder().encode(ch).length;
    index += ch.length;
  }
  return index;
}

// ---- Field messages: hints, and errors with a caret under the place ----

// The inputs an error can name (the API's parameter names), each with a message area.
const FIELDS = ["expr", "wrt", "subst", "form", "notation", "range", "at"];

function fieldFor(input) {
  return FIELDS.includes(input) ? inputs[input] : null;
}

function clearFieldErrors() {
  for (const input of FIELDS.map((name) => inputs[name])) {
    input.removeAttribute("aria-invalid");
    const msg = $(`${input.name}-msg`);
    msg.classList.remove("error");
    msg.textContent = msg.dataset.hint ?? "";
  }
}

// Shows `error` under its input; false when it names none the page has.
function showFieldError(error) {
  const field = fieldFor(error.input);
  const msg = field && $(`${field.name}-msg`);
  if (!msg || msg.classList.contains("error")) return Boolean(msg);
  field.setAttribute("aria-invalid", "true");
  msg.classList.add("error");
  msg.textContent = "";
  if (error.span && error.text) {
    const start = charIndex(error.text, error.span.start);
    const end = Math.max(charIndex(error.text, error.span.end), start + 1);
    const caret = " ".repeat(start) + "^".repeat(end - start);
    if (field.tagName === "INPUT" && field.value === error.text) {
      // The caret lines up with the text in the input itself.
      const line = el("pre", "caret aligned", caret);
      msg.append(line);
      line.scrollLeft = field.scrollLeft;
    } else {
      msg.append(el("pre", "caret", `${error.text}\n${caret}`));
    }
  }
  msg.append(el("span", "message", error.message));
  if (error.help) msg.append(el("span", "help", ` — ${error.help}`));
  return true;
}

// ---- Results ----

let lastResult = null; // the shown result's plain and LaTeX texts, for the copy buttons

function caption(state) {
  if (!state.wrt) return "Simplified (no variable given)";
  const vars = state.wrt.split(",").filter(Boolean);
  if (!state.total) {
    const held = state.subst.length ? ": the other variables held constant (the constraints apply to the total)" : "";
    return `Partial derivative with respect to ${vars.join(", ")}${held}`;
  }
  const along = state.subst.length ? ` along ${state.subst.join(", ")}` : "";
  return `Total derivative with respect to ${vars.join(", ")}${along}`;
}

function renderResult(state, record) {
  const body = $("result-body");
  body.replaceChildren();
  for (const line of record.results) {
    const row = el("div", "result-line");
    if (line.label_unicode || line.label_mathml) {
      row.append(math(line.label_mathml, line.label_unicode, "math label"), el("span", "eq", "="));
    }
    const value = math(line.mathml, line.unicode, "math value");
    if (record.results.length === 1) value.id = "result-math";
    value.dataset.plain = line.plain;
    row.append(value);
    if (line.note) row.append(el("span", "note", line.note));
    body.append(row);
  }
  $("result-caption").textContent = caption(state);
  const plain = record.results.map((r) => r.plain).join("\n");
  const latex = record.results.map((r) => r.latex).join("\n");
  lastResult = { plain, latex };
  $("copy-plain").disabled = false;
  $("copy-latex").disabled = false;

  const v = record.verification;
  const verification = $("verification");
  verification.className = "verification";
  verification.textContent = "";
  if (v) {
    if (v.failure) {
      verification.classList.add("bad");
      verification.textContent = `✗ The numerical check failed: ${v.failure}`;
    } else if (v.checked > 0) {
      verification.classList.add("good");
      const err = v.max_relative_error ?? 0;
      verification.textContent = `✓ Checked numerically at ${v.points} points (largest relative error ${err.toPrecision(2)})`;
    }
    if (v.unchecked.length) verification.textContent += ` · not checked: ${v.unchecked.join("; ")}`;
    if (v.unsettled && v.unsettled.length) verification.textContent += ` · not checked (finite differences do not settle): ${v.unsettled.join("; ")}`;
  }

  const warnings = $("warnings");
  warnings.replaceChildren();
  for (const w of record.warnings ?? []) {
    const item = el("li", "", `⚠ ${w.message}`);
    if (w.help) item.append(el("span", "help", ` — ${w.help}`));
    warnings.append(item);
  }

  renderSteps(record.steps);
}

function renderSteps(groups) {
  const card = $("steps-card");
  card.hidden = !groups;
  if (!groups) return;
  const body = $("steps-body");
  body.replaceChildren();
  for (const group of groups) {
    const list = el("ol", "steps");
    const first = el("li", "step start");
    first.append(math(group.start_mathml, group.start));
    list.append(first);
    for (const step of group.steps) {
      const item = el("li", "step");
      const rule = el("span", "rule", step.rule);
      if (step.inner) rule.append(el("span", "inner", ` (inner: ${step.inner})`));
      item.append(el("span", "eq", "="), math(step.mathml, step.unicode), rule);
      list.append(item);
    }
    body.append(list);
  }
}

const HEADINGS = { "subst. after": "Substitute after", "subst. first": "Substitute first" };

function renderExplain(record) {
  const table = el("table", "explain");
  const head = el("tr");
  for (const name of ["", "Derivative", "Value", ""]) head.append(el("th", "", name));
  head.querySelectorAll("th").forEach((th) => th.setAttribute("scope", "col"));
  table.appendChild(el("thead")).append(head);
  const tbody = table.appendChild(el("tbody"));
  for (const line of record.results) {
    const row = el("tr", `row-${line.heading.replace(/[^a-z]+/g, "-")}`);
    let note = (line.note ?? "").replace(/^\((.*)\)$/, "$1");
    if (/WRONG/.test(note)) row.classList.add("wrong");
    if (/equals the total/.test(note)) row.classList.add("right");
    note = note.replace(/^WRONG: /, "");
    const name = HEADINGS[line.heading] ?? line.heading[0].toUpperCase() + line.heading.slice(1);
    const th = el("th", "", name);
    th.setAttribute("scope", "row");
    const label = el("td", "label");
    label.append(math(line.label_mathml, line.label_unicode));
    const value = el("td", "value");
    const v = math(line.mathml, line.unicode);
    v.dataset.plain = line.plain;
    value.append(v);
    const noteCell = el("td", "note");
    if (row.classList.contains("wrong")) noteCell.append(el("strong", "badge bad", "✗ WRONG"), " ");
    if (row.classList.contains("right")) noteCell.append(el("strong", "badge good", "✓ right"), " ");
    noteCell.append(el("span", "", note));
    row.append(th, label, value, noteCell);
    tbody.append(row);
  }
  $("explain-body").replaceChildren(table);
}

// The plot's SVG, parsed and checked before it goes in.
function renderPlot(svgText) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg" || doc.querySelector("parsererror")) return false;
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Plot of f and its derivatives");
  $("plot-body").replaceChildren(document.importNode(svg, true));
  return true;
}

// An error with no input of its own: shown in its card.
function problemNode(error) {
  const box = el("div", "problem-text");
  box.append(el("strong", "", error.message));
  if (error.help) box.append(el("span", "help", ` — ${error.help}`));
  if (error.input && error.span && !fieldFor(error.input)) box.append(el("pre", "rendered", error.rendered));
  return box;
}

// ---- The update cycle ----

let seq = 0; // the latest update's number: answers to older ones are dropped
let controller = null; // aborts the requests of the update it belongs to
let timer = null;

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(update, DEBOUNCE_MS);
}

async function update() {
  clearTimeout(timer);
  const mine = ++seq;
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  const state = readState();

  const query = stateQuery(state).toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
  const canExplain = state.subst.length > 0 && state.wrt !== "";
  inputs.explain.disabled = !canExplain;
  $("explain-msg").hidden = canExplain;

  if (!state.expr) {
    clearFieldErrors();
    showEmpty();
    return;
  }
  try {
    const main = await ask("/api/derive", deriveQuery(state), signal);
    if (mine !== seq) return;
    clearFieldErrors();
    if (main.error) {
      for (const card of ["result", "explain-card", "steps-card", "plot-card"]) $(card).classList.add("stale");
      const placed = showFieldError(main.error);
      const problem = $("problem");
      problem.hidden = false;
      // A short note over the dimmed result (no layout jump while typing), or the whole
      // error in the flow when no input holds it.
      problem.classList.toggle("placed", placed);
      problem.replaceChildren(placed ? el("strong", "", `⚠ ${main.error.message} (see ${labelOf(main.error.input)})`) : problemNode(main.error));
      return;
    }
    for (const card of ["result", "explain-card", "steps-card", "plot-card"]) $(card).classList.remove("stale");
    $("problem").hidden = true;
    renderResult(state, main.json);

    const explain = canExplain && state.explain
      ? ask("/api/derive", explainQuery(state), signal) : null;
    const plot = plotQuery(state, main.json.free_variables);
    const [table, chart] = await Promise.all([explain, ask("/api/plot", plot.query, signal)]);
    if (mine !== seq) return;

    const explainCard = $("explain-card");
    explainCard.hidden = !table;
    if (table?.error) {
      $("explain-body").replaceChildren(problemNode(table.error));
    } else if (table) {
      renderExplain(table.json);
    }

    const plotCard = $("plot-card");
    plotCard.hidden = false;
    if (chart.error) {
      // Under its field, the error leaves the last plot dimmed; otherwise it replaces it.
      if (showFieldError(chart.error)) {
        plotCard.classList.add("stale");
      } else {
        $("plot-body").replaceChildren(problemNode(chart.error));
      }
      $("plot-caption").textContent = "The plot could not be drawn.";
    } else if (renderPlot(chart.text)) {
      const fixed = plot.fixed.map((v) => `${v} = 1`).join(", ");
      $("plot-caption").textContent = `f and its derivatives against ${plot.plotted || "its variable"}` +
        (fixed ? `, with ${fixed}: give other values under “Tangent at”, e.g. ${plot.fixed[0]}=2.` : ".");
    }
  } catch (e) {
    if (e.name !== "AbortError") throw e;
  }
}

function labelOf(input) {
  const field = fieldFor(input);
  const label = field && document.querySelector(`label[for="${field.id}"]`);
  return label ? `“${label.textContent.trim()}”` : "above";
}

function showEmpty() {
  const body = $("result-body");
  body.replaceChildren(el("p", "empty", "Type a function to differentiate, or pick an example."));
  $("result").classList.remove("stale");
  $("problem").hidden = true;
  $("result-caption").textContent = "";
  $("verification").textContent = "";
  $("warnings").replaceChildren();
  for (const card of ["explain-card", "steps-card", "plot-card"]) $(card).hidden = true;
  $("copy-plain").disabled = true;
  $("copy-latex").disabled = true;
  lastResult = null;
}

// ---- Copy buttons ----

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Not a secure context, or no permission: copy through a selected text area.
    const area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const note = $("copied");
  note.textContent = `Copied ${what}`;
  clearTimeout(note.timer);
  note.timer = setTimeout(() => (note.textContent = ""), 2000);
}

// ---- Wiring ----

loadQuery(location.search);
clearFieldErrors();
$("form").addEventListener("input", schedule);
$("form").addEventListener("change", schedule);
// Enter computes at once instead of submitting the form.
$("form").addEventListener("submit", (e) => {
  e.preventDefault();
  update();
});
$("copy-plain").addEventListener("click", () => lastResult && copy(lastResult.plain, "plain text"));
$("copy-latex").addEventListener("click", () => lastResult && copy(lastResult.latex, "LaTeX"));
update();
