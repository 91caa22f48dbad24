// The btopt dashboard: reads the server's JSON API (aggregated there, never
// every trial), redraws on its server-sent events. Text from the study is
// only ever set as textContent, and the table filter is sent to the server,
// which parses it (muparser): nothing the user types runs as script.
// The HTML report is this page frozen: `btopt report` embeds the API's answers
// for one run and its trials (script#btopt-report), and api() answers from
// them (frozenAnswer): the same drawing code, no server, nothing fetched.
"use strict";

const frozen = (() => {
  const element = document.getElementById("btopt-report");
  return element ? JSON.parse(element.textContent) : null;
})();

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
const colours = { ok: "#2a7d4f", failed: "#c0392b", crashed: "#8e1b10", timeout: "#e67e22", cancelled: "#d08c00",
  infeasible: "#6b7a99", none: "#d9dce3" };
// Viridis (purple, teal, green): no red or amber, which say failed and cancelled.
const scale = ["#440154", "#3b528b", "#21918c", "#5ec962", "#c8e020"];
const state = { run: 0, summary: null, sort: "number", order: "asc", offset: 0, limit: 50, filter: "",
  heatmap: { x: "", y: "", metric: "" }, charts: {} };

function api(path, params = {}) {
  if (frozen) return new Promise((resolve) => resolve(frozenAnswer(path, params)));
  const query = new URLSearchParams({ ...params, token });
  if (state.run) query.set("run", state.run);
  return fetch(`api/${path}?${query}`).then(async (response) => {
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    return body;
  });
}

function show(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") {
    const size = Math.abs(value);
    if (size >= 1e9 || (size < 1e-3 && value !== 0)) return value.toExponential(3);
    if (Number.isInteger(value)) return value.toLocaleString("en-US");
    return value.toLocaleString("en-US", { maximumSignificantDigits: 5 });
  }
  return String(value);
}

// ECharts renders tooltips as HTML: study text in them (names, choices) is escaped.
function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

function fillValues(list, pairs) {
  list.replaceChildren(...pairs.map(([name, value]) => {
    const row = document.createElement("div");
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = name;
    dt.title = name;
    dd.textContent = show(value);
    row.append(dt, dd);
    return row;
  }));
}

// A trial's parameters and metrics as [name, value], in the space's and the plugin's order.
function inOrder(t) {
  const s = state.summary;
  return [...s.params.map((p) => [p.name, t.params[p.name]]), ...s.metrics.map((m) => [m, t.metrics[m]])];
}

function chart(id) {
  if (!state.charts[id]) state.charts[id] = echarts.init($(id), null, { renderer: "canvas" });
  return state.charts[id];
}

function fillSelect(select, names, chosen) {
  if (select.options.length !== names.length || [...select.options].some((o, i) => o.value !== names[i]))
    select.replaceChildren(...names.map((name) => new Option(name, name)));
  select.value = chosen;
}

// ---- counters -------------------------------------------------------------

function drawSummary(s) {
  const ended = state.summary && state.summary.run.id === s.run.id && state.summary.run.status !== s.run.status;
  state.summary = s;
  const run = s.run;
  if (ended) { // its provenance has its end now
    refreshRuns();
    api("provenance").then(drawProvenance).catch(report);
  }
  $("status").textContent = run.status;
  $("status").className = `badge ${run.status}`;
  $("done").textContent = show(s.done);
  $("total").textContent = s.total === null ? "?" : show(s.total);
  $("bar").style.width = s.total ? `${Math.min(100, (100 * s.done) / s.total)}%` : "0";
  $("reused").textContent = s.reused ? `${show(s.reused)} reused from earlier runs` : "";
  $("rate").textContent = s.evals_per_second === null ? "–" : show(Number(s.evals_per_second.toPrecision(3)));
  $("eta").textContent = run.status === "running" ? duration(s.eta_seconds) : `done (${run.status})`;
  $("statuses").replaceChildren(...["ok", "failed", "crashed", "timeout", "cancelled", "infeasible"].map((name) => {
    const item = document.createElement("li");
    item.style.setProperty("--c", colours[name]);
    item.dataset.status = name;
    item.textContent = `${name}: ${show(s.statuses[name] || 0)}`;
    return item;
  }));
  $("objective").textContent = `(${s.direction} ${s.objective})`;
  $("best-score").textContent = s.best ? show(s.best.score) : "–";
  $("best-score").dataset.value = s.best ? String(s.best.score) : "";
  $("best-number").textContent = s.best ? String(s.best.number) : "–";
  $("best-values").replaceChildren();
  if (s.best) fillValues($("best-values"), inOrder(s.best));

  const names = s.params.map((p) => p.name);
  if (!state.heatmap.x && names.length >= 2) Object.assign(state.heatmap, { x: names[0], y: names[1] });
  if (!state.heatmap.metric) state.heatmap.metric = "score";
  fillSelect($("hx"), names, state.heatmap.x);
  fillSelect($("hy"), names, state.heatmap.y);
  fillSelect($("hmetric"), ["score", ...s.metrics], state.heatmap.metric);
}

