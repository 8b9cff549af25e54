"""One definition of a query of the data: flow × months × frequency × breakdowns × filters × measures.

The CLI (``comercio query``), the API (``GET /api/v1/query``) and the dashboard's query builder all build a
:class:`Query` from their parameters with :meth:`Query.from_params` and show it back as a stable URL with
:meth:`Query.to_params`; :func:`comercio.query.run` answers it with a :class:`QueryResult`. A query is frozen
data: every change makes a new one.

Dimensions are those of :mod:`comercio.reference.dimensions` (department, macroregion, natural_region,
customs_office, partner, continent, sector, product …) plus the product levels ``hs2``, ``hs4``, ``hs6`` and
``transport_mode``; measures are listed in :data:`MEASURES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlencode

from comercio.errors import ConfigError, DataNotAvailable

Freq = Literal["month", "quarter", "year", "ytd", "rolling12"]
FREQS: tuple[str, ...] = ("month", "quarter", "year", "ytd", "rolling12")
MEASURES: tuple[str, ...] = ("value", "net_kg", "unit_value", "growth", "share", "contribution", "rank")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CODE = re.compile(r"^[A-Za-z0-9_.:\- ]{1,40}$")
MAX_BY = 3  # breakdowns in one query
MAX_CODES = 200  # codes in one filter


@dataclass(frozen=True)
class Query:
    """What to compute. ``start``/``end`` are months (YYYY-MM); ``by`` the breakdowns, in order; ``where`` the
    filters (dimension → codes, sorted, so equal queries have equal URLs); ``compare_years`` how far back the
    growth compares (the same window N years earlier) unless ``base_year`` is given."""

    start: str
    end: str
    flow: Literal["X", "M"] = "X"
    freq: Freq = "year"
    by: tuple[str, ...] = ()
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    measures: tuple[str, ...] = ("value",)
    compare_years: int = 1
    base_year: int | None = None
    dataset: str | None = None
    wide: bool = False
    lang: str = "es"

    def __post_init__(self) -> None:
        for name, month in (("from", self.start), ("to", self.end)):
            if not MONTH.match(month):
                raise ConfigError(f"not a month: {month!r}", field=name, hint="use YYYY-MM, e.g. 2025-11")
        if self.start > self.end:
            raise ConfigError(f"the period starts ({self.start}) after it ends ({self.end})", field="from")
        if self.flow not in ("X", "M"):
            raise ConfigError(f"flow must be X (exports) or M (imports), not {self.flow!r}", field="flow")
        if self.freq not in FREQS:
            raise ConfigError(f"unknown frequency {self.freq!r}; choose {', '.join(FREQS)}", field="freq")
        if len(self.by) > MAX_BY or len(set(self.by)) != len(self.by):
            raise ConfigError(f"at most {MAX_BY} different breakdowns", field="by")
        unknown = [m for m in self.measures if m not in MEASURES]
        if unknown or not self.measures:
            raise ConfigError(f"unknown measure {unknown}; choose {', '.join(MEASURES)}", field="measures")
        for dim, codes in self.where:
            if not codes or len(codes) > MAX_CODES or not all(CODE.match(c) for c in codes):
                raise ConfigError(
                    f"filter {dim}: 1 to {MAX_CODES} codes of letters and digits", field="where"
                )
        if not 1 <= self.compare_years <= 30:
            raise ConfigError("compare between 1 and 30 years back", field="compare")
        if self.lang not in ("es", "en"):
            raise ConfigError(f"unsupported language {self.lang!r}; use es or en", field="lang")

    # -- the one parameter vocabulary of the CLI, the API and the dashboard -----------------------------
    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Query:
        """A query from string parameters (``from``, ``to``, ``flow``, ``freq``, ``by``, ``where``,
        ``measures``, ``compare``, ``base``, ``dataset``, ``wide``, ``lang``); ``where`` is one or more
        ``DIM=CODE[,CODE…]``; ``by`` and ``measures`` comma-separated (or repeated)."""

        def many(key: str) -> list[str]:
            raw = params.get(key)
            items = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
            return [part.strip() for item in items for part in str(item).split(",") if part.strip()]

        where: dict[str, set[str]] = {}
        items = params.get("where")
        for item in items if isinstance(items, list | tuple) else ([] if items in (None, "") else [items]):
            dim, sep, codes = str(item).partition("=")
            if not sep or not dim.strip():
                raise ConfigError(f"a filter is DIM=CODE[,CODE…], not {item!r}", field="where")
            where.setdefault(dim.strip(), set()).update(c.strip() for c in codes.split(",") if c.strip())
        base = params.get("base")
        return cls(
            start=str(params.get("from") or ""),
            end=str(params.get("to") or ""),
            flow=str(params.get("flow") or "X").upper(),  # type: ignore[arg-type]
            freq=str(params.get("freq") or "year"),  # type: ignore[arg-type]
            by=tuple(many("by")),
            where=tuple(sorted((d, tuple(sorted(c))) for d, c in where.items())),
            measures=tuple(many("measures")) or ("value",),
            compare_years=_int(params.get("compare") or 1, "compare"),
            base_year=None if base in (None, "") else _int(base, "base"),
            dataset=str(params["dataset"]) if params.get("dataset") else None,
            wide=str(params.get("wide", "")).lower() in ("1", "true", "yes", "on"),
            lang=str(params.get("lang") or "es"),
        )

    def to_params(self) -> list[tuple[str, str]]:
        """The parameters that rebuild this query (stable order: a bookmarkable URL)."""
        out = [("flow", self.flow), ("from", self.start), ("to", self.end), ("freq", self.freq)]
        if self.by:
            out.append(("by", ",".join(self.by)))
        out += [("where", f"{d}={','.join(c)}") for d, c in self.where]
        out.append(("measures", ",".join(self.measures)))
        if self.compare_years != 1:
            out.append(("compare", str(self.compare_years)))
        if self.base_year is not None:
            out.append(("base", str(self.base_year)))
        if self.dataset:
            out.append(("dataset", self.dataset))
        if self.wide:
            out.append(("wide", "1"))
        out.append(("lang", self.lang))
        return out

    def query_string(self) -> str:
        return urlencode(self.to_params())

    def filters(self) -> dict[str, tuple[str, ...]]:
        return dict(self.where)

    def with_(self, **changes: Any) -> Query:
        return replace(self, **changes)


def _int(value: Any, name: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}", field=name) from None


@dataclass(frozen=True)
class Column:
    """A column of a result: its key, its header in the query's language (units included) and its kind."""

    key: str  # dimension name, "period", or a measure
    header: str  # "Valor FOB (US$)", "Peso neto (kg)", "Departamento (código)"
    kind: Literal["code", "label", "period", "number"]
    unit: str | None = None  # usd, kg, usd_per_kg, fraction, position


