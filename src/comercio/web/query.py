"""The dashboard's query builder «Consultas» (``/consultas``): any cut of the data, as a table and a chart.

A GET form that works without JavaScript: its fields are the query's own parameters (flow, from, to, freq,
by, where, measures, compare, base, wide, lang — :meth:`comercio.query.Query.from_params` reads them, as it
does for the CLI and the API), so the page's URL is ``/consultas?`` + the query's URL and copying the address
reproduces the query. A product or partner is found by name (``buscar``): the hits are links that add the
filter. The answer comes from the service (:meth:`~comercio.service.IndicatorService.query`, bounded and
cached); a cut no loaded data can answer shows why and which data would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comercio.errors import ComercioError, ConfigError, WarehouseError
from comercio.i18n import has, t
from comercio.indicators import datasets
from comercio.query import MEASURES, QueryRefused, QueryResult
from comercio.query import Query as CutQuery
from comercio.query.model import FREQS, MAX_BY
from comercio.reference import dimensions
from comercio.service import IndicatorService, Lang
from comercio.web import query_view
from comercio.web.templating import flow_options, page, service

router = APIRouter(include_in_schema=False)
PATH = query_view.PAGE
PARAMS = ("flow", "from", "to", "freq", "by", "where", "measures", "compare", "base", "dataset", "wide")
SEARCH_KINDS = ("product", "partner")
MAX_SEARCH_TEXT = 80
MAX_HITS = 12


@dataclass(frozen=True)
class Answer:
    """What the page shows under the form: a result, or why there is none."""

    result: QueryResult | None = None
    error: str | None = None
    error_field: str | None = None
    refused: str | None = None
    would_answer: str | None = None
    status: int = 200


def given(request: Request) -> dict[str, list[str]]:
    """The form's values as sent, blanks dropped (an empty breakdown or filter field means none)."""
    out: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name in PARAMS and value.strip():
            out.setdefault(name, []).append(value.strip())
    return out


def as_params(values: dict[str, list[str]], lang: str) -> dict[str, Any]:
    """The values in the shape :meth:`Query.from_params` reads (lists for by, where and measures)."""
    params: dict[str, Any] = {k: v[-1] for k, v in values.items() if k not in ("by", "where", "measures")}
    params |= {k: values[k] for k in ("by", "where", "measures") if k in values}
    params["lang"] = lang
    return params


@router.get(PATH, response_class=HTMLResponse)
def query_page(
    request: Request,
    lang: Annotated[Lang, Query()] = Lang("es"),
    buscar: Annotated[str, Query(max_length=MAX_SEARCH_TEXT)] = "",
    tipo: Annotated[str, Query(pattern="^(product|partner)$")] = "product",
    svc: IndicatorService = Depends(service),
) -> Response:
    code = lang.value
    values = given(request)
    q, answer = read(values, code)
    if q is not None and not buscar.strip() and parse_qsl(request.url.query) != q.to_params():
        return RedirectResponse(f"{PATH}?{q.query_string()}", status_code=303)  # the address is the query's
    if q is not None:
        answer = ask(svc, q)
    hits = search_hits(svc, buscar, tipo, code, values) if buscar.strip() else []
    flow = q.flow if q else (values.get("flow") or ["X"])[-1]
    response = page(
        request,
        "query.html",
        code,
        form=form_state(q, values, code, svc),
        options=options(svc, code, flow),
        answer=answer,
        view=None if answer.result is None else shown(svc, answer.result),
        search={"text": buscar, "kind": tipo, "hits": hits},
    )
    response.status_code = answer.status
    return response


def shown(svc: IndicatorService, result: QueryResult) -> dict[str, Any]:
    """What the page shows of ``result`` (table, charts, links), cached beside it: the charts are drawn once
    per query and data version."""
    q = result.query
    key = ("query_view", q.query_string())
    return svc.cache.get_or_compute(key, lambda: query_view.view(result, member_names(svc, q)))


def read(values: dict[str, list[str]], lang: str) -> tuple[CutQuery | None, Answer]:
    """The query of the form, or why it is not one (None and an empty answer when no period was chosen)."""
    if "from" not in values and "to" not in values:
        return None, Answer()
    try:
        return CutQuery.from_params(as_params(values, lang)), Answer()
    except ConfigError as exc:
        return None, Answer(error=exc.reason, error_field=exc.field, status=422)


def ask(svc: IndicatorService, q: CutQuery) -> Answer:
    """The answer of the service (bounded, cached), or why there is none."""
    try:
        return Answer(result=svc.query(q))
    except QueryRefused as exc:
        return Answer(refused=exc.reason, would_answer=exc.would_answer)
    except WarehouseError as exc:
        return Answer(error=exc.reason + (f" ({exc.hint})" if exc.hint else ""), status=503)
    except ComercioError as exc:
        return Answer(error=exc.reason, error_field=exc.field, status=422)


def search_hits(
    svc: IndicatorService, text: str, kind: str, lang: str, values: dict[str, list[str]]
) -> list[dict[str, str]]:
    """Products or partners whose name matches ``text``, each a link to this page with its filter added."""
    try:
        hits = svc.search(text.strip(), kind, lang, MAX_HITS)
    except ComercioError:
        return []
    out = []
    for hit in hits:
        dim = filter_dimension(hit)
        kept = [(k, v) for k, vs in values.items() for v in vs]
        href = f"{PATH}?" + urlencode([*kept, ("where", f"{dim}={hit.code}"), ("lang", lang)])
        out.append({"code": hit.code, "label": hit.label, "dim": dim_label(dim, lang), "href": href})
    return out


