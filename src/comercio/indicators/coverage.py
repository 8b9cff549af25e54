"""Attribution coverage: per month, the share of export value each ``region_basis`` places in a department.

A line without a producer UBIGEO goes to department ``99`` with ``region_basis = unattributed``; a
user-supplied exporter → department table attributes some of those lines under its own basis
(``ruc_register``, ``infotrade`` …); BCRP's table puts its "No registrado" value in ``99`` too (basis
``source_table``). Coverage is therefore one rule for every dataset with departments: the value outside
department ``99`` divided by the month's total, and, per basis, the share of the total it attributes
(decision 0017, point 6). Nothing is dropped: the unattributed value stays in the total. It is re-aggregated
from the dataset's cube, which keeps ``region_basis`` (decision 0019): no scan of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # the engine and the warehouse are imported when coverage is computed, not by its readers
    from comercio.warehouse import Warehouse

NO_DEPARTMENT = "99"  # reference table departments: "No registrado" / without a department
THRESHOLD = 0.95  # below this attributed share the department sections carry a warning
# coverages further apart than this (fraction of value) make growth by region compare different bases
COMPARABLE = 0.05
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class Coverage:
    """Value of one month (or a window of months) by basis, and the share attributed to a department."""

    total: float
    attributed: dict[str, float] = field(default_factory=dict)  # basis → value placed in a department
    unattributed: float = 0.0  # value in department 99, whatever its basis

    @property
    def share(self) -> float | None:
        """Attributed value / total (None when there is no value)."""
        return sum(self.attributed.values()) / self.total if self.total else None

    def shares(self) -> dict[str, float]:
        """Basis → share of the total it attributes, plus ``unattributed`` (sums to 1)."""
        if not self.total:
            return {}
        out = {b: v / self.total for b, v in sorted(self.attributed.items(), key=lambda kv: -kv[1])}
        out[UNATTRIBUTED] = self.unattributed / self.total
        return out

    @property
    def below_threshold(self) -> bool:
        return self.share is not None and self.share < THRESHOLD


def combine(months: Iterable[Coverage]) -> Coverage:
    """The coverage of several months together (value-weighted)."""
    total, unattributed = 0.0, 0.0
    attributed: dict[str, float] = defaultdict(float)
    for c in months:
        total += c.total
        unattributed += c.unattributed
        for b, v in c.attributed.items():
            attributed[b] += v
    return Coverage(total, dict(attributed), unattributed)


def coverage(wh: Warehouse, dataset: str, flow: str = "X", engine: str | None = None) -> dict[date, Coverage]:
    """Per month of ``flow`` in ``dataset`` (one with departments), its attribution coverage."""
    from comercio.warehouse import schema

    spec = schema.get(dataset)
    if "department" not in spec.columns or "region_basis" not in spec.columns or not wh.has(dataset):
        return {}
    # every current vintage: the gateway's view of the lines also reads exporter_regions
    key = ("coverage", dataset, flow, engine or wh.settings.engine, wh.version())
    return wh.memo(key, lambda: _compute(wh, dataset, flow, engine))


def _compute(wh: Warehouse, dataset: str, flow: str, engine: str | None) -> dict[date, Coverage]:
    from comercio.indicators import engine as eng

    t = eng.cube(wh, dataset, flow, engine).table
    outside = pc.fill_null(pc.equal(t.column("department"), NO_DEPARTMENT), True)
    out = (
        pa.table({"period": t.column("period"), "region_basis": t.column("region_basis"), "none": outside})
        .append_column("value", t.column("value_usd"))
        .group_by(["period", "region_basis", "none"], use_threads=False)
        .aggregate([("value", "sum")])
        .to_pydict()
    )  # the dataset's cube keeps region_basis: the coverage needs no scan of its own
    total: dict[date, float] = defaultdict(float)
    none: dict[date, float] = defaultdict(float)
    placed: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for p, basis, unplaced, v in zip(
        out["period"], out["region_basis"], out["none"], out["value_sum"], strict=True
    ):
        if p is None:
            continue
        value = float(v or 0.0)
        total[p] += value
        if unplaced:
            none[p] += value
        else:
            placed[p][basis or UNATTRIBUTED] += value
    return {p: Coverage(total[p], dict(placed[p]), none[p]) for p in sorted(total)}


def window(by_month: dict[date, Coverage], start: date, end: date) -> Coverage:
    """The coverage of the months from ``start`` to ``end`` (inclusive)."""
    return combine(c for p, c in by_month.items() if start <= p <= end)