@dataclass(frozen=True)
class QueryResult:
    """The rows of a query (long form: one row per member combination and period), with provenance."""

    query: Query
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    dataset: str
    vintages: tuple[str, ...]
    synthetic: bool
    periods: tuple[str, ...]  # the period labels, in order ("2024", "2025-T1", "2025-11", "ene–nov 2025")
    partial: tuple[str, ...] = ()  # periods that are not complete (a year with months missing): labelled
    notes: tuple[str, ...] = ()  # what the reader must know (dataset chosen and why, comparisons, bounds)
    seconds: float = 0.0
    truncated: bool = False  # never silently: the notes say by how much
    extra: dict[str, Any] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows]


class QueryRefused(DataNotAvailable):
    """A query the loaded data cannot answer: ``reason`` says why, ``would_answer`` which data would."""

    def __init__(self, reason: str, *, would_answer: str, field: str | None = None) -> None:
        super().__init__(reason, field=field, hint=would_answer)
        self.would_answer = would_answer

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle (the error handlers copy errors)
        return (_refused, (self.reason, self.would_answer, self.field))


def _refused(reason: str, would_answer: str, field: str | None) -> QueryRefused:
    return QueryRefused(reason, would_answer=would_answer, field=field)


def as_codes(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({v.strip() for v in values if v.strip()}))