def filter_dimension(hit: Any) -> str:
    """The dimension a search hit filters: its level when it is one (hs2, hs4, hs6), else partner/product."""
    names = {d.name for d in dimensions.DIMENSIONS}
    given = str(getattr(hit, "dimension", "") or "")
    if given:
        return given
    level = str(getattr(hit, "level", "") or "")
    if level in names:
        return level
    return "partner" if getattr(hit, "kind", "") == "partner" else "product"


def dim_label(name: str, lang: str) -> str:
    """A dimension's name in ``lang``: the registry's, else the query catalogue's, else the name itself."""
    try:
        return dimensions.dimension(name).label(lang)
    except ComercioError:
        return t(f"query.dimension.{name}", lang) if has(f"query.dimension.{name}") else name


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def breakdowns(svc: IndicatorService, flow: str) -> list[str]:
    """The dimensions some loaded dataset can break ``flow`` down by, in the registry's order."""
    loaded = svc.wh.datasets()
    out = []
    for d in dimensions.DIMENSIONS:
        if d.name == "national" or d.needs is None:
            continue
        column = "sector" if d.derive == "sector" else d.needs
        if any(datasets.provides(name, column, flow) for name in loaded if name in _ranked()):
            out.append(d.name)
    return out


def _ranked() -> set[str]:
    return set(datasets.preference())


def options(svc: IndicatorService, lang: str, flow: str) -> dict[str, list[tuple[str, str]]]:
    """The choices of the form's pickers in ``lang``."""
    return {
        "flow": flow_options(lang),
        "freq": [(f, capital(t(f"query.freq.{f}", lang))) for f in FREQS],
        "by": [("", t("web.query.none", lang))] + [(d, dim_label(d, lang)) for d in breakdowns(svc, flow)],
        "measures": [(m, capital(t(f"query.measure.{m}", lang))) for m in MEASURES],
        "kinds": [(k, t(f"web.query.kind.{k}", lang)) for k in SEARCH_KINDS],
    }


def form_state(
    q: CutQuery | None, values: dict[str, list[str]], lang: str, svc: IndicatorService
) -> dict[str, Any]:
    """The values the form shows: the query's when it was read, else what was sent (or the defaults)."""
    if q is not None:
        names = member_names(svc, q)
        by = list(q.by)
        return {
            "flow": q.flow,
            "from": q.start,
            "to": q.end,
            "freq": q.freq,
            "by": by + [""] * (MAX_BY - len(by)),
            "where": [(f"{d}={','.join(c)}", filter_label(d, c, names, lang)) for d, c in q.where],
            "measures": set(q.measures),
            "compare": "" if q.compare_years == 1 else str(q.compare_years),
            "base": "" if q.base_year is None else str(q.base_year),
            "dataset": q.dataset or "",
            "wide": q.wide,
        }
    end = default_end(svc)
    by = [b for v in values.get("by", []) for b in v.split(",")][:MAX_BY]
    wheres = values.get("where", [])
    return {
        "flow": (values.get("flow") or ["X"])[-1],
        "from": (values.get("from") or [f"{int(end[:4]) - 4}-01"])[-1],
        "to": (values.get("to") or [end])[-1],
        "freq": (values.get("freq") or ["year"])[-1],
        "by": by + [""] * (MAX_BY - len(by)),
        "where": [(w, w) for w in wheres],
        "measures": {m for v in values.get("measures", ["value"]) for m in v.split(",")},
        "compare": (values.get("compare") or [""])[-1],
        "base": (values.get("base") or [""])[-1],
        "dataset": (values.get("dataset") or [""])[-1],
        "wide": bool(values.get("wide")),
    }


def default_end(svc: IndicatorService) -> str:
    """The latest loaded month of exports (the form's first «to»), or December of last year without data."""
    try:
        return svc.latest_month("X")
    except ComercioError:
        from datetime import date

        return f"{date.today().year - 1}-12"


def filter_label(dim: str, codes: tuple[str, ...], names: dict[tuple[str, str], str], lang: str) -> str:
    """A filter in words: «Departamento: Arequipa (04)», «Subpartida SA: Palta (080440)»."""
    return f"{dim_label(dim, lang)}: {', '.join(f'{names.get((dim, c), c)} ({c})' for c in codes)}"


def member_names(svc: IndicatorService, q: CutQuery) -> dict[tuple[str, str], str]:
    """(dimension, code) → name of every filtered member: the dimension table's name, else (products by
    code) the name the search gives it, else the code."""
    out: dict[tuple[str, str], str] = {}
    for dim, codes in q.where:
        for code in codes:
            try:
                name = dimensions.label(dim, code, q.lang)
            except ComercioError:
                name = code
            if name == code and code.isdigit():
                try:
                    hits = svc.search(code, "product", q.lang, 5)
                except ComercioError:
                    hits = []
                name = next((h.label for h in hits if h.code == code), code)
            out[(dim, code)] = name
    return out
