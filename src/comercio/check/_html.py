"""The HTML of a check: the text with each figure marked by verdict, a side table, a legend.

The text is untrusted: every character of it, and of every reason, goes through :func:`html.escape`, so a
``<script>`` in the input is printed, never run. The fragment uses classes only (no ``style`` attribute), so
the dashboard can show it under a ``style-src 'self'`` policy with :func:`comercio.check._style.stylesheet`
served as a file; the standalone page inlines that stylesheet and needs nothing else.
"""

from __future__ import annotations

import re
from html import escape

from comercio.check._describe import (
    OUTCOMES,
    SYMBOLS,
    Row,
    datasets_text,
    published_text,
    rows,
    source_text,
)
from comercio.check._style import stylesheet
from comercio.check.model import CheckReport
from comercio.i18n import Messages

_PARAGRAPH = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _h(level: int, text: str, cls: str = "ck-section") -> str:
    return f'<h{level} class="{cls}">{_e(text)}</h{level}>'


def _plain(text: str) -> str:
    """A stretch of the text between figures: escaped, blank lines ending a paragraph, line breaks kept."""
    parts = _PARAGRAPH.split(text)
    return "</p>\n<p>".join(_e(p).replace("\n", "<br>\n") for p in parts)


def _tip(row: Row, msg: Messages) -> list[str]:
    """The lines of a figure's tooltip: the verdict, the computed value, the variant, the reason."""
    lines = [row.label]
    if row.computed:
        lines.append(msg("check.html.computed", value=row.computed))
    if row.variant:
        lines.append(msg("check.html.variant", variant=row.variant))
    if row.reason:
        lines.append(row.reason)
    return lines


def _mark(row: Row, printed: str, msg: Messages) -> str:
    """One figure of the text, marked: its verdict as class, symbol and hidden words; linked to its row."""
    n, tip = row.n, _tip(row, msg)
    link = f'<a href="#ck-row-{n}" aria-describedby="ck-tip-{n}">{_e(printed)}</a>'
    tag = (
        f'<sup><span aria-hidden="true">{n}{_e(row.symbol)}</span>'
        f'<span class="ck-sr"> ({_e(row.label)})</span></sup>'
    )
    body = "".join(f"<span>{_e(line)}</span>" for line in tip)
    return (
        f'<mark class="ck-mark v-{row.outcome}" id="ck-fig-{n}" title="{_e(" — ".join(tip))}">'
        f'{link}{tag}<span class="ck-tip" role="tooltip" id="ck-tip-{n}">{body}</span></mark>'
    )


def _prose(report: CheckReport, all_rows: list[Row], msg: Messages) -> str:
    """The input text as paragraphs, each figure wrapped in its mark (overlapping spans: the first wins)."""
    text = report.text
    if not text.strip():
        return f'<p class="ck-empty">{_e(msg("check.empty.text"))}</p>'
    pieces: list[str] = []
    pos = 0
    for row in sorted(all_rows, key=lambda r: r.span):
        start, end = row.span
        if start < pos or end > len(text) or start >= end:
            continue
        pieces += [_plain(text[pos:start]), _mark(row, text[start:end], msg)]
        pos = end
    pieces.append(_plain(text[pos:].rstrip()))
    body = "<p>" + "".join(pieces).lstrip() + "</p>"
    return body.replace("<p></p>\n", "").replace("\n<p></p>", "")


def _symbol(outcome: str) -> str:
    """The verdict's symbol and a space, hidden from screen readers (they read its name); none for periods."""
    symbol = SYMBOLS[outcome]
    return f'<span aria-hidden="true">{_e(symbol)}</span> ' if symbol else ""


def _badge(row: Row) -> str:
    return f'<span class="ck-badge v-{row.outcome}">{_symbol(row.outcome)}{_e(row.label)}</span>'


def _number_cell(row: Row, msg: Messages) -> str:
    back = _e(msg("check.html.to_text"))
    return f'<td><a href="#ck-fig-{row.n}" title="{back}" aria-label="{row.n}: {back}">{row.n}</a></td>'


def _table(head: list[str], body: list[str], caption: str) -> str:
    cols = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    return (
        f'<div class="ck-scroll"><table><caption class="ck-sr">{_e(caption)}</caption>'
        f"<thead><tr>{cols}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table></div>"
    )


