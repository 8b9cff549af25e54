"""Downloads of the explorer's current view: CSV (same rows as the API), XLSX and PDF.

The CSV is byte-for-byte the API's ``format=csv`` answer for the same spec (both come from
:func:`comercio.service.csv_text`), so a number downloaded from the dashboard always matches the API. XLSX
and PDF are the reports' own writers (:mod:`comercio.reports.writers`) on a one-section report: the table
(and, in the PDF, the map); WeasyPrint is the optional ``pdf`` extra.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from fastapi.responses import Response

from comercio.i18n import t
from comercio.indicators.facts import family
from comercio.indicators.specs import Spec
from comercio.reference import dimensions
from comercio.reports import writers
from comercio.reports.fmt import Formatter
from comercio.service import COLUMNS, ROW_FAMILIES, Result, csv_text
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


def report(result: Result, lang: str, figure: Figure | None = None) -> writers.Report:
    """The explorer's view as a one-section report: the table of members and, when given, the map."""
    fmt = Formatter(lang)
    w = result.spec.window
    dimension = dimensions.dimension(result.spec.grouping.dimension)
    head = {"member": t("web.member", lang), "label": dimension.label(lang)}
    columns = [writers.Column("member", head["member"]), writers.Column("label", head["label"])]
    for name, template in ROW_FAMILIES.items():
        kind = family(template).kind
        label = t(f"web.{name}", lang)
        if COLUMN_KINDS[kind] == "millions":
            label = f"{label} ({t('presentation.usd_millions', lang)})"
        columns.append(writers.Column(name, label, COLUMN_KINDS[kind]))
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
        source=f"{t('common.source', lang)}: {source(result.dataset, lang)} ({', '.join(result.vintages)})",
        synthetic=result.synthetic,
        meta={"dataset": result.dataset, "vintages": list(result.vintages), "spec": result.spec.as_dict()},
    )


def written(rep: writers.Report, kind: str) -> bytes:
    """The bytes of ``rep`` written in format ``kind`` by the report writers (into a scratch directory)."""
    with tempfile.TemporaryDirectory(prefix="comercio-download-") as tmp:
        paths = writers.write_report(rep, [kind], Path(tmp))
        return next(p for p in paths if p.suffix == f".{kind}").read_bytes()


def respond(kind: str, result: Result, lang: str, figure: Figure | None = None) -> Response:
    if kind == "csv":
        body = csv_text(result.rows(lang), COLUMNS).encode("utf-8")
    else:
        body = written(report(result, lang, figure if kind == "pdf" else None), kind)
    return Response(
        body,
        media_type=MEDIA[kind],
        headers={"Content-Disposition": f'attachment; filename="{filename(result, kind)}"'},
    )