// ---- convergence ----------------------------------------------------------

function drawConvergence(c) {
  chart("convergence").setOption({
    animation: false,
    grid: { left: 64, right: 24, top: 30, bottom: 44 },
    legend: { top: 0, type: "scroll" },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", name: "trial", nameLocation: "middle", nameGap: 28, minInterval: 1 },
    yAxis: { type: "value", name: c.objective, scale: true },
    series: [
      { name: "trial score", type: "scatter", symbolSize: 3, itemStyle: { color: "#9aa5b8" }, data: c.scores },
      { name: "best so far", type: "line", step: "end", showSymbol: false, lineStyle: { width: 2 },
        itemStyle: { color: "#2563eb" }, data: c.best },
    ],
  });
}

// ---- heatmap --------------------------------------------------------------

function drawHeatmap(h) {
  const groups = { ok: [], none: [], infeasible: [], failed: [], cancelled: [] };
  for (const [x, y, value, cellState, count, number] of h.cells)
    groups[cellState].push({ value: [x, y, value], count, number });
  const values = groups.ok.map((c) => c.value[2]).filter((v) => v !== null);
  const lo = values.length ? Math.min(...values) : 0, hi = values.length ? Math.max(...values) : 1;
  const flat = (name, colour) => ({ name, type: "heatmap", data: groups[name === "not evaluated or infeasible" ? "none" : name],
    itemStyle: { color: colour, borderColor: "#fff", borderWidth: 0.5 }, emphasis: { disabled: true } });
  const series = [
    { name: "ok", type: "heatmap", data: groups.ok, itemStyle: { color: scale[2], borderColor: "#fff", borderWidth: 0.5 } },
    flat("not evaluated or infeasible", colours.none),
    flat("infeasible", colours.infeasible),
    flat("failed", colours.failed),
    flat("cancelled", colours.cancelled),
  ];
  if (h.best) series.push({ name: "best", type: "scatter", data: [h.best], symbol: "rect", symbolSize: 14, z: 5,
    itemStyle: { color: "rgba(0,0,0,0)", borderColor: "#111", borderWidth: 2.5 }, tooltip: { show: false } });
  const many = (labels) => Math.max(0, Math.ceil(labels.length / 25) - 1);
  chart("heatmap").setOption({
    animation: false,
    grid: { left: 70, right: 24, top: 36, bottom: 110, containLabel: false },
    legend: { top: 0, type: "scroll", data: ["ok", "not evaluated or infeasible", "infeasible", "failed", "cancelled", "best"] },
    tooltip: {
      formatter: (p) => {
        const d = p.data;
        const where = escape(`${h.x.name} ${h.x.labels[d.value[0]]}, ${h.y.name} ${h.y.labels[d.value[1]]}`);
        if (p.seriesName === "ok")
          return `${where}<br>${escape(h.metric)}: ${show(d.value[2])} (trial ${d.number}; ${d.count} trials)`;
        return `${where}<br>${p.seriesName}${d.count ? ` (${d.count} trials)` : ""}`;
      },
    },
    // Binned labels are ranges, turned 30°: the axis name goes below them.
    xAxis: { type: "category", data: h.x.labels, name: h.x.name, nameLocation: "middle", nameGap: h.x.binned ? 64 : 34,
      axisLabel: { interval: many(h.x.labels), rotate: h.x.binned ? 30 : 0 }, splitArea: { show: false } },
    yAxis: { type: "category", data: h.y.labels, name: h.y.name, nameLocation: "end", nameGap: 10,
      axisLabel: { interval: many(h.y.labels) } },
    visualMap: { seriesIndex: 0, min: lo, max: hi === lo ? lo + 1 : hi, calculable: true, orient: "horizontal",
      left: "center", bottom: 8, itemHeight: 240, formatter: (v) => show(v), dimension: 2,
      inRange: { color: scale } },
    series,
  }, { replaceMerge: ["series"] });
  const counts = { none: groups.none.length, failed: groups.failed.length, cancelled: groups.cancelled.length };
  $("heatmap-note").textContent = `${h.cells.length} cells: ${groups.ok.length} with a successful trial, ` +
    `${groups.infeasible.length} only infeasible (breaking --require), ` +
    `${counts.none} not evaluated (outside the parameter constraints, or not yet run), ${counts.failed} only failed, ${counts.cancelled} only cancelled.` +
    (h.x.binned || h.y.binned ? " Binned: a cell covers a range of values." : "");
}