def _claims(all_rows: list[Row], msg: Messages, sub: int) -> str:
    """The table of claims; the computed value and variant columns only when some claim has one."""
    rows_ = [r for r in all_rows if r.is_claim]
    title = msg("check.section.claims")
    if not rows_:
        return f'{_h(sub, title)}<p class="ck-empty">{_e(msg("check.empty.claims"))}</p>'
    computed, variant = any(r.computed for r in rows_), any(r.variant for r in rows_)
    cols = ["n", "printed", "about", *(["computed"] if computed else []), "verdict"]
    cols += [*(["variant"] if variant else []), "reason"]
    body = []
    for r in rows_:
        cells = [
            _number_cell(r, msg),
            f'<td class="ck-printed">{_e(r.printed)}</td>',
            f'<td class="ck-about">{_e(r.about)}</td>',
            f'<td class="ck-num">{_e(r.computed)}</td>' if computed else "",
            f"<td>{_badge(r)}</td>",
            f"<td>{_e(r.variant)}</td>" if variant else "",
            f'<td class="ck-reason">{_e(r.reason)}</td>',
        ]
        body.append(f'<tr id="ck-row-{r.n}">{"".join(cells)}</tr>')
    return _h(sub, title) + _table([msg(f"check.column.{c}") for c in cols], body, title)


def _skipped(all_rows: list[Row], msg: Messages, sub: int) -> str:
    rows_ = [r for r in all_rows if not r.is_claim]
    title = msg("check.section.skipped")
    if not rows_:
        return f'{_h(sub, title)}<p class="ck-empty">{_e(msg("check.empty.skipped"))}</p>'
    head = [msg(f"check.column.{h}") for h in ("n", "printed", "kind", "reason")]
    body = [
        f'<tr id="ck-row-{r.n}">{_number_cell(r, msg)}<td class="ck-printed">{_e(r.printed)}</td>'
        f'<td>{_badge(r)}</td><td class="ck-reason">{_e(r.reason)}</td></tr>'
        for r in rows_
    ]
    return _h(sub, title) + _table(head, body, title)


def _header(report: CheckReport, lang: str, msg: Messages, level: int) -> str:
    out = [_h(level, msg("check.title_source", source=source_text(report, lang)), "ck-title")]
    if report.synthetic:
        out.append(f'<p class="ck-synthetic" role="alert">{_e(msg("check.synthetic.notice"))}</p>')
    out.append(f'<p class="ck-intro">{_e(msg("check.intro"))}</p>')
    data = datasets_text(report, lang) or [msg("check.meta.no_data")]
    out.append(
        '<dl class="ck-meta">'
        f"<dt>{_e(msg('check.meta.published'))}</dt><dd>{_e(published_text(report, lang))}</dd>"
        f"<dt>{_e(msg('check.meta.data'))}</dt><dd>{'<br>'.join(_e(d) for d in data)}</dd></dl>"
    )
    counts = report.counts
    items = "".join(
        f'<li class="v-{o}">{_symbol(o)}{_e(msg(f"check.verdict.{o}"))} <strong>{counts[o]}</strong></li>'
        for o in OUTCOMES
    )
    out.append(f'<ul class="ck-counts" aria-label="{_e(msg("check.meta.counts"))}">{items}</ul>')
    return "\n".join(out)


def _legend(msg: Messages, sub: int) -> str:
    items = "".join(
        f'<dt><span class="ck-badge v-{o}">{_symbol(o)}{_e(msg(f"check.verdict.{o}"))}</span></dt>'
        f"<dd>{_e(msg(f'check.definition.{o}'))}</dd>"
        for o in OUTCOMES
    )
    return f'<section class="ck-legend">{_h(sub, msg("check.section.legend"))}<dl>{items}</dl></section>'


def html_fragment(report: CheckReport, lang: str = "es", *, level: int = 2) -> str:
    """The check as one ``<article class="ck-report">`` for a page that has its own ``<h1>``: the title is
    a heading of ``level`` (2 by default), its sections one below (CSS: :func:`stylesheet`)."""
    if not 1 <= level <= 5:
        raise ValueError(f"heading level must be 1-5, got {level}")
    msg = Messages(lang)
    all_rows = rows(report, lang)
    sub = level + 1
    side = f"{_claims(all_rows, msg, sub)}\n{_skipped(all_rows, msg, sub)}"
    return (
        f'<article class="ck-report" lang="{_e(lang)}">\n{_header(report, lang, msg, level)}\n'
        '<div class="ck-body">\n'
        f'<section class="ck-text">{_h(sub, msg("check.section.text"))}\n'
        f'<div class="ck-prose">\n{_prose(report, all_rows, msg)}\n</div></section>\n'
        f'<section class="ck-side">\n{side}\n</section>\n'
        f"</div>\n{_legend(msg, sub)}\n</article>"
    )


def html_page(report: CheckReport, lang: str = "es") -> str:
    """A standalone HTML page of the check: the fragment with its stylesheet inlined, no external assets."""
    msg = Messages(lang)
    title = msg("check.title_source", source=source_text(report, lang))
    return (
        f'<!doctype html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\nbody {{ margin: 0; padding: 1rem; }}\n{stylesheet()}</style>\n"
        f"</head>\n<body>\n<main>\n{html_fragment(report, lang, level=1)}\n</main>\n</body>\n</html>\n"
    )
