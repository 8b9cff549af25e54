"""Downloads of the explorer's current view: CSV (same rows as the API), XLSX and PDF.

The CSV is byte-for-byte the API's ``format=csv`` answer for the same spec, so a number downloaded from the
dashboard always matches the API. XLSX carries the same columns as numbers; the PDF is the formatted table
and the map, printed by WeasyPrint from HTML (the optional ``pdf`` extra).
"""

from __future__ import annotations

import base64
import io
from urllib.parse import urlencode

from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from comercio.api.routes import INDICATOR_COLUMNS, csv_response
from comercio.api.service import Result
from comercio.errors import ReportError
from comercio.indicators.specs import Spec
from comercio.reports.fmt import Formatter
from comercio.web import TEMPLATES_DIR
from comercio.web.i18n import strings
from comercio.web.views import Figure, fmt_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def query(spec: Spec, lang: str) -> str:
    """The explorer/API query string of a spec (the parameters the explorer exposes)."""
    w = spec.window
    params = {
        "window": w.kind,
        "end": f"{w.end.year:04d}-{w.end.month:02d}",
        "flow": spec.filters.flow,
        "grouping": spec.grouping.dimension,
        "lang": lang,
    }
    if spec.filters.basket_path:
        params["basket_path"] = spec.filters.basket_path
    return urlencode(params)


def _name(result: Result, ext: str) -> str:
    w = result.spec.window
    return f"comercio_{result.spec.grouping.dimension}_{w.kind}_{w.end.year:04d}-{w.end.month:02d}.{ext}"


def xlsx_bytes(result: Result, lang: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "indicadores" if lang == "es" else "indicators"
    ws.append(list(INDICATOR_COLUMNS))
    for r in result.rows(lang):
        ws.append([r[c] for c in INDICATOR_COLUMNS])
    meta = wb.create_sheet("fuente" if lang == "es" else "source")
    meta.append(["dataset", result.dataset])
    meta.append(["vintages", ", ".join(result.vintages)])
    meta.append(["window", f"{result.spec.window.start} … {result.spec.window.end}"])
    meta.append(["units", "value/previous: USD; growth/share/contribution: fraction"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pdf_bytes(result: Result, lang: str, figure: Figure | None) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError as exc:  # the optional ``pdf`` extra
        raise ReportError("PDF downloads need WeasyPrint (pip install comercio[pdf])") from exc
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape())
    fmt = Formatter(lang)
    w = result.spec.window
    image = None
    if figure is not None:
        image = "data:image/svg+xml;base64," + base64.b64encode(figure.svg.encode()).decode()
    html = env.get_template("print.html").render(
        t=strings(lang),
        lang=lang,
        rows=[fmt_row(r, fmt) for r in result.rows(lang)],
        period=fmt.period(w.start, w.end),
        result=result,
        image=image,
        description=None if figure is None else figure.description,
    )
    out: bytes = HTML(string=html).write_pdf()
    return out


def respond(kind: str, result: Result, lang: str, figure: Figure | None = None) -> Response:
    if kind == "csv":
        return csv_response(result.rows(lang), _name(result, "csv"), INDICATOR_COLUMNS)
    if kind == "xlsx":
        body, media = xlsx_bytes(result, lang), XLSX
    else:
        body, media = pdf_bytes(result, lang, figure), "application/pdf"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{_name(result, kind)}"'},
    )
