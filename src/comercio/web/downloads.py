"""Downloads of the explorer's current view for analysts (CSV, XLSX, PDF) and the list of written reports.

The API's CSV is for machines (codes, US$ and fractions, English column names); the dashboard's downloads
are for analysts: column names in the page's language with their unit, values in US$ millions and
percentages (rounded to what the figures print, no float noise), the same rows and order as the API. XLSX
and PDF are the reports' own writers (:mod:`comercio.reports.writers`) on a one-section report: the table
(and, in the PDF, the map), numbers stored as numbers with a display format and codes as text; WeasyPrint
is the optional ``pdf`` extra.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import Response

from comercio.i18n import t
from comercio.indicators.facts import family
from comercio.indicators.specs import Spec
from comercio.reference import dimensions
from comercio.reports import writers
from comercio.reports.fmt import Formatter
from comercio.service import ROW_FAMILIES, Result, csv_text
from comercio.web.views import Figure, source

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
COLUMN_KINDS: dict[str, writers.ColumnKind] = {
    "value": "millions",
    "growth": "pct_signed",
    "share": "pct",
    "contribution": "pp_signed",
    "rank": "count",
}
"""How a table column of each fact kind is written by the report writers."""


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


def filename(result: Result, ext: str) -> str:
    w = result.spec.window
    return f"comercio_{result.spec.grouping.dimension}_{w.kind}_{w.end.year:04d}-{w.end.month:02d}.{ext}"


def view_columns(result: Result, lang: str) -> list[writers.Column]:
    """The view's columns with names in ``lang`` (units in the name) and the writers' kind of each figure."""
    dimension = dimensions.dimension(result.spec.grouping.dimension)
    columns = [
        writers.Column("member", t("web.member", lang)),
        writers.Column("label", dimension.label(lang)),
    ]
    for name, template in ROW_FAMILIES.items():
        kind = COLUMN_KINDS[family(template).kind]
        unit = {"millions": t("presentation.usd_millions", lang), "pct": "%", "pct_signed": "%"}.get(kind)
        unit = t("web.points", lang) if kind == "pp_signed" else unit
        label = t(f"web.{name}", lang)
        columns.append(writers.Column(name, f"{label} ({unit})" if unit else label, kind))
    return columns


CSV_DECIMALS = {"millions": 3, "pct": 2, "pct_signed": 2, "pp_signed": 2}
"""Decimals of the analyst CSV: US$ millions to the thousand dollars, percentages and points to 0.01."""


def analyst_csv(result: Result, lang: str) -> str:
    """The view as CSV for analysts: headers in ``lang``, US$ millions and percentages, rounded."""
    columns = view_columns(result, lang)
    rows = []
    for r in result.rows(lang):
        out: dict[str, Any] = {}
        for c in columns:
            value = r.get(c.key)
            if value is not None and c.kind in CSV_DECIMALS:
                scale = 1e-6 if c.kind == "millions" else 100.0
                value = round(float(value) * scale, CSV_DECIMALS[c.kind])
            out[c.label] = value
        rows.append(out)
    return csv_text(rows, [c.label for c in columns])


def human_size(n: int, lang: str) -> str:
    """A file size as a reader writes it: ``820 B``, ``14 kB``, ``1,2 MB``."""
    fmt = Formatter(lang)
    if n < 1000:
        return f"{n}\u00a0B"
    for unit, base in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if n < base * 1000 or unit == "GB":
            x = n / base
            return f"{fmt.number(x, 0 if x >= 10 else 1)}\u00a0{unit}"
    raise AssertionError  # pragma: no cover


DOCUMENTS = ("pdf", "html", "xlsx", "md", "json", "csv")


def listed(reports: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Reports for the downloads page (those in ``lang`` first): title, language name, documents by format and
    figure files apart."""
    out = []
    for rep in reports:
        files = [
            {**f, "name": t(f"web.format.{f['format']}", lang), "size": human_size(f["bytes"], lang)}
            for f in rep["files"]
        ]
        out.append(
            {
                **rep,
                "lang_name": t(f"web.lang_name.{rep['lang']}", lang) if rep["lang"] in ("es", "en") else "",
                "documents": [f for f in files if f["format"] in DOCUMENTS],
                "images": [f for f in files if f["format"] not in DOCUMENTS],
            }
        )
    return sorted(out, key=lambda r: r["lang"] != lang)  # the reader's language first, order kept otherwise


def source_line(result: Result, lang: str, retrieved: str | None) -> str:
    """``Fuente: BCRP, exportaciones por departamento. Versión obtenida el 30 de noviembre de 2026.``"""
    line = f"{t('common.source', lang)}: {source(result.dataset, lang)}."
    if retrieved:
        day = Formatter(lang).date_long(date.fromisoformat(retrieved))
        line += f" {t('presentation.table.vintage_date', lang)} {day}."
    return line


def report(
    result: Result, lang: str, figure: Figure | None = None, retrieved: str | None = None
) -> writers.Report:
    """The explorer's view as a one-section report: the table of members and, when given, the map."""
    fmt = Formatter(lang)
    w = result.spec.window
    dimension = dimensions.dimension(result.spec.grouping.dimension)
    columns = view_columns(result, lang)
    figures = (
        ()
        if figure is None
        else (writers.Figure("map", figure.description, figure.spec, figure.description),)
    )
    period = fmt.period(w.start, w.end)
    section = writers.Section(
        id="view",
        title=f"{t('web.' + result.spec.filters.flow, lang)} · {dimension.label(lang)}",
        tables=(writers.Table("view", period, tuple(columns), tuple(result.rows(lang))),),
        figures=figures,
    )
    return writers.Report(
        kind="explorer",
        lang=lang,
        title=t("web.explorer", lang),
        subtitle=period,
        sections=(section,),
        facts=result.facts,
        source=source_line(result, lang, retrieved),
        synthetic=result.synthetic,
        meta={"dataset": result.dataset, "vintages": list(result.vintages), "spec": result.spec.as_dict()},
    )


def written(rep: writers.Report, kind: str) -> bytes:
    """The bytes of ``rep`` written in format ``kind`` by the report writers (into a scratch directory)."""
    with tempfile.TemporaryDirectory(prefix="comercio-download-") as tmp:
        paths = writers.write_report(rep, [kind], Path(tmp))
        return next(p for p in paths if p.suffix == f".{kind}").read_bytes()


def respond(
    kind: str, result: Result, lang: str, figure: Figure | None = None, retrieved: str | None = None
) -> Response:
    if kind == "csv":
        body = analyst_csv(result, lang).encode("utf-8-sig")  # the BOM lets Excel read the accents
    else:
        body = written(report(result, lang, figure if kind == "pdf" else None, retrieved), kind)
    return Response(
        body,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="{filename(result, kind)}"'},
    )
