"""Self-contained HTML writer: inline CSS, figures as inline SVG (screen) or PNG data URIs (print/PDF).

The page needs no network, no CDN and no browser features beyond HTML and CSS: it opens offline from a file.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from comercio.i18n import t
from comercio.reports.writers._model import Column, Report, cell_text

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>\s*", re.IGNORECASE)


def data_uri(path: Path, mime: str = "image/png") -> str:
    """The file as a ``data:`` URI (so the page carries its images)."""
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def svg_inline(svg: str, alt: str = "") -> Markup:
    """An SVG document as an inline element with an accessible label."""
    body = _XML_DECL.sub("", svg)
    label = f' role="img" aria-label="{escape(alt)}"' if alt else ""
    body = re.sub(r"<svg\b", f"<svg{label}", body, count=1)
    return Markup(body)  # SVG made by vl-convert from our own spec


@cache
def environment() -> Environment:
    """The one Jinja environment of the report page (HTML and PDF): ``t`` is the message catalogue."""
    env = Environment(
        loader=PackageLoader("comercio.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    env.filters["data_uri"] = data_uri
    env.filters["svg_inline"] = svg_inline
    env.globals["t"] = t
    return env


def css() -> str:
    return resources.files("comercio.reports").joinpath("templates/report.css").read_text(encoding="utf-8")


def render_html(report: Report, figures: dict[str, Any], *, print_mode: bool = False) -> str:
    """The report as one HTML document; ``print_mode`` uses PNG images and the print layout (PDF)."""
    fmt = report.fmt

    def cell(column: Column, value: Any) -> str:
        return cell_text(fmt, column, value)

    template = environment().get_template("page.html.j2")
    return template.render(report=report, figures=figures, css=css(), print=print_mode, cell=cell)


def write(report: Report, out: Path, figures: dict[str, Any]) -> Path:
    path = Path(out) / f"{report.stem}.html"
    path.write_text(render_html(report, figures), encoding="utf-8")
    return path
