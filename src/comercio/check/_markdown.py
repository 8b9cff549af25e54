"""The Markdown of a check: where the text came from, the data used, the outcome, the tables of figures."""

from __future__ import annotations

import re

from comercio.check._describe import (
    OUTCOMES,
    datasets_text,
    published_text,
    rows,
    source_text,
)
from comercio.check.model import CheckReport
from comercio.i18n import Messages


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no line break, pipes escaped, no raw HTML."""
    text = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", text).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _table(head: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in body]
    return lines


def markdown(report: CheckReport, lang: str) -> str:
    """The check as a Markdown document."""
    msg = Messages(lang)
    out = [f"# {msg('check.title_source', source=_cell(source_text(report, lang)))}", ""]
    if report.synthetic:
        out += [f"> **{msg('check.synthetic.notice')}**", ""]
    data = datasets_text(report, lang) or [msg("check.meta.no_data")]
    out += [
        f"- {msg('check.meta.published')}: {published_text(report, lang)}",
        f"- {msg('check.meta.data')}: {'; '.join(data)}",
        "",
        f"## {msg('check.section.summary')}",
        "",
    ]
    counts = report.counts
    out += _table(
        [msg("check.column.verdict"), msg("check.column.count")],
        [[f"{msg(f'check.verdict.{o}')}", str(counts[o])] for o in OUTCOMES],
    )
    all_rows = rows(report, lang)
    claims = [r for r in all_rows if r.is_claim]
    skipped = [r for r in all_rows if not r.is_claim]
    out += ["", f"## {msg('check.section.claims')}", ""]
    if claims:
        head = ["n", "printed", "about", "computed", "verdict", "variant", "reason"]
        out += _table(
            [msg(f"check.column.{h}") for h in head],
            [
                [str(r.n), r.printed, r.about, r.computed, f"{r.symbol} {r.label}", r.variant, r.reason]
                for r in claims
            ],
        )
    else:
        out.append(msg("check.empty.claims"))
    out += ["", f"## {msg('check.section.skipped')}", ""]
    if skipped:
        head = ["n", "printed", "kind", "reason"]
        out += _table(
            [msg(f"check.column.{h}") for h in head],
            [[str(r.n), r.printed, f"{r.symbol} {r.label}".strip(), r.reason] for r in skipped],
        )
    else:
        out.append(msg("check.empty.skipped"))
    out += ["", f"## {msg('check.section.legend')}", ""]
    out += [f"- **{msg(f'check.verdict.{o}')}**: {msg(f'check.definition.{o}')}." for o in OUTCOMES]
    return "\n".join(out) + "\n"
