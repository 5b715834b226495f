// The report stylesheet, embedded so every report is one self-contained file.
// Canonical copy: site/theme/report.css (a test checks they are identical; regenerate this file from it).

public enum ReportCSS {
    public static let css = #"""
/* labrun lab report: light, readable on a phone, printable. Embedded in every report (no external files). */
:root {
  --fg: #1d1d1f; --muted: #6e6e73; --bg: #fff; --panel: #f6f8fa; --line: #e1e4e8;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --accent: #0969da;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main.lab { max-width: 54rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1, h2, h3 { line-height: 1.25; }
h1 { font-size: 1.9rem; margin: .2rem 0 .6rem; }
a { color: var(--accent); }
code, pre { font-family: var(--mono); font-size: .86rem; }
:not(pre) > code { background: var(--panel); padding: .1em .3em; border-radius: 4px; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.prose pre { background: var(--panel); padding: .75rem; border-radius: 6px; }
.prose table, .lab-table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
.prose table { display: block; max-width: 100%; overflow-x: auto; }
.prose td, .lab-table td { overflow-wrap: anywhere; }
.prose th, .prose td, .lab-table th, .lab-table td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; }
.lab-table th { background: var(--panel); }
.lab-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.lab-table caption { caption-side: top; text-align: left; color: var(--muted); font-size: .85rem; }
.lab-table-wrap { overflow-x: auto; max-width: 100%; }
.lab-header .slide { color: var(--muted); margin: 0; font-size: .9rem; letter-spacing: .03em; text-transform: uppercase; }
.status { display: inline-block; padding: .25rem .6rem; border-radius: 6px; font-weight: 600; font-size: .9rem; }
.status.pass { background: #dafbe1; color: var(--pass); }
.status.fail { background: #ffebe9; color: var(--fail); }
.lab-error { border-left: 4px solid var(--fail); background: #ffebe9; padding: .5rem .75rem; margin: 1rem 0; }

.cell { border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0; overflow: hidden; break-inside: avoid-page; }
.cell-head { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; padding: .3rem .75rem;
  background: var(--panel); border-bottom: 1px solid var(--line); font-size: .8rem; color: var(--muted); }
.cell-head .where { font-family: var(--mono); }
.cell-head .time { margin-left: auto; font-variant-numeric: tabular-nums; }
.badge { padding: .05rem .45rem; border-radius: 999px; font-weight: 600; font-size: .75rem; }
.badge.passed { background: #dafbe1; color: var(--pass); }
.badge.failed { background: #ffebe9; color: var(--fail); }
.badge.expected-failure { background: #fff8c5; color: var(--warn); }
.badge.not-run, .badge.skipped { background: #eaeef2; color: var(--muted); }
.cell.failed { border-color: #ff8182; }
.cell.not-run, .cell.skipped { opacity: .75; }

.code { padding: .6rem .75rem .6rem 0; background: #fbfcfd; }
.code .line { display: block; padding-left: .5rem; }
.code .line.err { background: #ffebe9; }
.code .ln::before { content: attr(data-ln); display: inline-block; width: 2.6rem; margin-right: .75rem;
  color: #afb8c1; text-align: right; user-select: none; }
.tok-keyword { color: #cf222e; }
.tok-string { color: #0a3069; }
.tok-comment { color: #6e7781; font-style: italic; }
.tok-number { color: #0550ae; }

.outputs { border-top: 1px solid var(--line); }
.out { padding: .5rem .75rem; }
.out + .out { border-top: 1px dashed var(--line); }
.out.stderr pre { color: #a40e26; }
.out pre.long { max-height: 28rem; overflow: auto; }
.out details > summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
.out .note { color: var(--warn); font-size: .85rem; margin: .3rem 0 0; }
.out.display figure { margin: 0; }
.out.display svg { max-width: 100%; height: auto; }
.out.progress { font-family: var(--mono); font-size: .85rem; color: var(--muted); }
.diag { padding: .5rem .75rem; font-family: var(--mono); font-size: .84rem; border-top: 1px solid var(--line); }
.diag.error { background: #fff5f5; color: var(--fail); }
.diag.warning { background: #fffbdd; color: var(--warn); }
.diag.note { color: var(--muted); }
.diag pre { color: var(--fg); margin-top: .25rem; }
.message { padding: .5rem .75rem; font-weight: 600; border-top: 1px solid var(--line); }
.message.failed { color: var(--fail); background: #fff5f5; }
.message.expected-failure { color: var(--warn); background: #fffbdd; }

.facts { margin-top: 2.5rem; border-top: 1px solid var(--line); padding-top: .75rem; font-size: .85rem; color: var(--muted); }
.facts dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; overflow-wrap: anywhere; }

@media (max-width: 600px) {
  body { font-size: 15px; }
  main.lab { padding: .75rem .6rem 2rem; }
  .code .ln::before { width: 1.8rem; margin-right: .4rem; }
  .facts dl { grid-template-columns: 1fr; }
}
@media print {
  body { font-size: 11pt; }
  main.lab { max-width: none; padding: 0; }
  .cell { break-inside: avoid; }
  pre, .out pre.long { white-space: pre-wrap; max-height: none; overflow: visible; }
  .code, .cell-head, .lab-table th { background: none; }
  a { color: inherit; text-decoration: none; }
}

"""#
}
