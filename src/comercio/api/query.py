"""``GET /api/v1/query`` (any cut of the data) and ``GET /api/v1/search`` (products and partners by name).

The query's parameters are the one vocabulary of :class:`comercio.query.Query` (the CLI's and the
dashboard's): they are read by :meth:`Query.from_params`, never validated twice. A parameter it refuses is a
422 naming the field; a cut the loaded data cannot answer is a 404 with ``reason`` and ``would_answer``.
Answers come from the service (:meth:`~comercio.service.IndicatorService.query`: bounded in rows and time,
cached by the query's URL); downloads are written by :func:`comercio.query.output.render`, the CLI's writer.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from comercio.api.errors import public_message, scrub
from comercio.api.params import ERRORS, single_values
from comercio.api.routes import json_response, service
from comercio.errors import ConfigError
from comercio.i18n import LANGS
from comercio.query import MEASURES, QueryRefused, QueryResult
from comercio.query import Query as CutQuery
from comercio.query.model import FREQS, MAX_BY, MAX_CODES
from comercio.service import MONTH_RE, IndicatorService

router = APIRouter(responses=ERRORS, dependencies=[Depends(single_values)])
MAX_SEARCH = 50
SEARCH_RE = r"^[^\x00-\x1f<>]{1,80}$"
EXAMPLE = "flow=X&from=2005-01&to=2022-12&freq=year&by=department&where=department=04&measures=value,share"


class QueryFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


Freq = StrEnum("Freq", {f: f for f in FREQS})  # type: ignore[misc]
Lang = StrEnum("Lang", {code: code for code in LANGS})  # type: ignore[misc]


class SearchKind(StrEnum):
    product = "product"
    partner = "partner"
    any = "any"


def query_params(
    from_: Annotated[
        str, Query(alias="from", pattern=MONTH_RE, description="First month, YYYY-MM", examples=["2005-01"])
    ],
    to: Annotated[str, Query(pattern=MONTH_RE, description="Last month, YYYY-MM", examples=["2022-12"])],
    flow: Annotated[str, Query(pattern="^[XM]$", description="X exports, M imports")] = "X",
    freq: Annotated[Freq, Query(description="Period of each row")] = Freq("year"),
    by: Annotated[
        str | None,
        Query(
            max_length=200,
            description=f"Breakdowns, comma-separated, at most {MAX_BY}: department, macroregion, "
            "natural_region, customs_office, transport_mode, partner, continent, hs2, hs4, hs6, product, "
            "sector …",
            examples=["department"],
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description=f"Filter DIM=CODE[,CODE…] (repeatable; at most {MAX_CODES} codes each)",
            examples=[["department=04"]],
        ),
    ] = None,
    measures: Annotated[
        str | None,
        Query(
            max_length=200,
            description=f"Measures, comma-separated: {', '.join(MEASURES)}",
            examples=["value,share"],
        ),
    ] = None,
    compare: Annotated[
        int | None, Query(ge=1, le=30, description="Growth against the same window this many years earlier")
    ] = None,
    base: Annotated[int | None, Query(ge=1, le=9999, description="Growth against this base year")] = None,
    dataset: Annotated[
        str | None, Query(pattern=r"^[a-z0-9_]{1,40}$", description="Force a dataset (else the finest able)")
    ] = None,
    wide: Annotated[bool, Query(description="Periods as columns (downloads)")] = False,
    lang: Annotated[Lang, Query(description="Language of headers, labels and notes")] = Lang("es"),
) -> dict[str, Any]:
    """The query's parameters, declared (OpenAPI, types) and handed as they are to :meth:`Query.from_params`,
    the one reading of them."""
    return {
        "from": from_,
        "to": to,
        "flow": flow,
        "freq": freq.value,
        "by": by,
        "where": list(where or []),
        "measures": measures,
        "compare": compare,
        "base": base,
        "dataset": dataset,
        "wide": "1" if wide else "",
        "lang": lang.value,
    }


@router.get(
    "/query",
    summary="Any cut of the data: flow × months × frequency × breakdowns × filters × measures",
    description=(
        "One row per member combination and period, from the finest loaded dataset able to answer (named in "
        "`dataset`, with its `vintages`; `synthetic` is true when any of them is). Periods with months "
        "missing are listed in `partial`. Values in US$, net weight in kg, unit value in US$/kg, growth, "
        "share and contribution as fractions. `format=csv|xlsx` downloads the same result (long, or wide "
        "with `wide=true`: periods as columns) with headers in `lang` and a sheet of sources in the XLSX. "
        "A parameter out of the vocabulary is a 422 naming it; a cut no loaded data can answer is a 404 with "
        "`reason` and `would_answer`. Example: `?" + EXAMPLE + "`"
    ),
    responses={
        200: {
            "description": "The result (JSON), or a CSV or XLSX file",
            "content": {
                "application/json": {},
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
        }
    },
)
def query(
    request: Request,
    params: dict[str, Any] = Depends(query_params),
    format: Annotated[QueryFormat, Query(description="json, csv or xlsx")] = QueryFormat.json,
    svc: IndicatorService = Depends(service),
) -> Response:
    try:
        result = svc.query(CutQuery.from_params(params))
    except QueryRefused as exc:
        return refused(exc, request)
    except ConfigError as exc:
        return invalid(exc, request)
    if format is QueryFormat.json:
        return json_response(payload(result))
    from comercio.query import output

    body = output.render(result, format.value)
    name = output.filename(result, format.value)
    return Response(
        body,
        media_type=output.MEDIA_TYPES[format.value],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def payload(result: QueryResult) -> dict[str, Any]:
    """The JSON answer: the query (and its URL), provenance, columns and rows."""
    q = result.query
    return {
        "query": dict(q.to_params()) | {"where": [f"{d}={','.join(c)}" for d, c in q.where]},
        "url": "/api/v1/query?" + q.query_string(),
        "dataset": result.dataset,
        "vintages": list(result.vintages),
        "synthetic": result.synthetic,
        "periods": list(result.periods),
        "partial": list(result.partial),
        "notes": list(result.notes),
        "truncated": result.truncated,
        "seconds": round(result.seconds, 4),
        "columns": [asdict(c) for c in result.columns],
        "rows": result.records(),
    }


def invalid(exc: ConfigError, request: Request) -> JSONResponse:
    """A parameter the query vocabulary refuses: 422 naming the field and the reason."""
    return JSONResponse(
        {
            "error": "ValidationError",
            "detail": public_message(exc, request),
            "field": exc.field,
            "hint": None if exc.hint is None else scrub(exc.hint, request),
        },
        status_code=422,
    )


def refused(exc: QueryRefused, request: Request) -> JSONResponse:
    """A cut the loaded data cannot answer: 404 with why and which data would answer it."""
    return JSONResponse(
        {
            "error": "QueryRefused",
            "detail": scrub(exc.message, request),  # not public_message(): a QueryRefused cannot be copied
            "reason": scrub(exc.reason, request),
            "would_answer": scrub(exc.would_answer, request),
            "field": exc.field,
        },
        status_code=404,
    )


@router.get(
    "/search",
    summary="Products (NANDINA and HS) and partner countries by name, Spanish or English",
    description=(
        "Accents and case optional: `q=palta` finds 0804.40 (avocados), `q=chile` the country CL. Each hit "
        "has its code, level (hs2, hs4, hs6, product for the national 10-digit line, partner), label in "
        "`lang` and the name it matched; use the code in a query filter (`where=hs6=080440`)."
    ),
)
def search(
    q: Annotated[
        str, Query(pattern=SEARCH_RE, description="Words of the name, or a code", examples=["palta"])
    ],
    kind: Annotated[SearchKind, Query(description="product, partner or any")] = SearchKind.any,
    lang: Annotated[Lang, Query(description="Language of the labels")] = Lang("es"),
    limit: Annotated[int, Query(ge=1, le=MAX_SEARCH, description="Most hits")] = 20,
    svc: IndicatorService = Depends(service),
) -> Response:
    hits = svc.search(q, kind.value, lang.value, limit)
    return json_response(
        {"q": q, "kind": kind.value, "lang": lang.value, "hits": [hit_dict(h) for h in hits]}
    )


def hit_dict(hit: Any) -> dict[str, Any]:
    return asdict(hit) if is_dataclass(hit) and not isinstance(hit, type) else dict(hit)
