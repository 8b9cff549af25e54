"""The figures of a profile (a region, a product, a partner country), as facts, from the engine's series.

A profile's history is read year by year from every loaded dataset able to answer for the member
(:func:`comercio.indicators.datasets.candidates`), each over its whole span: BCRP's department table from
2005, SUNAT's G6 for destinations, G1 for a sector, customs lines where loaded. A year whose twelve months
are not all in the dataset is *partial*: its fact says which months it holds (``extra.months``) and its
growth compares the same months of the year before, never a part of a year with a whole one. Breakdowns
(products, destinations, customs offices, regions) are read from the finest loaded line dataset over its
latest year (partial or not), against the same months a year earlier. No SQL here: every number comes
from :func:`comercio.indicators.engine.series`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from comercio.errors import DataNotAvailable
from comercio.indicators import datasets
from comercio.indicators import engine as eng
from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.specs import Filters, Grouping
from comercio.warehouse import Warehouse, schema

FLOW_WORD = {"X": "exports", "M": "imports"}
TOP = 10  # members listed in a breakdown


@dataclass(frozen=True)
class Year:
    """One year of a member's history in one dataset: value, the months the dataset holds, the total."""

    year: int
    value: float
    first: int  # first month of the year held by the dataset (1 for a year held from January)
    last: int  # last month held
    held: int  # months held (fewer than last - first + 1 when the dataset skips some)
    total: float | None  # the national total of the same dataset and months (None: none held)

    @property
    def partial(self) -> bool:
        return self.held != 12


@dataclass(frozen=True)
class History:
    """A member's yearly values in one dataset, for one flow, over the dataset's whole span."""

    dataset: str
    flow: str
    years: tuple[Year, ...]
    vintages: tuple[str, ...]
    synthetic: bool
    monthly: Mapping[tuple[int, int], float] = field(default_factory=dict)  # (year, month) → value
    held: frozenset[tuple[int, int]] = frozenset()  # the (year, month) the dataset holds

    def same_months(self, y: Year, years_back: int = 1) -> float | None:
        """The value of the months of ``y`` ``years_back`` years earlier; None unless all are held."""
        months = [m for (yy, m) in self.held if yy == y.year]
        back = [(y.year - years_back, m) for m in months]
        if not back or not all(k in self.held for k in back):
            return None
        return sum(self.monthly.get(k, 0.0) for k in back)


