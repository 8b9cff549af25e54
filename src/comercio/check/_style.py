"""The stylesheet of the check's HTML (standalone page and dashboard fragment): every rule is scoped under
``.ck-report``, so the dashboard can serve it beside its own without either touching the other.

Verdict colours (background and a matching border) are never the only cue: each mark also carries its number
and symbol. Text colours keep a contrast of at least 4.5:1 on their backgrounds.
"""

from __future__ import annotations

STYLESHEET = """\
.ck-report { --ck-ink: #1a1a1a; --ck-muted: #555; --ck-line: #d0d7de; --ck-accent: #1f4e79;
  --ck-ok: #dcf5e3; --ck-ok-b: #1a7f37; --ck-close: #fff1c2; --ck-close-b: #9a6700;
  --ck-diff: #ffdcd8; --ck-diff-b: #cf222e; --ck-na: #e8e8e8; --ck-na-b: #6e7781;
  color: var(--ck-ink); font-family: system-ui, "DejaVu Sans", "Segoe UI", Roboto, sans-serif;
  line-height: 1.5; max-width: 1400px; margin: 0 auto; }
.ck-report * { box-sizing: border-box; }
.ck-report .ck-title { font-size: 1.5rem; margin: .25rem 0 .5rem; overflow-wrap: anywhere; }
.ck-report .ck-section { font-size: 1.15rem; margin: 1.25rem 0 .5rem; }
.ck-report a { color: var(--ck-accent); }
.ck-report :focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.ck-intro { color: var(--ck-muted); margin: 0 0 .75rem; }
.ck-synthetic { background: #fdecea; border: 2px solid #b3261e; color: #8c1d18; padding: .6rem 1rem;
  font-weight: 700; margin: .5rem 0 1rem; }
.ck-meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 .75rem; }
.ck-meta dt { font-weight: 700; }
.ck-meta dd { margin: 0; overflow-wrap: anywhere; }
.ck-counts { display: flex; flex-wrap: wrap; gap: .4rem; list-style: none; padding: 0; margin: 0 0 1rem; }
.ck-counts li { border-radius: 4px; padding: .2rem .6rem; border: 1px solid var(--ck-line); }
.ck-body { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 2rem; align-items: start; }
@media (min-width: 1100px) { .ck-body { grid-template-columns: minmax(20rem, 5fr) minmax(0, 8fr); }
  .ck-side { position: sticky; top: 0; max-height: 100vh; overflow-y: auto; } }
.ck-prose { font-size: 1.05rem; max-width: 46em; }
.ck-prose p { margin: 0 0 1em; overflow-wrap: anywhere; }
.ck-report mark, .ck-report .ck-badge { color: inherit; border-radius: 3px; border: 1px solid transparent; }
.ck-report mark { position: relative; padding: 0 .15em; }
.ck-report mark > a { color: inherit; text-decoration: none; }
@media (min-width: 600px) { .ck-report mark { white-space: nowrap; } }
.ck-report mark sup { font-size: .7em; font-weight: 700; margin-left: .15em; white-space: nowrap; }
.ck-report .v-consistent { background: var(--ck-ok); border-color: var(--ck-ok-b); }
.ck-report .v-close { background: var(--ck-close); border-color: var(--ck-close-b); }
.ck-report .v-differs { background: var(--ck-diff); border-color: var(--ck-diff-b); }
.ck-report .v-not_checkable { background: var(--ck-na); border-color: var(--ck-na-b); }
.ck-report .v-not_understood { background: transparent; border: 2px dotted var(--ck-ink); }
.ck-report .v-period { background: transparent; border-color: transparent; }
.ck-report mark.v-period { padding: 0; }
.ck-tip { display: none; position: absolute; left: 0; top: calc(100% + 4px); z-index: 20; width: max-content;
  max-width: min(24rem, 85vw); background: #fff; color: var(--ck-ink); border: 1px solid var(--ck-ink);
  border-radius: 4px; padding: .4rem .6rem; font-size: .85rem; font-weight: 400; line-height: 1.35;
  box-shadow: 0 2px 8px rgba(0, 0, 0, .2); white-space: normal; }
.ck-tip span { display: block; }
@media (max-width: 600px) { .ck-tip { position: fixed; left: .5rem; right: .5rem; top: auto; bottom: .5rem;
  width: auto; max-width: none; } }
.ck-report mark:hover .ck-tip, .ck-report mark:focus-within .ck-tip { display: block; }
.ck-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.ck-scroll { overflow-x: auto; max-width: 100%; }
.ck-report table { border-collapse: collapse; width: 100%; font-size: .85rem; }
.ck-report th, .ck-report td { padding: .3rem .45rem; border-bottom: 1px solid var(--ck-line);
  text-align: left; vertical-align: top; }
.ck-report thead th { background: #eef2f6; position: sticky; top: 0; }
.ck-report td.ck-num { white-space: nowrap; }
.ck-report td.ck-printed { min-width: 6em; }
.ck-report td.ck-about { min-width: 10em; }
.ck-report td.ck-reason { min-width: 12em; }
.ck-report .ck-badge { display: inline-block; padding: 0 .35em; white-space: nowrap; }
.ck-report tr:target { outline: 3px solid #f0a500; }
.ck-report mark:target { outline: 3px solid #f0a500; }
.ck-legend dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem .75rem; }
.ck-legend dt { white-space: nowrap; }
.ck-legend dd { margin: 0; }
.ck-empty { color: var(--ck-muted); }
@media print { .ck-tip { display: none !important; } .ck-side { position: static; max-height: none; } }
"""


def stylesheet() -> str:
    """The CSS of the check's HTML (for a ``<style>`` element or a static file)."""
    return STYLESHEET
