"""Month maturity of customs lines: how complete each month is likely to be at the archive's cut-off.

A weekly file holds the lines *regularised* that week, so a month fills in over the weeks after it ends
(decision 0017, point 5). The *lag* of a line is ``file_date - date`` in days (the last day of the file
that brought it minus the line's own date). ``F(x)``, the lag CDF *by value*, is the share of value whose
lag is at most ``x`` days. A month aged ``a`` days at the cut-off (``as_of - month end``) holds, for a day
``d`` of that month, the value whose lag is at most ``a + (month end - d)``; assuming value spread evenly
over the month's days, its expected completeness is the mean over its days of ``F(a + days from d to
month end)``.

``F`` is *measured* on the archive's own months that are at least :data:`SETTLED_DAYS` old at the cut-off,
once :data:`MIN_MEASURED` such months exist; before that the *published* lag is used (median 11, p90 24,
p99 30 days, a month ≥ 99.5 % complete 30 days after it ends: SUNAT_LAYOUTS.md §1). Lines with a null
``file_date`` (a file whose name gives no period, or a vintage written before the column existed; the reader
gives monthly and yearly files their period's last day) make their month ``final``. A month is
*preliminary* when its expected completeness is below :data:`MATURE`. The cut-off ``as_of`` is the latest
``file_date`` of the flow, never the clock. The aggregation (value by month, day and file date) runs as one
Ibis expression on either engine and is cached per vintage of the dataset. It reads only the data files whose
footer statistics say ``file_date`` may be non-null (through the gateway, so corrections still apply); the
months of the other files are final, taken from the data files' footers when no file is weekly, else from a
distinct over those files of only the months the weekly files hold without a null ``file_date``.
"""

from __future__ import annotations

import bisect
import calendar
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import ibis.expr.types as ir
import pyarrow as pa

from comercio.indicators import assembled
from comercio.indicators import engine as eng
from comercio.warehouse import Holding, Warehouse

DATASET = "customs_lines"
WEEKLY, OTHER = Holding("file_date"), Holding("file_date", non_null=False)  # files by footer statistics
MATURE = 0.995  # expected completeness at or above which a month is no longer preliminary
SETTLED_DAYS = 60  # a month this old at the cut-off measures the lag
MIN_MEASURED = 3  # settled months needed before the measured lag replaces the published one
# The published lag CDF by value, (days, share), linear between knots: median 11, p90 24, p99 30; a month
# aged 30 days then averages F over lags 30..60, i.e. 99.5 %.
PUBLISHED = ((0, 0.0), (11, 0.5), (24, 0.9), (30, 0.99), (60, 1.0))

Basis = Literal["measured", "published", "final"]


@dataclass(frozen=True)
class MonthMaturity:
    """How complete one month of one flow is expected to be at the cut-off ``as_of``."""

    flow: str
    period: date  # first day of the month
    as_of: date | None  # the latest file_date of the flow (None: no weekly file at all)
    age_days: int | None  # as_of - month end (None when as_of is None)
    completeness: float  # expected share of the month's final value already in the warehouse
    basis: Basis
    months_measured: int  # settled months the measured lag came from (0 unless basis is measured)

    @property
    def preliminary(self) -> bool:
        return self.completeness < MATURE


@dataclass(frozen=True)
class LagCdf:
    """A lag CDF by value: ``days[i]`` → share of value with lag ≤ ``days[i]`` (``shares``)."""

    days: tuple[int, ...]
    shares: tuple[float, ...]
    interpolate: bool  # linear between knots (published) or a step function (measured)

    def __call__(self, x: int) -> float:
        if not self.days or x < self.days[0]:
            return 0.0
        i = bisect.bisect_right(self.days, x) - 1
        if i >= len(self.days) - 1 or not self.interpolate:
            return self.shares[i]
        (x0, y0), (x1, y1) = (self.days[i], self.shares[i]), (self.days[i + 1], self.shares[i + 1])
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


PUBLISHED_CDF = LagCdf(tuple(d for d, _ in PUBLISHED), tuple(s for _, s in PUBLISHED), interpolate=True)