// ---- one parameter at a time ---------------------------------------------

function drawSlices(sl) {
  const n = sl.params.length;
  const columns = Math.min(n, innerWidth < 700 ? 1 : 3), rows = Math.ceil(n / columns);
  const el = $("slices");
  el.style.height = `${rows * 220}px`;
  const c = chart("slices");
  c.resize();
  const grids = [], xAxis = [], yAxis = [], series = [], titles = [];
  sl.params.forEach((p, i) => {
    const left = (i % columns) * (100 / columns), top = Math.floor(i / columns) * (100 / rows);
    grids.push({ left: `${left + 6}%`, width: `${100 / columns - 9}%`, top: `${top + 12 / rows}%`,
      height: `${100 / rows - 26 / rows}%` });
    titles.push({ text: p.name, left: `${left + 6}%`, top: `${top + 2 / rows}%`, textStyle: { fontSize: 12 } });
    xAxis.push({ type: "category", gridIndex: i, data: p.labels, axisLabel: { hideOverlap: true } });
    // No axis name: above the axis it would sit on the chart's title.
    yAxis.push({ type: "value", gridIndex: i, scale: true });
    series.push({ name: p.name, type: "line", xAxisIndex: i, yAxisIndex: i, connectNulls: false, symbolSize: 4,
      data: p.points.map(([at, value, ok, failed, cancelled, number]) => ({ value: [at, value], ok, failed, cancelled, number })) });
  });
  c.setOption({
    animation: false, title: titles, grid: grids, xAxis, yAxis, series,
    tooltip: { trigger: "item", formatter: (q) => escape(`${q.seriesName} ${sl.params[q.seriesIndex].labels[q.data.value[0]]}`) +
      `<br>${escape(sl.metric)}: ${show(q.data.value[1])}<br>ok ${q.data.ok}, failed ${q.data.failed}, cancelled ${q.data.cancelled}` },
  }, { notMerge: true });
}

function drawParallel(b) {
  const axes = b.params.map((p, i) => p.kind === "choice" ? { dim: i, name: p.name, type: "category", data: p.choices }
    : { dim: i, name: p.name, min: p.lo, max: p.hi, minInterval: p.kind === "int" ? 1 : undefined });
  axes.push({ dim: b.params.length, name: b.objective, scale: true });
  const scores = b.rows.map((r) => r[r.length - 1]);
  $("parallel-note").textContent = `(the best ${show(b.rows.length)} of ${show(b.of)} successful trials)`;
  chart("parallel").setOption({
    animation: false,
    parallel: { left: 60, right: 80, top: 40, bottom: 30 },
    parallelAxis: axes,
    visualMap: { type: "continuous", dimension: b.params.length, min: scores.length ? Math.min(...scores) : 0,
      max: scores.length ? Math.max(...scores) : 1, right: 0, formatter: (v) => show(v), top: "middle", itemHeight: 160,
      calculable: true, inRange: { color: scale } },
    series: [{ type: "parallel", data: b.rows, lineStyle: { width: 1, opacity: 0.45 } }],
  }, { notMerge: true });
}

// ---- table ----------------------------------------------------------------

function columns() {
  const s = state.summary;
  return ["number", "status", "score", ...s.params.map((p) => p.name), ...s.metrics];
}

