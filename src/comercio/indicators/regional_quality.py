"""The regional report's data quality: the maturity of its last month and the attribution coverage.

Facts ``maturity.latest.*`` say how complete the report's last month of customs lines is expected to be
(:mod:`comercio.indicators.maturity`), facts ``coverage.*`` the share of export value placed in a department
in the window and in each earlier year (:mod:`comercio.indicators.coverage`). :func:`refuse_preliminary` is
the regional report's refusal of a preliminary last month (decision 0017, points 5 and 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from comercio.errors import DataNotAvailable
from comercio.indicators import coverage as cov
from comercio.indicators import datasets
from comercio.indicators import maturity as mat
from comercio.indicators.engine import Series
from comercio.indicators.regional_result import RegionalFacts
from comercio.indicators.specs import Comparison, Filters, Grouping, Window
from comercio.warehouse import Warehouse


class _Builder(Protocol):
    """What the quality facts need from the regional report's builder (:mod:`.regional` imports us)."""

    wh: Warehouse
    engine: str | None
    through: date
    window: Window
    comparison: Comparison

    def series(self, grouping: Grouping, filters: Filters | None = None) -> Series: ...

    def add(
        self,
        template: str,
        value: Any,
        s: Series,
        *,
        parts: Mapping[str, str] | None = None,
        window: Window | None = None,
        member: str | None = None,
        compared: bool = False,
        **extra: Any,
    ) -> None: ...


def latest_month(wh: Warehouse, engine: str | None = None, *, mature: bool = False) -> date:
    """The last month with departmental data in any loaded dataset (the default month of the report).

    ``mature`` skips the months of customs lines that are still preliminary (:mod:`.maturity`), unless no
    month is mature yet.
    """
    try:
        names = datasets.candidates(wh.datasets(), Grouping("department"), Filters())
    except DataNotAvailable:
        raise DataNotAvailable("no export data loaded", hint="run `comercio build`") from None
    latest = mat.latest_month(wh, names, "X", engine, mature=mature)
    if latest is None:
        raise DataNotAvailable("no export data loaded", hint="run `comercio build`")
    return latest


def quality_facts(b: _Builder) -> None:
    """How complete the report's last month is expected to be, and the window's attribution coverage."""
    s = b.series(Grouping("department"))
    month = Window.month(b.through)
    months = mat.maturity(b.wh, "X", b.engine) if s.dataset == mat.DATASET else {}
    found = months.get(b.through)
    for m in sorted(months):  # every preliminary month of the window (an earlier one can still be young)
        if b.window.start <= m <= b.through and months[m].preliminary:
            b.add(
                "maturity.window.{month}.completeness",
                months[m].completeness,
                s,
                parts={"month": f"{m:%Y-%m}"},
                window=Window.month(m),
            )
    if found is not None:
        extra: dict[str, Any] = {
            "as_of": None if found.as_of is None else found.as_of.isoformat(),
            "age_days": found.age_days,
            "basis": found.basis,
            "months_measured": found.months_measured,
            "threshold": mat.MATURE,
        }
        b.add("maturity.latest.completeness", found.completeness, s, window=month, **extra)
        b.add("maturity.latest.preliminary", found.preliminary, s, window=month, **extra)
        if found.as_of is not None:
            b.add("maturity.latest.as_of", found.as_of.isoformat(), s, window=month)
    by_month = cov.coverage(b.wh, s.dataset, "X", b.engine)
    if not by_month:
        return
    for y in sorted({p.year for p in by_month if p.year <= b.through.year}):
        w = Window.year(y) if y < b.through.year else b.window
        c = cov.window(by_month, w.start, w.end)
        template, parts = (
            ("coverage.window.share", {})
            if y == b.through.year
            else ("coverage.{year}.share", {"year": str(y)})
        )
        b.add(
            template,
            c.share,
            s,
            parts=parts,
            window=w,
            shares=c.shares(),
            threshold=cov.THRESHOLD,
            unattributed_usd=c.unattributed,
            total_usd=c.total,
        )
        if y == b.through.year:
            before = b.comparison.window(b.window)
            p = cov.window(by_month, before.start, before.end)
            if p.share is not None:
                b.add("coverage.previous.share", p.share, s, window=before, shares=p.shares())
        if y == b.through.year and c.total:
            b.add("coverage.window.unattributed", c.unattributed / c.total, s, window=w)
            for basis, value in c.attributed.items():
                b.add("coverage.window.basis.{basis}", value / c.total, s, parts={"basis": basis}, window=w)


def refuse_preliminary(rf: RegionalFacts, wh: Warehouse, engine: str | None = None) -> None:
    """:class:`DataNotAvailable` when the report's last month is preliminary: which month, how complete it is
    expected to be, as of when, on what basis, and how to proceed."""
    f = rf.facts.get("maturity.latest.completeness")
    if f is None or not rf.preliminary:
        return
    x = f.extra
    basis = (
        f"lag measured on {x['months_measured']} settled months of the archive"
        if x["basis"] == "measured"
        else "SUNAT's published lag (median 11 days, p99 30), too few settled months to measure it"
    )
    earlier = latest_month(wh, engine, mature=True)
    alternative = f", or choose an earlier month: --through {earlier:%Y-%m}" if earlier < rf.through else ""
    raise DataNotAvailable(
        f"{rf.through:%Y-%m} is a preliminary month: its customs lines are expected to be "
        f"{100 * f.value:.1f} % complete as of {x['as_of']} (the latest weekly file), "
        f"{x['age_days']} days after the month ended; basis: {basis}; a month counts as complete "
        f"from {100 * x['threshold']:.1f} %",
        field="through",
        hint=f"pass --preliminary to write the report anyway, marked preliminary{alternative}",
    )