def month_end(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def expected(period: date, as_of: date, cdf: LagCdf) -> float:
    """Mean over the month's days ``d`` of ``cdf(as_of - d)`` (days after ``as_of`` count as 0)."""
    end = month_end(period)
    total = sum(cdf((as_of - (end - timedelta(days=k))).days) for k in range(end.day))
    return total / end.day


def measured_cdf(rows: list[tuple[date, date, float]]) -> LagCdf:
    """The lag CDF by value of ``(date, file_date, value)`` rows (negative lags count as 0)."""
    by_lag: dict[int, float] = defaultdict(float)
    for day, filed, value in rows:
        by_lag[max((filed - day).days, 0)] += value
    lags = sorted(by_lag)
    total = sum(by_lag[lag] for lag in lags)  # summed in the order of ``acc``: the last share is exactly 1
    days, shares, acc = [], [], 0.0
    for lag in lags:
        acc += by_lag[lag]
        days.append(lag)
        shares.append(acc / total if total else 1.0)
    return LagCdf(tuple(days), tuple(shares), interpolate=False)


def maturity(wh: Warehouse, flow: str = "X", engine: str | None = None) -> dict[date, MonthMaturity]:
    """Every month of ``flow`` in the customs lines with its expected completeness (empty when not loaded)."""
    if not wh.has(DATASET):
        return {}
    # every current vintage: the gateway's view of the lines also reads corrections and exporter_regions
    key = ("maturity", flow, engine or wh.settings.engine, wh.version())
    return wh.memo(key, lambda: _compute(wh, flow, engine))


def rows_expr(t: ir.Table, flow: str) -> ir.Table:
    """The maturity aggregation of lines ``t``: value by period, date and file date of ``flow``."""
    t = t.filter(t.flow == flow)
    return t.group_by(["period", "date", "file_date"]).aggregate(value_usd=t.value_usd.sum())


def rows_key(wh: Warehouse, flow: str, engine: str | None) -> tuple[Any, ...]:
    """The memo key of :func:`rows_expr`'s rows over the files that may hold a ``file_date``."""
    return ("maturity-rows", flow, engine or wh.settings.engine, wh.version())


def _rows(wh: Warehouse, flow: str, engine: str | None) -> list[tuple[date, date | None, date | None, float]]:
    """(period, date, file_date, value) summed over the files that may hold a ``file_date``: one Ibis
    aggregation, small (months × days × weeks), unless :mod:`.onescan` already memoised it."""

    def scan() -> pa.Table:
        expr = functools.partial(rows_expr, flow=flow)
        table = assembled.maturity(wh, DATASET, flow, engine, expr, WEEKLY)  # the vintages' sidecars, if any
        if table is None:
            table = wh.execute(expr(wh.table(DATASET, engine, where=WEEKLY)), engine=engine)
        return table

    table: pa.Table = wh.memo(rows_key(wh, flow, engine), scan)
    out = table.to_pydict()
    return [
        (p, d, f, float(v or 0.0))
        for p, d, f, v in zip(out["period"], out["date"], out["file_date"], out["value_usd"], strict=True)
        if p is not None
    ]


def _final_elsewhere(wh: Warehouse, flow: str, engine: str | None, candidates: set[date]) -> set[date]:
    """The ``candidates`` months of ``flow`` that the files without a ``file_date`` hold (a distinct over
    those files, restricted to the candidates; no query when there are none or no such file)."""
    if not candidates or not wh.files(DATASET, OTHER):
        return set()
    t = wh.table(DATASET, engine, where=OTHER)
    t = t.filter((t.flow == flow) & t.period.isin(sorted(candidates)))
    return set(wh.execute(t.select("period").distinct(), engine=engine).column("period").to_pylist())


def _compute(wh: Warehouse, flow: str, engine: str | None) -> dict[date, MonthMaturity]:
    rows = _rows(wh, flow, engine) if wh.files(DATASET, WEEKLY) else []
    weekly = [r for r in rows if r[2] is not None]
    as_of = max((f for _, _, f, _ in weekly if f is not None), default=None)
    periods = sorted(eng.held_months(wh, DATASET, flow, engine))
    if as_of is None:  # no line of the flow has a file_date: every month is final
        return {p: MonthMaturity(flow, p, None, None, 1.0, "final", 0) for p in periods}
    held = {p for p, _, _, _ in rows}  # the months the weekly files hold; the others are final
    final = {p for p, _, f, _ in rows if f is None} | (set(periods) - held)
    final |= _final_elsewhere(wh, flow, engine, held - final)
    settled = {p for p in periods if (as_of - month_end(p)).days >= SETTLED_DAYS and p not in final}
    cdf, n = PUBLISHED_CDF, 0
    basis: Basis = "published"
    if len(settled) >= MIN_MEASURED:
        sample = [(d or p, f, v) for p, d, f, v in weekly if p in settled and f is not None]
        cdf, basis, n = measured_cdf(sample), "measured", len(settled)
    out: dict[date, MonthMaturity] = {}
    for p in periods:
        age = (as_of - month_end(p)).days
        if p in final:
            out[p] = MonthMaturity(flow, p, as_of, age, 1.0, "final", 0)
        else:
            out[p] = MonthMaturity(flow, p, as_of, age, expected(p, as_of, cdf), basis, n)
    return out


def preliminary_months(wh: Warehouse, flow: str = "X", engine: str | None = None) -> list[date]:
    """The months of ``flow`` whose expected completeness is below :data:`MATURE`, oldest first."""
    return [p for p, m in sorted(maturity(wh, flow, engine).items()) if m.preliminary]


def latest_month(
    wh: Warehouse, names: Iterable[str], flow: str = "X", engine: str | None = None, *, mature: bool = False
) -> date | None:
    """The latest month any of the datasets ``names`` holds for ``flow`` (None: none holds a month).

    ``mature`` skips the months of customs lines that are still preliminary, unless none of theirs is mature.
    """
    latest: list[date] = []
    for name in names:
        periods = list(eng.held_months(wh, name, flow, engine))
        if mature and name == DATASET:
            young = set(preliminary_months(wh, flow, engine))
            periods = [p for p in periods if p not in young] or periods
        latest.extend(periods[-1:])
    return max(latest, default=None)