function drawTable(t) {
  const cols = columns();
  const head = document.createElement("tr");
  for (const name of cols) {
    const th = document.createElement("th");
    th.textContent = name;
    th.dataset.column = name;
    if (name === state.sort) th.setAttribute("aria-sort", state.order === "desc" ? "descending" : "ascending");
    head.append(th);
  }
  $("table").tHead.replaceChildren(head);
  const params = new Set(state.summary.params.map((p) => p.name));
  $("table").tBodies[0].replaceChildren(...t.rows.map((row) => {
    const tr = document.createElement("tr");
    tr.dataset.number = row.number;
    for (const name of cols) {
      const td = document.createElement("td");
      const value = name in row && name !== "params" && name !== "metrics" ? row[name]
        : params.has(name) ? row.params[name] : row.metrics[name];
      td.textContent = show(value);
      if (name === "status") td.style.color = colours[row.status] || "";
      tr.append(td);
    }
    return tr;
  }));
  $("matched").textContent = state.filter ? `${show(t.matched)} of ${show(t.total)} trials match`
    : `${show(t.total)} trials`;
  $("matched").dataset.matched = t.matched;
  const last = Math.min(t.offset + t.rows.length, t.matched);
  $("page").textContent = t.matched ? `${show(t.offset + 1)}–${show(last)} of ${show(t.matched)}` : "none";
  $("prev").disabled = t.offset === 0;
  $("next").disabled = last >= t.matched;
}

// ---- trial and provenance -------------------------------------------------

function openTrial(number, scroll = true) {
  api("trial", { number }).then((t) => {
    $("trial-panel").hidden = false;
    $("trial-number").textContent = String(t.number);
    $("trial-status").textContent = t.status;
    $("trial-status").className = `badge ${t.status}`;
    $("trial-error").hidden = !t.error;
    $("trial-error").textContent = t.error;
    fillValues($("trial-values"), [["score", t.score], ...inOrder(t),
      ["seconds", t.seconds], ["reused", t.reused ? "yes" : "no"]]);
    drawEquity(t.number);
    if (scroll) $("trial-panel").scrollIntoView({ behavior: "smooth", block: "nearest" });
  }).catch(report);
}

// The trial's equity against buy-and-hold (log scale: a ×1,000 buy-and-hold
// does not flatten the strategy) and its drawdown below.
function drawEquity(number) {
  const shown = (curves) => {
    $("equity").hidden = !curves.equity;
    $("equity-note").textContent = curves.equity ? "" : `No equity curve: ${curves.missing}`;
    if (!curves.equity) return;
    const at = (series) => series.map((v, i) => [curves.dates ? curves.dates[i] * 86400000 : i, v]);
    let peak = -Infinity;
    const drawdown = curves.equity.map((v) => { peak = Math.max(peak, v); return v / peak - 1; });
    const positive = [...curves.equity, ...curves.buy_and_hold].filter((v) => v > 0);
    const span = positive.length ? Math.max(...positive) / Math.min(...positive) : 1;
    const xAxis = (index) => ({ type: curves.dates ? "time" : "value", gridIndex: index, min: "dataMin", max: "dataMax",
      minInterval: curves.dates ? undefined : 1, name: index ? (curves.dates ? "date" : "bar") : "",
      nameLocation: "middle", nameGap: 26, axisLabel: { show: index === 1, hideOverlap: true } });
    chart("equity").setOption({
      animation: false,
      legend: { top: 0, type: "scroll" },
      tooltip: { trigger: "axis", valueFormatter: (v) => show(v) },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      grid: [{ left: 64, right: 24, top: 32, height: "52%" }, { left: 64, right: 24, top: "72%", bottom: 40 }],
      xAxis: [xAxis(0), xAxis(1)],
      yAxis: [{ type: span > 100 ? "log" : "value", name: "growth of 1", scale: true, gridIndex: 0 },
        { type: "value", name: "drawdown", gridIndex: 1, max: 0, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } }],
      series: [
        { name: `trial ${curves.number}`, type: "line", showSymbol: false, data: at(curves.equity), itemStyle: { color: "#2563eb" } },
        { name: "buy and hold", type: "line", showSymbol: false, data: at(curves.buy_and_hold), itemStyle: { color: "#9aa5b8" } },
        { name: "drawdown", type: "line", showSymbol: false, xAxisIndex: 1, yAxisIndex: 1, data: at(drawdown),
          areaStyle: { opacity: 0.3 }, itemStyle: { color: "#c0392b" } },
      ],
    }, { notMerge: true });
    chart("equity").resize();
  };
  api("equity", { number }).then(shown, (e) => shown({ missing: e.message }));
}

