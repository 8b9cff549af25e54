"""Writers of a :class:`Report` to HTML, PDF, XLSX, Markdown and JSON (shared by every report kind).

:func:`write_report` renders the figures once (PNG and SVG through vl-convert: no browser, no network) and
hands them to each writer; every writer returns the files it wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path

from comercio.errors import ReportError
from comercio.reports.writers._figures import RenderedFigure, render_figures
from comercio.reports.writers._model import (
    FORMATS,
    ROW_KIND,
    Column,
    ColumnKind,
    Figure,
    Report,
    Section,
    Table,
    cell_text,
)
from comercio.reports.writers._renderer import FIGURE_FORMATS, Renderer, take


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,pdf"`` or an iterable of names → validated tuple (``markdown`` is accepted for ``md``)."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for raw in items:
        name = raw.strip().lower()
        name = "md" if name == "markdown" else name
        if not name:
            continue
        if name not in FORMATS:
            raise ReportError(
                f"unknown report format {raw!r}; use any of {', '.join(FORMATS)}", field="format"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise ReportError("no report format given", field="format", hint=f"use any of {', '.join(FORMATS)}")
    return tuple(out)


def write_report(report: Report, formats: str | Iterable[str], out: Path) -> list[Path]:
    """Write ``report`` in each of ``formats`` into directory ``out`` (created) and return the files.

    Only the writers asked for are imported (openpyxl, WeasyPrint and the chart renderer are not cheap). The
    PDF goes first, so that its page previews (a ``pdftoppm`` process) are drawn while the other formats are
    written; the files are listed in the order of ``formats`` all the same.
    """
    wanted = parse_formats(formats)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    renderer = take()
    if renderer is not None:
        try:
            if FIGURE_FORMATS & set(wanted):
                return _write_rendered(renderer, report, wanted, out)
        finally:
            renderer.close()
    figures = render_figures(report, out) if FIGURE_FORMATS & set(wanted) else {}
    written: dict[str, list[Path]] = {}
    previews: Callable[[], list[Path]] = list
    if "pdf" in wanted:
        from comercio.reports.writers import pdf

        path, pages = pdf.render(report, out, figures)
        written["pdf"] = [path]
        previews = pdf.start_previews(path, pages=pages)
    try:
        _write_others(report, wanted, out, figures, written)
    except BaseException:
        with contextlib.suppress(Exception):
            previews()  # no pdftoppm left writing after the error is reported
        raise
    if "pdf" in written:
        written["pdf"].extend(previews())
    return [path for name in wanted for path in written[name]]


def _write_rendered(renderer: Renderer, report: Report, wanted: tuple[str, ...], out: Path) -> list[Path]:
    """:func:`write_report` with the figures and the PDF drawn by the renderer's processes
    (:mod:`._renderer`): JSON and XLSX are written while they draw, HTML and Markdown
    while the PDF is laid out."""
    renderer.send(report, out)
    written: dict[str, list[Path]] = {}
    _write_others(report, tuple(n for n in wanted if n not in FIGURE_FORMATS), out, {}, written)
    figures = renderer.figures()
    if "pdf" in wanted:
        renderer.start_pdf(figures)
    _write_others(report, tuple(n for n in wanted if n in {"html", "md"}), out, figures, written)
    if "pdf" in wanted:
        from comercio.reports.writers import pdf

        path, pages = renderer.pdf()
        written["pdf"] = [path, *pdf.page_previews(path, pages=pages)]
    return [path for name in wanted for path in written[name]]


def _write_others(
    report: Report,
    wanted: tuple[str, ...],
    out: Path,
    figures: dict[str, RenderedFigure],
    written: dict[str, list[Path]],
) -> None:
    """Every format of ``wanted`` but the PDF, into ``written`` (format → files)."""
    for name in wanted:
        if name == "html":
            from comercio.reports.writers import html

            written[name] = [html.write(report, out, figures)]
        elif name == "xlsx":
            from comercio.reports.writers import xlsx

            written[name] = [xlsx.write(report, out)]
        elif name == "md":
            from comercio.reports.writers import markdown

            written[name] = [markdown.write(report, out, figures)]
        elif name == "json":
            from comercio.reports.writers import json

            written[name] = [json.write(report, out)]


__all__ = [
    "FORMATS",
    "ROW_KIND",
    "Column",
    "ColumnKind",
    "Figure",
    "RenderedFigure",
    "Report",
    "Section",
    "Table",
    "cell_text",
    "parse_formats",
    "render_figures",
    "write_report",
]
