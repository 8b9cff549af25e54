"""The corrected view's read side (docs/decisions/0017-weekly-microdata-archive.md §4 and its addendum on late
records): which records still apply, the anti-join leaving their rows out, and the exporter → department basis
(§6). Re-exported by :mod:`comercio.warehouse.revisions`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import ibis
import ibis.expr.types as ir
import pyarrow.parquet as pq


@lru_cache(maxsize=4096)
def late_by(path: str) -> frozenset[str]:
    """The ``by_source`` of the late records of one record file (vintage files never change)."""
    found = pq.ParquetFile(path).read(columns=["late", "by_source"])
    late, by = found.column("late").to_pylist(), found.column("by_source").to_pylist()
    return frozenset(b for is_late, b in zip(late, by, strict=True) if is_late and b)


def applying(superseded: ir.Table, later: ir.Table | None, keys: Sequence[str]) -> ir.Table:
    """The records of ``superseded`` that still apply: a vintage's own newer rows always (the record goes
    with them), a late one only while the row that superseded it (key, ``by_source``, ``by_file_date``) is
    among ``later``, the current lines that may hold it (None: no current file may)."""
    own = superseded.filter(~superseded.late).select(*keys, "source")
    if later is None:
        return own
    rows = later.select(*[later[c].name(f"_r{i}") for i, c in enumerate((*keys, "source", "file_date"))])
    late = superseded.filter(superseded.late)
    on = [late[c] == rows[f"_r{i}"] for i, c in enumerate((*keys, "by_source"))]
    on.append(late.by_file_date.identical_to(rows[f"_r{len(keys) + 1}"]))
    still = late.semi_join(rows, on).select(*keys, "source")
    return ibis.union(own, still)


def without_superseded(table: ir.Table, superseded: ir.Table, keys: Sequence[str]) -> ir.Table:
    """``table`` without the rows ``superseded`` lists (an anti-join on ``keys`` + ``source``)."""
    listed = superseded.select(*keys, "source").distinct()
    on = [table[c] == listed[c] for c in (*keys, "source")]  # key parts and source are never null there
    return table.anti_join(listed, on).select(*table.columns)


def attribute(lines: ir.Table, regions: ir.Table) -> ir.Table:
    """Customs lines with the user's exporter → department basis applied: only export lines without a
    producer UBIGEO (``region_basis = 'unattributed'``) whose trader is in ``regions`` and not masked get
    the table's department, and ``region_basis`` = the table's ``basis``. Rows and values are unchanged."""
    basis = regions.select(_trader=regions.trader_id, _department=regions.department, _basis=regions.basis)
    joined = lines.left_join(basis, lines.trader_id == basis._trader)
    take = (
        (joined.flow == "X")
        & (joined.region_basis == "unattributed")
        & joined._department.notnull()
        & ~joined.trader_masked.fill_null(False)
    )
    replaced = {
        "department": ibis.ifelse(take, joined._department, joined.department),
        "region_basis": ibis.ifelse(take, joined._basis, joined.region_basis),
    }
    return joined.select(*[replaced[c].name(c) if c in replaced else joined[c] for c in lines.columns])