function drawSelection() {
  const s = frozen && frozen.selection;
  $("selection-panel").hidden = !s || (s.dsr === undefined && s.pbo === undefined && !s.note);
  if (!s) return;
  const rows = [];
  if (s.dsr !== undefined) rows.push(["deflated Sharpe", s.dsr, `P(true Sharpe above the best that ${s.n_trials} trials without skill would show)`],
    ["probabilistic Sharpe", s.psr, `P(true Sharpe > 0), over ${s.n_returns} returns`]);
  if (s.pbo !== undefined) rows.push(["overfitting probability (PBO)", s.pbo, `${s.pbo_blocks} blocks, ${s.pbo_splits} of ${s.pbo_all_splits} splits`]);
  $("selection").tBodies[0].replaceChildren(...rows.map(([name, value, what]) => {
    const tr = document.createElement("tr");
    for (const [text, cls] of [[name, "left"], [value.toFixed(3), ""], [what, "left"]]) {
      const td = document.createElement("td");
      td.textContent = text;
      td.className = cls;
      tr.append(td);
    }
    return tr;
  }));
  $("selection-note").textContent = s.note ? `Not computed: ${s.note}` : "";
}

function drawProvenance(p) {
  const r = p.provenance || {};
  const plugin = r.plugin || {};
  const data = Object.entries(r.data || {}).map(([key, d]) => `${key}: ${d.path || d.file || ""} ${d.xxh3_128 || ""}`);
  fillValues($("provenance"), [
    ["study", r.study], ["run", p.run.id], ["status", p.run.status], ["started", p.run.started], ["ended", p.run.ended],
    ["plugin", `${plugin.name || ""} ${plugin.version || ""}`], ["plugin xxh3-128", plugin.xxh3_128],
    ["plugin file", plugin.path], ["data", data.join("; ") || "the plugin's own"],
    ["config", Object.entries(r.config || {}).map(([k, v]) => `${k}=${v}`).join(", ") || "defaults"],
    ["objective", `${r.direction || ""} ${r.objective || ""}`], ["algorithm", r.algorithm], ["seed", r.seed],
    ["backend", `${r.backend || ""} × ${r.workers || ""}`],
    ["ranges", ((r.space || {}).parameters || []).map((q) => q.kind === "choice" ? `${q.name}=${q.choices.join(",")}`
      : `${q.name}=${q.lo}:${q.hi}:${q.step}`).join(" ")],
    ["constraints", ((r.space || {}).constraints || []).join("; ") || "none"],
    ["btopt", r.btopt_version], ["host", `${r.host || ""} (pid ${r.pid || "?"})`],
  ]);
  $("command").textContent = p.command;
  $("provenance-json").textContent = JSON.stringify(r, null, 2);
}

// ---- refresh ----------------------------------------------------------------

function report(error) {
  $("live").textContent = String(error.message || error);
}

// Answers can come back out of order: only the last question's is drawn.
const asked = { table: 0, heatmap: 0 };
function latest(part, draw) {
  const mine = ++asked[part];
  return (answer) => { if (mine === asked[part]) draw(answer); };
}

function loadTable() {
  return api("table", { filter: state.filter, sort: state.sort, order: state.order, offset: state.offset,
    limit: state.limit }).then(latest("table", (t) => {
    $("filter-error").hidden = true;
    drawTable(t);
  })).catch((e) => {
    $("filter-error").hidden = false;
    $("filter-error").textContent = e.message;
  });
}

function loadHeatmap() {
  const { x, y, metric } = state.heatmap;
  const draw = latest("heatmap", ([sl, b, h]) => {
    drawSlices(sl);
    drawParallel(b);
    if (h) drawHeatmap(h);
  });
  return Promise.all([api("slices", { metric: metric || "score" }), api("best", { limit: 500 }),
    x && y && x !== y ? api("heatmap", { x, y, metric }) : null]).then(draw).catch(report);
}


