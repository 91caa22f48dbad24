// The report's stylesheet, inlined into the page: system fonts, CSS variables
// for a light and a dark scheme, and the colours of the SVG charts.
#pragma once

namespace btopt::cli {

inline constexpr const char *report_css = R"css(
:root{--bg:#f4f5fa;--card:#fff;--ink:#18202f;--muted:#667085;--faint:#98a2b3;--line:#e6e8f0;--accent:#4f46e5;
--accent-soft:#eef0ff;--strategy:#4f46e5;--hold:#94a3b8;--bad:#d9363e;--bad-soft:#fde2e3;--good:#0f9f6e;
--shadow:0 1px 2px rgba(16,24,40,.05),0 4px 14px rgba(16,24,40,.06)}
@media (prefers-color-scheme:dark){:root{--bg:#0e1220;--card:#161b2b;--ink:#e7eaf3;--muted:#a0a9bd;--faint:#6b7488;
--line:#283047;--accent:#8f96ff;--accent-soft:#242a4d;--strategy:#8f96ff;--hold:#7b8498;--bad-soft:#4a2226;
--shadow:0 1px 2px rgba(0,0,0,.3)}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,"Noto Sans",sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1140px;margin:0 auto;padding:28px 24px 56px}
.hero{background:linear-gradient(125deg,#1e1b4b 0%,#3730a3 45%,#4f46e5 70%,#0891b2 100%);color:#fff;border-radius:20px;
padding:30px 34px 26px;box-shadow:0 10px 30px rgba(55,48,163,.25);position:relative;overflow:hidden}
.hero:after{content:"";position:absolute;right:-80px;top:-120px;width:360px;height:360px;border-radius:50%;
background:radial-gradient(closest-side,rgba(255,255,255,.18),rgba(255,255,255,0))}
.eyebrow{font-size:12px;letter-spacing:.14em;text-transform:uppercase;opacity:.75;margin:0 0 6px}
.hero h1{margin:0;font-size:32px;font-weight:700;letter-spacing:-.01em}
.hero h1 .version{font-size:16px;font-weight:500;opacity:.7;margin-left:8px}
.hero p.description{margin:6px 0 16px;opacity:.88;max-width:760px}
.pills{display:flex;flex-wrap:wrap;gap:8px}
.pill{background:rgba(255,255,255,.14);border:1px solid rgba(255,255,255,.22);border-radius:999px;padding:3px 12px;
font-size:13px}
.pill b{font-weight:600}
.pill.warn{background:#fbbf24;color:#3b2500;border-color:#fbbf24}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:14px;margin:20px 0 4px}
.kpi{background:var(--card);border-radius:14px;padding:14px 18px 16px;box-shadow:var(--shadow)}
.kpi .label{font-size:11.5px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted)}
.kpi .value{font-size:26px;font-weight:680;font-variant-numeric:tabular-nums;margin-top:2px;white-space:nowrap}
.kpi .sub{font-size:12.5px;color:var(--muted)}
.kpi.accent{background:linear-gradient(160deg,var(--accent-soft),var(--card) 70%)}
.kpi.accent .value{color:var(--accent)}
.card{background:var(--card);border-radius:16px;padding:22px 26px 24px;margin:18px 0;box-shadow:var(--shadow)}
.card h2{font-size:18px;margin:0 0 2px;font-weight:650}
.card p.lead{margin:0 0 14px;color:var(--muted);font-size:13.5px}
.columns{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:18px}
.columns .card{margin:0}
@media (max-width:860px){.columns{grid-template-columns:1fr}}
.chips{display:flex;flex-wrap:wrap;gap:10px;margin:6px 0 16px}
.chip{border:1px solid var(--line);border-radius:12px;padding:8px 14px;min-width:92px}
.chip .name{font-size:12px;color:var(--muted)}
.chip .val{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums}
dl.settings{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:8px 0 0;font-size:14px}
dl.settings dt{color:var(--muted)}
dl.settings dd{margin:0;overflow-wrap:anywhere}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--accent-soft);
padding:1px 6px;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}
th{text-align:right;font-weight:600;color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.03em;
padding:8px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
td{text-align:right;padding:7px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
th.left,td.left{text-align:left}
tbody tr:hover td{background:var(--accent-soft)}
tr.best td{background:var(--accent-soft);font-weight:600}
td.score{background:linear-gradient(90deg,var(--accent-soft) var(--w),transparent var(--w));font-weight:600}
tr.best td.score{background:linear-gradient(90deg,rgba(79,70,229,.22) var(--w),var(--accent-soft) var(--w))}
td.error{text-align:left;white-space:normal;color:var(--bad)}
.status{display:inline-block;border-radius:999px;padding:0 8px;font-size:12px;background:var(--bad-soft);color:var(--bad)}
.scroll{overflow-x:auto}
.note{border-left:3px solid var(--faint);padding:8px 14px;color:var(--muted);background:var(--bg);border-radius:0 8px 8px 0}
.legend{display:flex;flex-wrap:wrap;gap:18px;font-size:13.5px;margin:0 0 8px}
.legend span:before{content:"";display:inline-block;width:18px;height:3px;border-radius:2px;vertical-align:middle;
margin-right:7px;background:var(--strategy)}
.legend span.hold:before{background:repeating-linear-gradient(90deg,var(--hold) 0 5px,transparent 5px 8px)}
.legend span.best:before{background:var(--accent)}
.legend span.dots:before{width:7px;height:7px;border-radius:50%;background:var(--faint)}
.legend b{font-variant-numeric:tabular-nums}
svg.chart{width:100%;height:auto;display:block;overflow:visible}
svg.heatmap{margin:4px auto 0}
svg text{font-family:inherit}
svg .tick{fill:var(--muted);font-size:11px;font-variant-numeric:tabular-nums}
svg .axis-title{fill:var(--ink);font-size:12.5px;font-weight:600}
svg .grid{stroke:var(--line);stroke-width:1}
svg .grid.minor{stroke-dasharray:2 4}
svg .axis{stroke:var(--faint);stroke-width:1}
svg .baseline{stroke:var(--faint);stroke-dasharray:3 3}
svg .line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg .line.strategy{stroke:var(--strategy);stroke-width:2.2}
svg .line.hold{stroke:var(--hold);stroke-dasharray:6 4;stroke-width:1.6}
svg .line.best{stroke:var(--accent);stroke-width:2.5}
svg .area{fill:var(--strategy);opacity:.09}
svg .dot{fill:var(--faint);opacity:.55}
svg .cell{stroke:var(--card);stroke-width:1;transition:opacity .1s}
svg .cell:hover{stroke:var(--ink);stroke-width:2}
svg .cell.empty,svg .cell-key.empty{fill:url(#hatch)}
svg .cell.failed,svg .cell-key.failed{fill:var(--bad-soft)}
svg .cell-key{stroke:var(--line)}
svg .hatch-bg{fill:var(--bg)}
svg .hatch-line{stroke:var(--line);stroke-width:3}
svg .cell-value{fill:#fff;font-size:11px;font-weight:600;pointer-events:none}
svg .cell-value.on-light{fill:#1b1f2a}
svg .best-ring{fill:none;stroke:var(--ink);stroke-width:2.5;pointer-events:none}
footer{color:var(--faint);font-size:12.5px;text-align:center;margin-top:28px}
)css";

} // namespace btopt::cli
