"""Markdown writer: prose, pipe tables formatted like the HTML, and links to the rendered figure PNGs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comercio.i18n import t
from comercio.reports.writers._model import Report, Table, cell_text, is_numeric


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_markdown(report: Report, table: Table) -> list[str]:
    fmt = report.fmt
    lines = [f"**{_escape(table.title)}**", ""]
    lines.append("| " + " | ".join(_escape(c.label) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if is_numeric(c) else ":---" for c in table.columns) + "|")
    for row in table.rows:
        cells = [cell_text(fmt, c, row.get(c.key)) if table.shown(c, row) else "" for c in table.columns]
        if table.kind(row) != "member":
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
    if table.note:
        lines += ["", f"_{_escape(table.note)}_"]
    return [*lines, ""]


def _left_out(report: Report) -> list[str]:
    """The sections the data could not support, listed once with what data would enable them."""
    left_out = report.omitted_sections()
    if not left_out:
        return []
    lines = [f"**{t('presentation.report.left_out', report.lang)}**", ""]
    return [*lines, *(f"- **{s.title}.** {' '.join(s.paragraphs)}" for s in left_out), ""]


def render_markdown(report: Report, figures: dict[str, Any] | None = None) -> str:
    figures = figures or {}
    lines: list[str] = []
    if report.synthetic_notice:
        lines += [f"> **{report.synthetic_notice}**", ""]
    lines += [f"# {report.title}", "", f"_{report.subtitle}_", ""]
    for section in report.body():
        lines += [f"## {section.title}", ""]
        lines += [x for p in section.paragraphs for x in (p, "")]
        if section.id == "methods":
            lines += _left_out(report)
        for fig in section.figures:
            rendered = figures.get(fig.id)
            if rendered is not None:
                lines += [f"![{_escape(fig.alt or fig.title)}]({Path(rendered.png).name})", ""]
        for table in section.tables:
            lines += table_markdown(report, table)
    if not any(s.id == "methods" for s in report.body()):
        lines += _left_out(report)
    lines += ["---", "", report.source, ""]
    return "\n".join(lines)


def write(report: Report, out: Path, figures: dict[str, Any] | None = None) -> Path:
    path = Path(out) / f"{report.stem}.md"
    path.write_text(render_markdown(report, figures), encoding="utf-8")
    return path
