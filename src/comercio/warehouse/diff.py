"""Explain what moved between two vintages of a dataset: which periods and members, by how much.

Besides the rows that moved (on the grain), each pair is summarised as in the shrink guard
(:mod:`comercio.warehouse.shrink`): years, months and members dropped or added, and the value change over
the periods both vintages hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from comercio.errors import WarehouseError
from comercio.warehouse import schema
from comercio.warehouse.catalog import Vintage
from comercio.warehouse.gateway import Warehouse
from comercio.warehouse.shrink import Comparison, compare_files


@dataclass(frozen=True)
class VintageDiff:
    dataset: str
    slice: str
    old: Vintage
    new: Vintage
    changes: list[dict[str, Any]]  # key columns + old, new, change
    added: int
    removed: int
    comparison: Comparison

    @property
    def changed(self) -> int:
        return len(self.changes)


def explain(wh: Warehouse, old: Vintage, new: Vintage) -> Comparison:
    """Years, months and members ``new`` drops or adds compared with ``old``, and the value change."""
    files = [sorted(wh.vintage_dir(v).glob("*.parquet")) for v in (old, new)]
    return compare_files(old.dataset, *files)


def diff(wh: Warehouse, dataset: str, *, slice_: str | None = None, limit: int = 1000) -> list[VintageDiff]:
    """Compare the current vintage of each slice with the one before it, row by row on the grain."""
    if limit < 0:
        raise WarehouseError(f"limit must be 0 or more, not {limit}")
    spec = schema.get(dataset)
    all_v = wh.catalog.vintages(dataset, slice_=slice_)
    if not all_v:
        raise WarehouseError(f"dataset {dataset!r} has no vintages", hint="run `comercio ingest` first")
    out = []
    for s in sorted({v.slice for v in all_v}):
        vs = sorted((v for v in all_v if v.slice == s), key=lambda v: v.number)
        if len(vs) < 2:
            continue
        out.append(_diff_pair(wh, spec, vs[-2], vs[-1], limit))
    return out


def _diff_pair(
    wh: Warehouse, spec: schema.DatasetSpec, old: Vintage, new: Vintage, limit: int
) -> VintageDiff:
    con = wh.backend("duckdb")
    keys = list(spec.grain)
    a = con.read_parquet(str(wh.vintage_dir(old) / "*.parquet"))
    b = con.read_parquet(str(wh.vintage_dir(new) / "*.parquet"))
    a = a.group_by(keys).aggregate(old=a[spec.value_column].sum())
    b = b.group_by(keys).aggregate(new=b[spec.value_column].sum())
    j = a.outer_join(b, [a[k] == b[k] for k in keys])
    merged = j.select(
        *[ibis.coalesce(j[k], j[f"{k}_right"]).name(k) for k in keys],
        old=j.old,
        new=j.new,
    )
    moved = merged.filter(
        merged.old.isnull() | merged.new.isnull() | ((merged.new - merged.old).abs() > 0.005)
    )
    counts = wh.execute(
        moved.aggregate(
            n=moved.count(),
            added=moved.old.isnull().sum(),
            removed=moved.new.isnull().sum(),
        ),
        engine="duckdb",
    ).to_pylist()[0]
    ordered = moved.mutate(change=moved.new.fill_null(0) - moved.old.fill_null(0))
    ordered = ordered.order_by(ibis.desc(ordered.change.abs()))
    rows = wh.execute(ordered, engine="duckdb", limit=limit).to_pylist()
    added, removed = int(counts["added"] or 0), int(counts["removed"] or 0)
    return VintageDiff(spec.name, old.slice, old, new, rows, added, removed, explain(wh, old, new))
