"""Request parameters, validated before anything touches the warehouse.

Every query parameter is an enum, a bounded integer or a string checked by a regular expression, so a bad
request gets a 422 naming the parameter and never reaches the engine. :func:`build_spec` turns the validated
parameters into a frozen :class:`~comercio.indicators.specs.Spec` (the cache key of indicator results).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from comercio.errors import ConfigError
from comercio.indicators.specs import Comparison, Filters, Grouping, Spec, Window

MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
CODE_RE = r"^[0-9A-Za-z]{2,3}$"
SCHEME_RE = r"^[a-z0-9_]{1,32}$"
BASKET_PATH_RE = r"^[^\x00-\x1f<>]{1,200}$"
MAX_PAGE_SIZE = 500
MAX_PAGE = 10_000
MAX_LIST = 30


class WindowKind(StrEnum):
    month = "month"
    ytd = "ytd"
    rolling12 = "rolling12"
    year = "year"
    range = "range"


class Flow(StrEnum):
    X = "X"
    M = "M"


class Dimension(StrEnum):
    national = "national"
    department = "department"
    region_group = "region_group"
    macroregion = "macroregion"
    natural_region = "natural_region"
    customs_office = "customs_office"
    partner = "partner"
    continent = "continent"
    sector = "sector"
    product = "product"
    product_group = "product_group"
    hs6 = "hs6"


class OutFormat(StrEnum):
    json = "json"
    csv = "csv"


class Lang(StrEnum):
    es = "es"
    en = "en"


Month = Annotated[str, Query(pattern=MONTH_RE, description="Last month of the window, YYYY-MM")]
StartMonth = Annotated[
    str | None, Query(pattern=MONTH_RE, description="First month of a custom range (window=range)")
]


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
    end: Month,
    window: Annotated[WindowKind, Query(description="Window kind")] = WindowKind.ytd,
    start: StartMonth = None,
    comparison_years: Annotated[
        int, Query(ge=0, le=20, description="Compare with the same window this many years earlier (0 = none)")
    ] = 1,
    grouping: Annotated[Dimension, Query(description="Dimension to group by")] = Dimension.department,
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
    )


def build_spec(
    *,
    window: WindowKind,
    end: str,
    start: str | None = None,
    comparison_years: int = 1,
    grouping: Dimension = Dimension.department,
    scheme: str | None = None,
    level: int | None = None,
    flow: Flow = Flow.X,
    basket: str | None = None,
    basket_path: str | None = None,
    departments: tuple[str, ...] = (),
    dataset: str | None = None,
) -> Spec:
    for code in departments:
        if len(code) != 2 or not code.isdigit():
            raise ConfigError(f"department must be a 2-digit ubigeo, not {code!r}", field="department")
    if window is WindowKind.range:
        if start is None:
            raise ConfigError("window=range needs start=YYYY-MM", field="start")
        w = Window.range(start, end)
    elif start is not None:
        raise ConfigError("start is only used with window=range", field="start")
    elif window is WindowKind.year:
        if not end.endswith("-12"):
            raise ConfigError("window=year needs end=YYYY-12 (a whole calendar year)", field="end")
        w = Window.year(int(end[:4]))
    else:
        w = {"month": Window.month, "ytd": Window.ytd, "rolling12": Window.rolling12}[window.value](end)
    if w.n_months > 240:
        raise ConfigError("a window spans at most 240 months", field="start")
    return Spec(
        window=w,
        grouping=Grouping(grouping.value, scheme, level),
        filters=Filters(
            flow=flow.value, basket=basket, basket_path=basket_path, departments=tuple(sorted(departments))
        ),
        comparison=Comparison(comparison_years) if comparison_years > 0 else None,
        dataset=dataset,
    )