// Redraws what changed: at most once per `every` ms per part (or 5 times as
// long as the last answer took: a large study is asked less often), the last
// change always drawn.
function throttled(fn, every, adaptive = true) {
  let busy = false, again = false, last = 0, took = 0;
  const run = () => {
    if (busy) { again = true; return; }
    busy = true;
    again = false;
    const wait = Math.max(0, last + (adaptive ? Math.max(every, 5 * took) : every) - Date.now());
    setTimeout(() => {
      last = Date.now();
      Promise.resolve(fn()).finally(() => {
        took = Date.now() - last;
        busy = false;
        if (again) run();
      });
    }, wait);
  };
  return run;
}

const refreshSummary = throttled(() => api("summary").then(drawSummary).catch(report), 250, false); // cheap
const refreshConvergence = throttled(() => api("convergence").then(drawConvergence).catch(report), 500);
const refreshHeatmap = throttled(loadHeatmap, 1000);
const refreshTable = throttled(loadTable, 1000);

// The runs; resolves to how many there are (none yet: a run is about to begin).
function refreshRuns() {
  return api("runs").then((r) => {
    $("study").textContent = r.study;
    const select = $("run");
    const ids = r.runs.map((x) => String(x.id));
    const labels = r.runs.map((x) => `${x.id}: ${x.status}, ${x.started}`);
    select.replaceChildren(new Option("the last", "0"), ...ids.map((id, i) => new Option(labels[i], id)));
    select.value = String(state.run);
    $("live").textContent = r.runs.length ? $("live").textContent : "waiting for the run to begin";
    return r.runs.length;
  });
}

function refreshAll() {
  return refreshRuns().then((runs) => {
    if (!runs) return undefined;
    return api("summary").then((s) => {
      drawSummary(s);
      return Promise.all([api("convergence").then(drawConvergence), loadHeatmap(), loadTable(),
        api("provenance").then(drawProvenance)]);
    });
  }).catch(report);
}

function listen() {
  const events = new EventSource(`api/events?token=${encodeURIComponent(token)}`);
  events.onmessage = () => {
    if (!state.summary) { // the first run just began
      refreshAll();
      return;
    }
    $("live").textContent = "live";
    refreshSummary();
    refreshConvergence();
    refreshHeatmap();
    refreshTable();
  };
  events.onerror = () => { $("live").textContent = "reconnecting…"; };
}

function wire() {
  $("run").addEventListener("change", (e) => {
    state.run = Number(e.target.value);
    Object.assign(state.heatmap, { x: "", y: "", metric: "" });
    state.offset = 0;
    refreshAll();
  });
  for (const [id, key] of [["hx", "x"], ["hy", "y"], ["hmetric", "metric"]])
    $(id).addEventListener("change", (e) => { state.heatmap[key] = e.target.value; loadHeatmap(); });
  $("filter-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.filter = $("filter").value.trim();
    state.offset = 0;
    loadTable();
  });
  $("table").tHead.addEventListener("click", (e) => {
    const column = e.target.dataset && e.target.dataset.column;
    if (!column) return;
    state.order = state.sort === column && state.order === "asc" ? "desc" : "asc";
    state.sort = column;
    state.offset = 0;
    loadTable();
  });
  $("table").tBodies[0].addEventListener("click", (e) => {
    const row = e.target.closest("tr");
    if (row) openTrial(row.dataset.number);
  });
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - state.limit); loadTable(); });
  $("next").addEventListener("click", () => { state.offset += state.limit; loadTable(); });
  $("copy").addEventListener("click", () => {
    navigator.clipboard.writeText($("command").textContent).then(() => { $("copy").textContent = "Copied"; },
      () => { $("copy").textContent = "Select the text to copy"; });
  });
  chart("heatmap").on("click", (p) => { if (p.data && p.data.number !== undefined && p.data.number !== null) openTrial(p.data.number); });
  addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
}

// ---- the frozen report ------------------------------------------------------

// The trials embedded as [number, status, score, seconds, reused, error,
// parameters (choices by index), metrics], decoded once.
function reportTrials() {
  if (frozen.decoded) return frozen.decoded;
  const np = frozen.summary.params.length;
  frozen.decoded = frozen.trials.map((r) => ({ number: r[0], status: r[1], score: r[2], seconds: r[3], reused: r[4] === 1,
    error: r[5], params: r.slice(6, 6 + np), metrics: r.slice(6 + np) }));
  frozen.byNumber = new Map(frozen.decoded.map((t) => [t.number, t]));
  return frozen.decoded;
}

