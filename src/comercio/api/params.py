"""Request parameters, validated before anything touches the warehouse.

Every query parameter is an enum, a bounded integer or a string checked by a regular expression, so a bad
request gets a 422 naming the parameter and never reaches the engine. The vocabulary (windows, flows,
groupings from the dimension registry) and :func:`~comercio.service.build_spec` belong to the application
service; this module only declares them as FastAPI parameters. Error texts follow ``?lang=`` (English
when absent).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Query, Request
from pydantic import BaseModel

from comercio.errors import ConfigError
from comercio.i18n import LANGS, t
from comercio.indicators.specs import Spec
from comercio.service import BASKET_PATH_RE, MONTH_RE, Dimension, Flow, WindowKind, build_spec

SCHEME_RE = r"^[a-z0-9_]{1,32}$"
MAX_PAGE_SIZE = 500
MAX_PAGE = 10_000
MAX_LIST = 30
REPEATABLE = frozenset({"department", "where"})
"""The only query parameters that may be given more than once (a list); any other, repeated, is a 400."""
ERROR_LANG = "en"


class OutFormat(StrEnum):
    json = "json"
    csv = "csv"


Month = Annotated[str, Query(pattern=MONTH_RE, description="Last month of the window, YYYY-MM")]
StartMonth = Annotated[
    str | None, Query(pattern=MONTH_RE, description="First month of a custom range (window=range)")
]


def error_lang(request: Request) -> str:
    """The language of error texts: ``?lang=`` when it is a known language, else English."""
    lang = request.query_params.get("lang", ERROR_LANG)
    return lang if lang in LANGS else ERROR_LANG


def single_values(request: Request) -> None:
    """Refuse a query parameter the route does not take (it would be ignored) and a repeated one
    (``?flow=X&flow=M``; the last would win): a 400 naming the parameter."""
    lang = request.query_params.get("lang", ERROR_LANG)
    lang = lang if lang in LANGS and len(request.query_params.getlist("lang")) == 1 else ERROR_LANG
    counts: dict[str, int] = {}
    for name, _ in request.query_params.multi_items():
        counts[name] = counts.get(name, 0) + 1
    known = _declared(request.scope.get("route"))
    for name, count in counts.items():
        if known is not None and name not in known:
            listed = ", ".join(sorted(known)) or t("api.query.none", lang)
            raise ConfigError(t("api.query.unknown", lang, name=name, known=listed), field=name)
        if count > 1 and name not in REPEATABLE:
            raise ConfigError(t("api.query.repeated", lang, name=name, count=count), field=name)


_DECLARED: dict[int, frozenset[str]] = {}


def _declared(route: object) -> frozenset[str] | None:
    """The query parameters a route declares, its dependencies' included, and ``lang`` (the language of
    error texts everywhere); None when the route is not known."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    key = id(route)
    if key not in _DECLARED:
        names: set[str] = set()
        stack = [dependant]
        while stack:
            d = stack.pop()
            names.update(p.alias for p in d.query_params)
            stack.extend(d.dependencies)
        _DECLARED[key] = frozenset(names | {"lang"})
    return _DECLARED[key]


class ErrorBody(BaseModel):
    """Every error answer: the error class and a message naming the parameter and the reason."""

    error: str
    detail: str


ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "Inconsistent parameters"},
    404: {"model": ErrorBody, "description": "Unknown name, or no loaded data can answer"},
    422: {"model": ErrorBody, "description": "A parameter failed validation"},
    503: {"model": ErrorBody, "description": "The query exceeded its time or row limit"},
}


@dataclass(frozen=True)
class Page:
    """1-based page number and page size, both bounded."""

    page: int = 1
    size: int = 100

    def slice(self, n: int) -> tuple[int, int]:
        start = (self.page - 1) * self.size
        return min(start, n), min(start + self.size, n)


def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page")] = 100,
) -> Page:
    return Page(page, size)


def spec_params(
    request: Request,
    end: Month,
    window: Annotated[WindowKind, Query(description="Window kind")] = WindowKind.ytd,
    start: StartMonth = None,
    comparison_years: Annotated[
        int, Query(ge=0, le=20, description="Compare with the same window this many years earlier (0 = none)")
    ] = 1,
    grouping: Annotated[Dimension, Query(description="Dimension to group by")] = Dimension("department"),
    scheme: Annotated[
        str | None, Query(pattern=SCHEME_RE, description="Version of the grouping (e.g. mincetur, adex)")
    ] = None,
    level: Annotated[int | None, Query(ge=0, le=6, description="Depth of the sector tree")] = None,
    flow: Annotated[Flow, Query(description="X exports, M imports")] = Flow.X,
    basket: Annotated[str | None, Query(pattern=SCHEME_RE, description="Product basket")] = None,
    basket_path: Annotated[
        str | None, Query(pattern=BASKET_PATH_RE, description="Keep rows under this basket path")
    ] = None,
    department: Annotated[
        list[str] | None, Query(max_length=MAX_LIST, description="Filter: 2-digit ubigeo (repeatable)")
    ] = None,
    dataset: Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$", description="Force a dataset")] = None,
) -> Spec:
    """Validated query parameters → indicator spec (raises ConfigError → 400 on inconsistent combinations)."""
    return build_spec(
        window=window,
        end=end,
        start=start,
        comparison_years=comparison_years,
        grouping=grouping,
        scheme=scheme,
        level=level,
        flow=flow,
        basket=basket,
        basket_path=basket_path,
        departments=tuple(department or ()),
        dataset=dataset,
        lang=error_lang(request),
    )
