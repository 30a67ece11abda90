// The live pool dashboard: one self-contained page (inline style, script and SVG; no request to any
// other host) that polls this edge's /pressure every 2 s and keeps its own history for the charts,
// so the server keeps no state for it. Everything the runners report is written with textContent.

const POLL_MS = 2_000
const HISTORY_POINTS = 150 // 5 minutes at one point per poll

export function dashboardPage(o: { token: string | undefined }): string {
  const config = JSON.stringify({ token: o.token ?? null, pollMs: POLL_MS, points: HISTORY_POINTS }).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>crawlfleet · pool</title>
<style>
:root{--bg:#0f1419;--card:#182029;--line:#2a3642;--text:#d8dee6;--dim:#8a97a5;--perm:#5aa9e6;--hot:#f08a4b;--cold:#7fc8a9;--warn:#e5c07b;--bad:#e06c75;--ok:#98c379}
*{box-sizing:border-box}body{margin:0;font:13px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:var(--bg);color:var(--text)}
header{display:flex;flex-wrap:wrap;gap:18px;align-items:baseline;padding:14px 20px;border-bottom:1px solid var(--line)}
h1{font-size:17px;margin:0 12px 0 0}h2{font-size:14px;margin:0}h3{font-size:12px;margin:10px 0 4px;color:var(--dim);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.stat b{font-size:16px;margin-left:4px}.dim{color:var(--dim)}.bad{color:var(--bad)}.ok{color:var(--ok)}.warn{color:var(--warn)}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px;padding:16px 20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.row{display:flex;flex-wrap:wrap;gap:14px;align-items:center}.pill{padding:1px 8px;border-radius:10px;font-size:11px;border:1px solid var(--line)}
.tiers span{display:inline-block;min-width:88px}.tiers i{display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:5px}
.bar{position:relative;height:12px;background:#0b1016;border-radius:3px;overflow:hidden;min-width:220px;flex:1}.bar>div{position:absolute;top:0;bottom:0;left:0}
.bar .gate{width:2px;background:var(--bad)}table{width:100%;border-collapse:collapse;font-size:12px}
th,td{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);white-space:nowrap}th{color:var(--dim);font-weight:600}
td.num,th.num{text-align:right}code{font-size:11px}.charts{display:grid;grid-template-columns:1fr 1fr;gap:10px}
svg{width:100%;height:70px;background:#0b1016;border-radius:4px}.legend{font-size:11px;color:var(--dim)}
#error{padding:8px 20px;color:var(--bad)}
</style></head>
<body>
<header>
  <h1>crawlfleet pool</h1>
  <span class="stat">runners<b id="t-runners">–</b></span>
  <span class="stat">permanent<b id="t-permanent">–</b></span><span class="stat">hot<b id="t-hot">–</b></span><span class="stat">cold<b id="t-cold">–</b></span>
  <span class="stat">pages<b id="t-pages">–</b></span><span class="stat">queued<b id="t-queued">–</b></span>
  <span class="dim" id="updated">waiting for the first answer…</span>
</header>
<div id="error" hidden></div>
<main id="runners"></main>
<script>
"use strict";
const CONFIG = ${config};
const history = new Map(); // runner id → [{t, mem, running, queued, slots, browsers}]
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === "class" ? (e.className = v) : e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
const svgEl = (tag, attrs) => {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const mib = (b) => (b == null ? "–" : (b / 1048576).toFixed(b < 1048576 * 10 ? 1 : 0) + " MiB");
const age = (ms) => { const s = Math.max(0, Math.round(ms / 1000)); return s < 90 ? s + " s" : s < 5400 ? Math.round(s / 60) + " min" : (s / 3600).toFixed(1) + " h"; };

/** A small line chart of the last minutes: one polyline per series, the y axis from 0 to the largest value (or max). */
function chart(points, series, max) {
  const svg = svgEl("svg", { viewBox: "0 0 300 70", preserveAspectRatio: "none", role: "img" });
  const top = Math.max(max ?? 0, 1, ...points.flatMap((p) => series.map((s) => s.pick(p) ?? 0)));
  for (const s of series) {
    // newest at the right edge; the window is the last CONFIG.points polls
    const xy = points.map((p, i) => [300 - ((points.length - 1 - i) / Math.max(1, CONFIG.points - 1)) * 300, 68 - ((s.pick(p) ?? 0) / top) * 64]);
    svg.append(svgEl("polyline", { points: xy.map((q) => q.map((n) => n.toFixed(1)).join(",")).join(" "), fill: "none", stroke: s.color, "stroke-width": "1.5", "vector-effect": "non-scaling-stroke" }));
  }
  return svg;
}

function runnerCard(r, points) {
  const card = el("section", { class: "card", "data-runner": r.id });
  if (!r.ok) {
    card.append(el("div", { class: "row" }, el("h2", {}, r.id), el("span", { class: "pill bad", "data-field": "state" }, "unreachable: " + r.error)));
    return card;
  }
  const p = r.pressure, pool = p.pool, plan = p.plan, mem = p.memory;
  const state = p.available ? el("span", { class: "pill ok", "data-field": "state" }, "available") : el("span", { class: "pill warn", "data-field": "state" }, "refusing: " + p.reason);
  card.append(el("div", { class: "row" }, el("h2", {}, p.runner), el("code", { class: "dim" }, r.id), state));

  const tiers = el("div", { class: "row tiers" });
  for (const [tier, color] of [["permanent", "var(--perm)"], ["hot", "var(--hot)"], ["cold", "var(--cold)"]]) {
    tiers.append(el("span", {}, el("i", { style: "background:" + color }), tier + " ", el("b", { "data-tier": tier }, pool[tier])));
  }
  tiers.append(el("span", { class: "dim" }, "launching ", el("b", { "data-field": "launching" }, pool.launching)), el("span", { class: "dim" }, "retired " + pool.retired));
  card.append(el("h3", {}, "browsers by tier"), tiers);

  const memBar = el("div", { class: "bar", title: "working set against the limit; red: the launch gate" });
  memBar.append(el("div", { style: "width:" + Math.min(100, mem.percent) + "%;background:" + (p.reason === "memory" ? "var(--bad)" : "var(--perm)") }));
  const slots = el("div", { class: "row" },
    el("span", {}, "pages ", el("b", { "data-field": "running" }, pool.running), " / ", el("b", { "data-field": "page-slots" }, plan.pageSlots), " slots"),
    el("span", {}, "queue ", el("b", { "data-field": "queued" }, pool.queued), " / " + plan.maxQueued),
    el("span", { class: "dim" }, "leased " + pool.leased + " · spares " + pool.spares + " · max browsers " + plan.maxBrowsers),
    el("span", { class: "dim" }, "cpu " + (p.cpu.percent == null ? "–" : p.cpu.percent + " %") + " of " + p.cpu.cores + " cores"));
  card.append(el("h3", {}, "page slots and queue"), slots);
  card.append(el("h3", {}, "memory"), el("div", { class: "row" }, memBar, el("span", { "data-field": "memory" }, mib(mem.used) + " of " + mib(mem.limit) + " (" + mem.percent + " %)")));

  const charts = el("div", { class: "charts" }), now = points[points.length - 1] || {};
  charts.append(
    el("div", {}, chart(points, [{ pick: (q) => q.mem, color: "var(--perm)" }], 100), el("div", { class: "legend" }, "memory %, of 100: " + now.mem)),
    el("div", {}, chart(points, [{ pick: (q) => q.slots, color: "var(--dim)" }, { pick: (q) => q.running, color: "var(--ok)" }, { pick: (q) => q.queued, color: "var(--warn)" }]), el("div", { class: "legend" }, "pages running (green) " + now.running + ", queued (yellow) " + now.queued + ", slots (grey) " + now.slots)),
    el("div", {}, chart(points, [{ pick: (q) => q.browsers, color: "var(--hot)" }]), el("div", { class: "legend" }, "browsers open: " + now.browsers)),
    el("div", {}, chart(points, [{ pick: (q) => q.refusals, color: "var(--bad)" }]), el("div", { class: "legend" }, "refusals per poll: " + now.refusals)));
  card.append(el("h3", {}, "last " + Math.round((CONFIG.points * CONFIG.pollMs) / 60000) + " minutes"), charts);

  const c = p.counters, refusals = Object.entries(c.refusals || {}).filter(([, n]) => n > 0);
  card.append(el("h3", {}, "counters"), el("div", { class: "row dim" },
    ...[["hits", c.hits], ["misses", c.misses], ["launches", c.launches], ["promotions", c.promotions], ["evictions", c.evictions], ["crashes", c.crashes]].map(([k, n]) => el("span", {}, k + " " + n)),
    el("span", { "data-field": "refusals", class: refusals.length ? "bad" : "" }, "refusals: " + (refusals.length ? refusals.map(([k, n]) => k + " " + n).join(", ") : "none"))));
  if (p.jobs) card.append(el("div", { class: "row dim" }, "jobs: " + p.jobs.pending + " pending, " + p.jobs.processing + " processing, " + p.jobs.finished + " kept (" + mib(p.jobs.bytes) + " of " + mib(p.jobs.maxBytes) + ")"));

  const table = el("table", { "data-field": "browsers" }, el("tr", {}, ...["id", "tier", "state", "signature", "age", "uses", "pages", "leases", "memory"].map((h, i) => el("th", { class: i > 3 ? "num" : "" }, h))));
  for (const b of pool.browsers) {
    table.append(el("tr", { "data-browser": b.id },
      el("td", {}, b.id), el("td", {}, b.tier), el("td", {}, b.state), el("td", {}, el("code", {}, b.signature)),
      el("td", { class: "num" }, age(p.nowMs - b.launchedAtMs)), el("td", { class: "num" }, b.uses), el("td", { class: "num" }, b.pagesServed),
      el("td", { class: "num" }, b.leases), el("td", { class: "num" }, mib(b.memoryBytes))));
  }
  card.append(el("h3", {}, "browsers"), table);
  return card;
}

function render(data) {
  const t = data.totals;
  document.getElementById("t-runners").textContent = t.answering + "/" + t.runners;
  document.getElementById("t-permanent").textContent = t.browsers.permanent;
  document.getElementById("t-hot").textContent = t.browsers.hot;
  document.getElementById("t-cold").textContent = t.browsers.cold;
  document.getElementById("t-pages").textContent = t.running + "/" + t.page_slots;
  document.getElementById("t-queued").textContent = t.queued;
  const main = document.getElementById("runners");
  main.replaceChildren(...data.runners.map((r) => {
    const points = history.get(r.id) || [];
    if (r.ok) {
      const p = r.pressure, last = points[points.length - 1], refusals = Object.values(p.counters.refusals || {}).reduce((a, b) => a + b, 0);
      points.push({ mem: p.memory.percent, running: p.pool.running, queued: p.pool.queued, slots: p.plan.pageSlots, browsers: p.pool.permanent + p.pool.hot + p.pool.cold, refusals: last ? Math.max(0, refusals - last.refusalsTotal) : 0, refusalsTotal: refusals });
      if (points.length > CONFIG.points) points.shift();
      history.set(r.id, points);
    }
    return runnerCard(r, points);
  }));
  document.getElementById("updated").textContent = "updated " + new Date(data.at).toLocaleTimeString();
  document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
}

async function poll() {
  const error = document.getElementById("error");
  try {
    const res = await fetch("/pressure" + (CONFIG.token ? "?token=" + encodeURIComponent(CONFIG.token) : ""), { cache: "no-store" });
    if (res.status === 401 || res.status === 403) throw new Error("not allowed (" + res.status + "): the link has expired; ask GET /dashboard/link for a new one");
    if (!res.ok) throw new Error("/pressure answered " + res.status);
    render(await res.json());
    error.hidden = true;
  } catch (err) {
    error.textContent = String(err.message || err);
    error.hidden = false;
  } finally {
    setTimeout(poll, CONFIG.pollMs);
  }
}
poll();
</script>
</body></html>`
}
