"""Self-contained HTML writer: inline CSS, figures as inline SVG (screen) or PNG data URIs (print/PDF).

The page needs no network, no CDN and no browser features beyond HTML and CSS: it opens offline from a file.
It is rendered by the one template environment (:func:`comercio.reports.templating.environment`).
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from comercio.reports.templating import environment
from comercio.reports.writers._model import Column, Report, cell_text


def css() -> Markup:
    """The report style sheet, marked safe: it is our own package file, and escaping it inside ``<style>``
    (raw text, where entities are not decoded) would break every quoted value (fonts, page numbers)."""
    return Markup(
        resources.files("comercio.reports").joinpath("templates/report.css").read_text(encoding="utf-8")
    )


def render_html(
    report: Report, figures: dict[str, Any], *, print_mode: bool = False, issued: date | None = None
) -> str:
    """The report as one HTML document; ``print_mode`` uses PNG images and the print layout (PDF), whose
    pages carry a running header (title, issue date: ``issued``, default today) and page numbers."""
    fmt = report.fmt
    day = issued or date.today()

    def cell(column: Column, value: Any) -> str:
        return cell_text(fmt, column, value)

    template = environment(report.lang).get_template("page.html.j2")
    return template.render(
        report=report,
        figures=figures,
        css=css(),
        print=print_mode,
        cell=cell,
        issued=fmt.date_long(day) if print_mode else None,
    )


def write(report: Report, out: Path, figures: dict[str, Any]) -> Path:
    path = Path(out) / f"{report.stem}.html"
    path.write_text(render_html(report, figures), encoding="utf-8")
    return path
