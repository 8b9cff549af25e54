"""The measures of a query, per member combination and period, computed in Arrow from a cut's rows.

value (US$) and net weight (kg) are sums over the period's months the data hold; unit value = value / net
weight (none where the weight is 0 or missing); growth compares with the comparison months (the same months
``compare_years`` earlier, or of the base year) as :func:`comercio.indicators.measures.growth` does (none
without a positive previous value); share is of the period's total over the filtered universe (unattributed
rows included); contribution = change / previous total; rank is by value within the period and the same
members of the other breakdowns (all but the last). Rows outside every member of a breakdown (unattributed
value, member None) count in totals, never in ranks. A period without comparison months has no growth nor
contribution. Each month is mapped to the periods it counts in (as a current or a comparison month), so one
join and one aggregation give every period at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from comercio.query._cut import Cut

NONE = "\x00"  # stands for a null member while joining (Arrow joins never match null keys)
CURRENT, PREVIOUS = 0, 1


@dataclass(frozen=True)
class Plan:
    """The months a period sums, and its comparison months (None: not all held)."""

    months: tuple[date, ...]
    comparison: tuple[date, ...] | None


def compute(
    c: Cut, plans: list[Plan], picked: dict[int, frozenset[str]] | None, *, with_previous: bool
) -> pa.Table:
    """One row per member combination (``m0``…) and period index (``pidx``) with ``value``, ``net_kg``,
    ``previous``, ``total``, ``total_previous`` and ``rank``, sorted for reading (period, the other
    breakdowns, rank). ``picked`` keeps only those members of a breakdown (ranks then are of them only);
    ``with_previous`` keeps members with comparison months only (value 0)."""
    names = [f"m{i}" for i in range(len(c.members))]
    roles = _roles(plans)
    months = pa.array(sorted({m for m in roles.column("period").to_pylist()}), pa.date32())
    columns: dict[str, pa.Array] = {n: pc.fill_null(m, NONE) for n, m in zip(names, c.members, strict=True)}
    columns |= {"period": c.period, "value": c.value}
    sums = [("value", "sum")]
    if c.weight is not None:
        columns["net_kg"] = c.weight
        sums.append(("net_kg", "sum"))
    keep = pc.is_in(c.period, months)
    for i, codes in (picked or {}).items():
        keep = pc.and_(
            keep, pc.fill_null(pc.is_in(c.members[i], pa.array(sorted(codes), pa.string())), False)
        )
    rows = _sum(pa.table(columns).filter(keep), [*names, "period"], sums)
    rows = _sum(rows.join(roles, keys="period"), [*names, "pidx", "role"], sums)
    now = rows.filter(pc.equal(rows.column("role"), CURRENT)).drop_columns(["role"])
    before = rows.filter(pc.equal(rows.column("role"), PREVIOUS)).select([*names, "pidx", "value"])
    joined = now.join(
        before.rename_columns([*names, "pidx", "previous"]),
        keys=[*names, "pidx"],
        join_type="full outer" if with_previous else "left outer",
    )
    totals = _totals(c, roles, plans)
    pidx = joined.column("pidx")
    compared = pa.array([p.comparison is not None for p in plans], pa.bool_()).take(pidx)
    previous = pc.if_else(
        compared, pc.fill_null(joined.column("previous"), 0.0), pa.scalar(None, pa.float64())
    )
    out = {
        n: pc.if_else(pc.equal(joined.column(n), NONE), pa.scalar(None, pa.string()), joined.column(n))
        for n in names
    }
    out |= {
        "pidx": pidx,
        "value": pc.fill_null(joined.column("value"), 0.0),
        "net_kg": joined.column("net_kg")
        if c.weight is not None
        else pa.nulls(joined.num_rows, pa.float64()),
        "previous": previous,
        "total": totals[0].take(pidx),
        "total_previous": totals[1].take(pidx),
    }
    return _ranked(pa.table(out), names)


def _roles(plans: list[Plan]) -> pa.Table:
    """month → (period index, current or comparison) for every month a period reads."""
    period: list[date] = []
    pidx: list[int] = []
    role: list[int] = []
    for i, p in enumerate(plans):
        for kind, months in ((CURRENT, p.months), (PREVIOUS, p.comparison or ())):
            period += months
            pidx += [i] * len(months)
            role += [kind] * len(months)
    return pa.table(
        {
            "period": pa.array(period, pa.date32()),
            "pidx": pa.array(pidx, pa.int32()),
            "role": pa.array(role, pa.int8()),
        }
    )


def _sum(t: pa.Table, keys: list[str], sums: list[tuple[str, str]]) -> pa.Table:
    """``t`` summed by ``keys`` (the summed columns keep their names)."""
    out = t.group_by(keys, use_threads=False).aggregate(sums)
    plain = {f"{c}_sum": c for c, _ in sums}
    return out.rename_columns([plain.get(n, n) for n in out.column_names]).select([*keys, *plain.values()])


def _totals(c: Cut, roles: pa.Table, plans: list[Plan]) -> tuple[pa.Array, pa.Array]:
    """The filtered universe's total of each period, and of its comparison months (None: no comparison)."""
    t = _sum(pa.table({"period": c.total[0], "value": c.total[1]}), ["period"], [("value", "sum")])
    t = _sum(t.join(roles, keys="period"), ["pidx", "role"], [("value", "sum")])
    found = {
        (i, r): v or 0.0 for i, r, v in zip(*(t.column(k).to_pylist() for k in t.column_names), strict=True)
    }
    now = [found.get((i, CURRENT), 0.0) for i in range(len(plans))]
    before = [None if p.comparison is None else found.get((i, PREVIOUS), 0.0) for i, p in enumerate(plans)]
    return pa.array(now, pa.float64()), pa.array(before, pa.float64())


def _ranked(t: pa.Table, names: list[str]) -> pa.Table:
    """Sorted by period, the other breakdowns' members, then value (largest first; unattributed last), with
    the rank of each row within its period and other members (None for unattributed rows)."""
    if not names:
        return t.append_column("rank", pa.array([1] * t.num_rows, pa.int64()))
    last = names[-1]
    outside = pc.is_null(t.column(last))
    t = t.append_column("_outside", outside)
    order = [("pidx", "ascending"), *((n, "ascending") for n in names[:-1])]
    order += [("_outside", "ascending"), ("value", "descending"), (last, "ascending")]
    t = t.sort_by(order)
    groups = list(zip(*(t.column(k).to_pylist() for k in ("pidx", *names[:-1])), strict=True))
    flags = t.column("_outside").to_pylist()
    ranks: list[int | None] = []
    previous_group, n = None, 0
    for group, out in zip(groups, flags, strict=True):
        n = 1 if group != previous_group else n + 1
        previous_group = group
        ranks.append(None if out else n)
    return t.drop_columns(["_outside"]).append_column("rank", pa.array(ranks, pa.int64()))