// As the server's trial_json: a choice by its name, an int as an integer.
function trialJson(t) {
  const s = frozen.summary;
  const params = {}, metrics = {};
  s.params.forEach((p, i) => {
    const v = t.params[i];
    params[p.name] = v === null ? null : p.kind === "choice" ? (p.choices[v] ?? null) : p.kind === "int" ? Math.trunc(v) : v;
  });
  s.metrics.forEach((m, i) => { metrics[m] = t.metrics[i]; });
  return { number: t.number, status: t.status, score: t.score, params, metrics, error: t.error, seconds: t.seconds,
    reused: t.reused };
}

// A column's value of a trial as the server's filter and sort see it (NaN: none); undefined: no such column.
function columnOf(name) {
  const s = frozen.summary;
  const nan = (v) => (v === null ? NaN : v);
  if (name === "number") return (t) => t.number;
  if (name === "score") return (t) => nan(t.score);
  if (name === "seconds") return (t) => t.seconds;
  const p = s.params.findIndex((q) => q.name === name);
  if (p >= 0) return (t) => nan(t.params[p]);
  const m = s.metrics.indexOf(name);
  if (m >= 0) return (t) => nan(t.metrics[m]);
  return undefined;
}

function noColumn(what, name) {
  return new Error(`${what}: no column '${name}' (columns: ${frozen.summary.columns.join(", ")})`);
}

// The table filter without a server: numbers, columns, ( ), unary -, ^ * / + -,
// comparisons, && and || — what muparser reads on the server, parsed here into
// closures (nothing typed runs as script). A comparison with NaN is false.
function compileFilter(text) {
  const tokens = [];
  const pattern = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(&&|\|\||<=|>=|==|!=|[-+*\/^()<>]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (!m) throw new Error(`filter '${text}': cannot read '${text.slice(at).trim()}' (columns: ${frozen.summary.columns.join(", ")})`);
    tokens.push(m[1] !== undefined ? { num: Number(m[1]) } : m[2] !== undefined ? { name: m[2] } : { op: m[3] });
    at = pattern.lastIndex;
  }
  let i = 0;
  const peek = (op) => tokens[i] && tokens[i].op === op;
  const fail = (what) => new Error(`filter '${text}': ${what}`);
  const truth = (v) => v !== 0; // as C++: NaN is true
  const binary = (next, ops, apply) => () => {
    let left = next();
    while (tokens[i] && ops.includes(tokens[i].op)) {
      const op = tokens[i++].op, a = left, b = next();
      left = (t) => apply(op, a(t), b(t));
    }
    return left;
  };
  const atom = () => {
    const token = tokens[i++];
    if (!token) throw fail("it ends too early");
    if (token.num !== undefined) return () => token.num;
    if (token.name !== undefined) {
      const column = columnOf(token.name);
      if (!column) throw noColumn(`filter '${text}'`, token.name);
      return column;
    }
    if (token.op === "(") {
      const inner = or();
      if (!peek(")")) throw fail("a ( is not closed");
      i++;
      return inner;
    }
    if (token.op === "-") { const a = unary(); return (t) => -a(t); }
    throw fail(`unexpected '${token.op}'`);
  };
  const power = () => {
    const base = atom();
    if (!peek("^")) return base;
    i++;
    const exponent = unary();
    return (t) => base(t) ** exponent(t);
  };
  const unary = () => (peek("-") ? (i++, ((a) => (t) => -a(t))(unary())) : power());
  const product = binary(unary, ["*", "/"], (op, a, b) => (op === "*" ? a * b : a / b));
  const sum = binary(product, ["+", "-"], (op, a, b) => (op === "+" ? a + b : a - b));
  const compare = binary(sum, ["<", ">", "<=", ">=", "==", "!="], (op, a, b) => Number(
    op === "<" ? a < b : op === ">" ? a > b : op === "<=" ? a <= b : op === ">=" ? a >= b : op === "==" ? a === b : a !== b));
  const and = binary(compare, ["&&"], (op, a, b) => Number(truth(a) && truth(b)));
  const or = binary(and, ["||"], (op, a, b) => Number(truth(a) || truth(b)));
  if (!tokens.length) return () => true;
  const whole = or();
  if (i < tokens.length) throw fail(`unexpected '${tokens[i].op || tokens[i].name || tokens[i].num}'`);
  return (t) => truth(whole(t));
}

