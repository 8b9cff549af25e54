"""The measures of a query, per member combination and period, from a cut's monthly rows.

value (US$) and net weight (kg) are sums over the period's months the data hold; unit value = value / net
weight (none where the weight is 0); growth compares with the same months ``compare_years`` earlier, or of
the base year; share is of the period's total over the filtered universe (unattributed rows included);
contribution = change / previous total; rank is by value within the period and the same members of the
other breakdowns (all but the last). Rows outside every member (unattributed value) count in totals, never
in ranks. Growth follows :func:`comercio.indicators.measures.growth` (none without a positive previous
value). A period whose comparison months are not all held has no growth nor contribution.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from comercio.indicators.measures import growth
from comercio.query._cut import Cut
from comercio.query._periods import Period

Key = tuple[str | None, ...]


@dataclass
class Figures:
    """One member combination in one period."""

    members: Key
    period: Period
    value: float
    net_kg: float | None
    previous: float | None
    total: float
    total_previous: float | None
    rank: int | None = None  # none for rows outside every member (unattributed)

    @property
    def unit_value(self) -> float | None:
        return None if not self.net_kg else self.value / self.net_kg

    @property
    def growth(self) -> float | None:
        return growth(self.value, self.previous)

    @property
    def share(self) -> float | None:
        return None if not self.total else self.value / self.total

    @property
    def contribution(self) -> float | None:
        if self.previous is None or not self.total_previous:
            return None
        return (self.value - self.previous) / self.total_previous

    def measure(self, name: str) -> Any:
        return self.rank if name == "rank" else getattr(self, name)


Monthly = dict[Key, dict[date, tuple[float, float | None]]]


def monthly(
    c: Cut, months: set[date], picked: dict[int, frozenset[str]] | None = None
) -> tuple[Monthly, dict[date, float]]:
    """Value and net weight per member combination and month of ``months`` (of the members ``picked`` per
    breakdown, when given), and the universe's total per month."""
    names = [f"m{i}" for i in range(len(c.members))]
    columns: dict[str, pa.Array] = dict(zip(names, c.members, strict=True))
    columns |= {"period": c.period, "value": c.value}
    aggs = [("value", "sum")]
    if c.weight is not None:
        columns["weight"] = c.weight
        aggs.append(("weight", "sum"))
    keep = pc.is_in(c.period, pa.array(sorted(months), pa.date32()))
    for i, codes in (picked or {}).items():
        inside = pc.is_in(c.members[i], pa.array(sorted(codes), pa.string()))
        keep = pc.and_(keep, pc.fill_null(inside, False))
    rows = pa.table(columns).filter(keep)
    grouped = rows.group_by([*names, "period"], use_threads=False).aggregate(aggs)
    keys = list(zip(*(grouped.column(n).to_pylist() for n in names), strict=True)) if names else None
    periods = grouped.column("period").to_pylist()
    values = grouped.column("value_sum").to_pylist()
    weights = grouped.column("weight_sum").to_pylist() if c.weight is not None else [None] * len(values)
    out: Monthly = defaultdict(dict)
    for i, (month, value, kg) in enumerate(zip(periods, values, weights, strict=True)):
        out[keys[i] if keys is not None else ()][month] = (value or 0.0, kg)
    total = (
        pa.table({"period": c.total[0], "value": c.total[1]})
        .group_by(["period"], use_threads=False)
        .aggregate([("value", "sum")])
    )
    totals = dict(zip(total.column("period").to_pylist(), total.column("value_sum").to_pylist(), strict=True))
    return out, {m: v or 0.0 for m, v in totals.items()}


def figures(
    data: Monthly,
    totals: dict[date, float],
    period: Period,
    months: tuple[date, ...],
    comparison: tuple[date, ...] | None,
    *,
    weighed: bool,
    with_previous: bool,
) -> list[Figures]:
    """The figures of every member combination with data in ``months`` (or, when growth is asked, in the
    ``comparison`` months), ranked."""
    out = []
    total = sum(totals.get(m, 0.0) for m in months)
    total_previous = None if comparison is None else sum(totals.get(m, 0.0) for m in comparison)
    for key, by_month in data.items():
        now = [by_month[m] for m in months if m in by_month]
        before = [] if comparison is None else [by_month[m] for m in comparison if m in by_month]
        if not now and not (with_previous and before):
            continue
        kg = [w for _, w in now if w is not None]
        out.append(
            Figures(
                members=key,
                period=period,
                value=sum(v for v, _ in now),
                net_kg=(sum(kg) if kg else (0.0 if now else None)) if weighed else None,
                previous=None if comparison is None else sum(v for v, _ in before),
                total=total,
                total_previous=total_previous,
            )
        )
    return _ranked(out)


def _ranked(rows: list[Figures]) -> list[Figures]:
    """Ranks by value within the same members of every breakdown but the last (1 = largest)."""
    groups: dict[Key, list[Figures]] = defaultdict(list)
    for r in rows:
        groups[r.members[:-1]].append(r)
    out: list[Figures] = []
    for _, group in sorted(groups.items(), key=lambda kv: tuple(m or "" for m in kv[0])):
        group.sort(key=lambda r: (_outside(r), -r.value, tuple(m or "" for m in r.members)))
        for i, r in enumerate(group):
            r.rank = None if _outside(r) else i + 1
            out.append(r)
    return out


def _outside(r: Figures) -> bool:
    """A row of value outside every member of the last breakdown (unattributed)."""
    return bool(r.members) and r.members[-1] is None