def _months_by_year(periods: Iterable[date]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for p in sorted(periods):
        out.setdefault(p.year, []).append(p.month)
    return out


Member = str | Callable[[str], bool] | None  # a member code, a test of member codes, or None (every row)


def _values(s: eng.Series, member: Member) -> dict[tuple[int, int], float]:
    """Per (year, month): the value of ``member`` (the members it accepts; None: every row)."""
    test = member if callable(member) else None
    out: dict[tuple[int, int], float] = {}
    for m, p, v in s.triples:
        if member is None or (m is not None and (test(m) if test is not None else m == member)):
            out[(p.year, p.month)] = out.get((p.year, p.month), 0.0) + v
    return out


def history(
    wh: Warehouse,
    grouping: Grouping,
    filters: Filters,
    member: Member,
    dataset: str,
    engine: str | None = None,
) -> History | None:
    """The yearly history of ``member`` of ``grouping`` in ``dataset``, with the national total of the same
    dataset, flow and months (unattributed rows included) for its share.

    Years are those the dataset holds for the flow; a year the member is absent from counts 0 (the dataset
    holds it: nothing was traded). None when the dataset holds no month of the flow.
    """
    s = eng.series(wh, grouping, filters, engine=engine, dataset=dataset)
    held = _months_by_year(s.periods)
    if not held:
        return None
    mine = _values(s, member)
    national = eng.series(
        wh, Grouping("national"), Filters(flow=filters.flow), engine=engine, dataset=dataset
    )
    total = _values(national, None)
    years = []
    for y, months in sorted(held.items()):
        value = sum(mine.get((y, m), 0.0) for m in months)
        tot = sum(total.get((y, m), 0.0) for m in months)
        years.append(Year(y, value, months[0], months[-1], len(months), tot or None))
    held_months = frozenset((p.year, p.month) for p in s.periods)
    return History(dataset, filters.flow, tuple(years), s.vintages, s.synthetic, mine, held_months)


def _growth(value: float, previous: float | None) -> float | None:
    return None if previous is None or previous <= 0 else value / previous - 1.0


def answering(wh: Warehouse, grouping: Grouping, filters: Filters) -> list[str]:
    """The loaded datasets able to answer (best first); empty when none can."""
    try:
        return datasets.candidates(wh.datasets(), grouping, filters)
    except DataNotAvailable:
        return []


@dataclass
class Builder:
    """Collects a profile's facts (families ``profile.*`` of ``facts.toml``)."""

    synthetic: bool = False
    facts: FactSet = field(default_factory=FactSet)
    datasets: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, template: str, value: Any, *, window: Mapping[str, Any], src: Any, **kw: Any) -> Fact:
        fact = make(
            template,
            value,
            window=window,
            dataset=src.dataset,
            vintages=src.vintages,
            synthetic=src.synthetic,
            **kw,
        )
        self.synthetic = self.synthetic or src.synthetic
        self.datasets[src.dataset] = tuple(src.vintages)
        return self.facts.add(fact)

    def history_facts(self, h: History, member: str | None) -> None:
        """Value, share of the national total and growth of every year, and the record (full years)."""
        word = FLOW_WORD[h.flow]
        base = {"dataset": h.dataset, "flow_word": word}
        for y in h.years:
            window = {"kind": "months", "start": f"{y.year}-{y.first:02d}", "end": f"{y.year}-{y.last:02d}"}
            months = {"months": [y.first, y.last], "held": y.held, "partial": y.partial}
            parts = {**base, "year": str(y.year)}
            kw: dict[str, Any] = {"window": window, "src": h, "parts": parts, "member": member}
            self.add("profile.{dataset}.{flow_word}.value.{year}", y.value, extra=months, **kw)
            if y.total:
                share = y.value / y.total
                self.add(
                    "profile.{dataset}.{flow_word}.share.{year}",
                    share,
                    extra={**months, "total": y.total},
                    **kw,
                )
            prev = h.same_months(y)
            if prev is not None and prev > 0:
                self.add(
                    "profile.{dataset}.{flow_word}.growth.{year}",
                    _growth(y.value, prev),
                    extra={**months, "previous": prev},
                    comparison={"kind": "same_window", "years": 1},
                    **kw,
                )
        full = [y for y in h.years if not y.partial]
        if full:
            top = max(full, key=lambda y: y.value)
            window = {"kind": "years", "start": str(full[0].year), "end": str(full[-1].year)}
            self.add(
                "profile.{dataset}.{flow_word}.record",
                top.value,
                window=window,
                src=h,
                parts=base,
                extra={"year": top.year, "years": len(full)},
                member=member,
            )

    def breakdown_facts(
        self,
        wh: Warehouse,
        dimension: str,
        filters: Filters,
        dataset: str,
        engine: str | None = None,
        *,
        key: str | None = None,
    ) -> bool:
        """The :data:`TOP` members of ``dimension`` in the dataset's latest year (its months), with share
        and growth on the same months a year earlier; ``key`` names the breakdown in the facts' parts
        (default: the dimension; ``agro`` for the agro basket's products). False when nothing is held."""
        grouping = Grouping(dimension)
        s = eng.series(wh, grouping, filters, engine=engine, dataset=dataset)
        held = _months_by_year(s.periods)
        if not held:
            return False
        year = max(held)
        months = held[year]
        now: dict[str | None, float] = {}
        before: dict[str | None, float] = {}
        for m, p, v in s.triples:
            if p.month < months[0] or p.month > months[-1]:
                continue
            if p.year == year:
                now[m] = now.get(m, 0.0) + v
            elif p.year == year - 1:
                before[m] = before.get(m, 0.0) + v
        total = sum(now.values())
        if total <= 0:
            return False
        has_before = all(m in held.get(year - 1, []) for m in months)
        word = FLOW_WORD[filters.flow]
        window = {"kind": "months", "start": f"{year}-{months[0]:02d}", "end": f"{year}-{months[-1]:02d}"}
        extra = {
            "months": [months[0], months[-1]],
            "partial": (months[0], months[-1]) != (1, 12),
            "year": year,
            "total": total,
        }
        ranked = sorted(((m, v) for m, v in now.items() if m is not None), key=lambda mv: -mv[1])
        for code, value in ranked[:TOP]:
            parts = {"flow_word": word, "dimension": key or dimension, "member": code}
            self.add(
                "profile.{flow_word}.{dimension}.{member}.value",
                value,
                window=window,
                src=s,
                parts=parts,
                extra=extra,
                member=code,
            )
            self.add(
                "profile.{flow_word}.{dimension}.{member}.share",
                value / total,
                window=window,
                src=s,
                parts=parts,
                extra=extra,
                member=code,
            )
            growth = _growth(value, before.get(code)) if has_before else None
            if growth is not None:
                self.add(
                    "profile.{flow_word}.{dimension}.{member}.growth",
                    growth,
                    window=window,
                    src=s,
                    parts=parts,
                    extra=extra,
                    member=code,
                    comparison={"kind": "same_window", "years": 1},
                )
        return True


def is_lines(dataset: str) -> bool:
    return schema.get(dataset).lines


__all__ = ["FLOW_WORD", "TOP", "Builder", "History", "Year", "answering", "history"]