function frozenTable(q) {
  const trials = reportTrials();
  const matches = compileFilter(q.filter || "");
  const key = columnOf(q.sort || "number");
  if (!key) throw noColumn("sort", q.sort);
  const descending = q.order === "desc";
  const rows = [];
  trials.forEach((t, index) => { if (matches(t)) rows.push(index); });
  rows.sort((a, b) => { // NaN last either way, ties in trial order: as the server
    const va = key(trials[a]), vb = key(trials[b]);
    if (Number.isNaN(va) || Number.isNaN(vb) || va === vb)
      return Number.isNaN(va) === Number.isNaN(vb) ? a - b : Number.isNaN(va) ? 1 : -1;
    return (descending ? va > vb : va < vb) ? -1 : 1;
  });
  const offset = Number(q.offset || 0), limit = Math.min(Number(q.limit || 50), 500);
  return { matched: rows.length, total: trials.length, offset,
    rows: rows.slice(offset, offset + limit).map((index) => trialJson(trials[index])) };
}

// Another metric's value in the cell of the trial it names (the cell's best by the objective).
function valueOf(metric, number) {
  if (metric === "score" || number === null) return undefined;
  const column = columnOf(metric);
  if (!column) throw noColumn("heatmap", metric);
  reportTrials();
  const v = column(frozen.byNumber.get(number));
  return Number.isNaN(v) ? null : v;
}

function frozenHeatmap(x, y, metric) {
  if (x === y) throw new Error("heatmap: choose two different parameters");
  const straight = frozen.heatmaps[`${x}\n${y}`], turned = frozen.heatmaps[`${y}\n${x}`];
  const h = straight || turned;
  if (!h) throw new Error(`heatmap: no parameter '${frozen.summary.params.some((p) => p.name === x) ? y : x}'`);
  const cells = h.cells.map(([cx, cy, value, cellState, count, number]) => {
    const v = valueOf(metric, number);
    return [straight ? cx : cy, straight ? cy : cx, v === undefined ? value : v, cellState, count, number];
  });
  if (!straight) cells.sort((a, b) => a[1] - b[1] || a[0] - b[0]); // rows of y, as the server lists them
  return { x: straight ? h.x : h.y, y: straight ? h.y : h.x, metric, cells,
    best: h.best && (straight ? h.best : [h.best[1], h.best[0]]) };
}

function frozenSlices(metric) {
  const sl = frozen.slices;
  return { metric, params: sl.params.map((p) => ({ ...p, points: p.points.map(([at, value, ok, failed, cancelled, number]) => {
    const v = valueOf(metric, number);
    return [at, v === undefined ? value : v, ok, failed, cancelled, number];
  }) })) };
}

function frozenAnswer(path, params) {
  switch (path) {
  case "runs": case "summary": case "convergence": case "provenance": case "best":
    return frozen[path];
  case "slices": return frozenSlices(params.metric || "score");
  case "heatmap": return frozenHeatmap(params.x, params.y, params.metric || "score");
  case "table": return frozenTable(params);
  case "trial": {
    reportTrials();
    const t = frozen.byNumber.get(Number(params.number));
    if (!t) throw new Error(`the report has no trial ${params.number}`);
    return trialJson(t);
  }
  case "equity": {
    const e = frozen.equity || { missing: "the report holds none" };
    if (e.missing) throw new Error(e.missing);
    if (e.number !== Number(params.number))
      throw new Error(`the report holds the equity curve of the best trial (${e.number}) only; the dashboard draws any trial's`);
    return e;
  }
  default: throw new Error(`the report holds no ${path}`);
  }
}

function startFrozen() {
  document.title = "btopt report";
  document.querySelector("h1 .dim").textContent = "report";
  $("live").textContent = `written ${new Date(frozen.written * 1000).toISOString().replace("T", " ").slice(0, 16)} UTC, not live`;
  if (frozen.heatmap.x && frozen.heatmap.y) Object.assign(state.heatmap, frozen.heatmap);
  drawSelection();
  wire();
  refreshAll().then(() => { if (frozen.summary.best) openTrial(frozen.summary.best.number, false); });
}

function start() {
  if (frozen) { startFrozen(); return; }
  wire();
  refreshAll().finally(listen);
}

window.btoptDashboard = state; // for tests and the curious: the page's state, read-only by convention
start();
