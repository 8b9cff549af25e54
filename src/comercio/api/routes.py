"""``/api/v1`` read endpoints: datasets (grain, vintages), reference tables and indicators, JSON or CSV.

Handlers are thin: parameters arrive validated (:mod:`comercio.api.params`), numbers come from the cached
application service (:class:`~comercio.service.IndicatorService`) as facts, and tables are paginated.
Nothing here builds SQL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from comercio import reference
from comercio.api.params import (
    ERRORS,
    OutFormat,
    Page,
    error_lang,
    page_params,
    single_values,
    spec_params,
)
from comercio.errors import DataNotAvailable
from comercio.i18n import t
from comercio.indicators import measures
from comercio.indicators.specs import Spec
from comercio.service import COLUMNS, IndicatorService, Lang, Result, csv_text, plain, units
from comercio.warehouse import schema

router = APIRouter(responses=ERRORS, dependencies=[Depends(single_values)])
JSON_OR_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {}}, "description": "JSON, or CSV with format=csv"}
}


def follow(link: str, operation_id: str, parameter: str, expression: str) -> dict[int | str, dict[str, Any]]:
    """An OpenAPI link from a 200 answer to the operation that reads one of its items (clients and the
    stateful API tests follow it)."""
    target = {"operationId": operation_id, "parameters": {parameter: expression}}
    return {200: {"description": "Successful Response", "links": {link: target}}}


NAME = Annotated[str, Path(pattern=r"^[a-z0-9_]{1,40}$", description="Name")]
FORMAT = Annotated[OutFormat, Query(description="json or csv")]


def service(request: Request) -> IndicatorService:
    svc: IndicatorService = request.app.state.service
    return svc


def json_response(payload: Any) -> Response:
    return Response(
        json.dumps(payload, ensure_ascii=False, default=str, allow_nan=False),
        media_type="application/json",
    )


def csv_response(
    rows: Sequence[dict[str, Any]], filename: str, columns: Sequence[str] | None = None
) -> Response:
    return Response(
        csv_text(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def paginate(rows: list[dict[str, Any]], page: Page) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    a, b = page.slice(len(rows))
    pages = max(1, math.ceil(len(rows) / page.size))
    return rows[a:b], {"page": page.page, "size": page.size, "total_rows": len(rows), "pages": pages}


@router.get(
    "/datasets",
    summary="Loaded datasets with grain, vintages, rows and months covered",
    responses=follow(
        "dataset", "get_dataset_api_v1_datasets__name__get", "name", "$response.body#/datasets/0/dataset"
    ),
)
def list_datasets(svc: IndicatorService = Depends(service)) -> Response:
    rows = [{k: plain(v) for k, v in r.items()} for r in svc.status()]
    return json_response({"datasets": rows})


@router.get("/datasets/{name}", summary="One dataset: grain, dimensions, columns and current vintages")
def get_dataset(name: NAME, request: Request, svc: IndicatorService = Depends(service)) -> Response:
    row = next((r for r in svc.status() if r["dataset"] == name), None)
    spec = schema.DATASETS.get(name)
    if row is None:
        lang = error_lang(request)
        raise DataNotAvailable(
            t("api.error.dataset_not_loaded", lang, name=repr(name)),
            field="name",
            hint=t("api.error.see_datasets", lang),
        )
    vintages = svc.vintages(name)
    return json_response(
        {
            **{k: plain(v) for k, v in row.items()},
            "title": spec.title if spec else None,
            "grain_dimensions": list(spec.grain) if spec else [],
            "dimensions": list(spec.dimensions) if spec else [],
            "columns": list(spec.columns) if spec else [],
            "vintage_list": vintages,
        }
    )


@router.get(
    "/reference",
    summary="Reference tables: name, title, source and rows",
    responses=follow(
        "table", "get_reference_api_v1_reference__name__get", "name", "$response.body#/tables/0/name"
    ),
)
def list_reference() -> Response:
    out = []
    for n in reference.names():
        i = reference.info(n)
        out.append({"name": n, "title": i.title, "source": i.source, "notes": i.notes, "rows": i.rows})
    return json_response({"tables": out})


@router.get(
    "/reference/{name}",
    summary="The rows of one reference table (paginated; JSON or CSV)",
    responses=JSON_OR_CSV,
)
def get_reference(
    name: NAME, request: Request, format: FORMAT = OutFormat.json, page: Page = Depends(page_params)
) -> Response:
    if name not in reference.names():
        known = ", ".join(reference.names())
        raise DataNotAvailable(
            t("api.error.unknown_reference", error_lang(request), name=repr(name), known=known), field="name"
        )
    rows = [{k: plain(v) for k, v in r.items()} for r in reference.load(name).to_pylist()]
    if format is OutFormat.csv:
        return csv_response(rows, f"{name}.csv")
    part, meta = paginate(rows, page)
    i = reference.info(name)
    return json_response(
        {"name": name, "title": i.title, "source": i.source, "rows": part, "pagination": meta}
    )


def indicator_payload(result: Result, rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    spec = result.spec
    return {
        "spec": spec.as_dict(),
        "dataset": result.dataset,
        "vintages": list(result.vintages),
        "synthetic": result.synthetic,
        "last_month": result.last_month,
        "units": units(),
        "lang": lang,
        "total": result.total(),
        "rows": rows,
    }


@router.get(
    "/indicators",
    summary="Value, previous, growth, share, contribution and rank of every member of a grouping",
    description=(
        "The window ends at `end` (YYYY-MM); `window` is month, ytd, rolling12, year (end=YYYY-12) or range "
        "(with `start`). Growth compares with the same window `comparison_years` earlier. CSV has the same "
        "rows and columns as the JSON `rows`. This CSV is for machines: English column names, member codes, "
        "values in US$ and shares and growth as fractions, unrounded. The dashboard's \"CSV/XLSX de esta "
        "vista\" is for analysts: column names in the page's language with their unit, US$ millions and "
        "percentages rounded to what the figures print, codes kept as text in the XLSX."
    ),
    responses=JSON_OR_CSV,
)
def indicators(
    spec: Spec = Depends(spec_params),
    format: FORMAT = OutFormat.json,
    lang: Annotated[Lang, Query(description="Language of labels and error texts")] = Lang("es"),
    facts: Annotated[bool, Query(description="Include the facts behind the rows")] = False,
    page: Page = Depends(page_params),
    svc: IndicatorService = Depends(service),
) -> Response:
    result = svc.indicator(spec)
    rows = result.rows(lang.value)
    if format is OutFormat.csv:
        return csv_response(rows, "indicators.csv", COLUMNS)
    part, meta = paginate(rows, page)
    payload = indicator_payload(result, part, lang.value)
    payload["pagination"] = meta
    if facts:
        payload["facts"] = result.facts.as_list()
    return json_response(payload)


@router.get(
    "/indicators/series",
    summary="Monthly values of each member of a grouping over the window",
    responses=JSON_OR_CSV,
)
def series(
    spec: Spec = Depends(spec_params),
    format: FORMAT = OutFormat.json,
    page: Page = Depends(page_params),
    svc: IndicatorService = Depends(service),
) -> Response:
    s = svc.series(spec.grouping, spec.filters, spec.dataset, spec.window.end)
    w = spec.window
    measures.check_coverage(s, w)
    rows = [
        {"member": r["member"], "period": r["period"].isoformat()[:7], "value": r["value"]}
        for r in s.rows()
        if r["member"] is not None and w.start <= r["period"] <= w.end
    ]
    if spec.filters.departments and spec.grouping.dimension == "department":
        rows = [r for r in rows if r["member"] in spec.filters.departments]
    if format is OutFormat.csv:
        return csv_response(rows, "series.csv", ("member", "period", "value"))
    part, meta = paginate(rows, page)
    return json_response(
        {
            "spec": spec.as_dict(),
            "dataset": s.dataset,
            "vintages": list(s.vintages),
            "unit": units()["value"],
            "rows": part,
            "pagination": meta,
        }
    )


@router.get("/health", summary="Liveness and cache statistics")
def health(svc: IndicatorService = Depends(service)) -> Response:
    return json_response({"status": "ok", "cache": {"hits": svc.cache.hits, "misses": svc.cache.misses}})
