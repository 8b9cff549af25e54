"""The region cube and the maturity rows assembled from the vintages' aggregates (sidecars written at load,
:mod:`comercio.warehouse.aggregates`), scanning only the vintages they cannot answer for.

A current vintage answers from its sidecar when the sidecar is valid (format, columns and schema current),
none of its rows has a ``source`` a correction listed by any current vintage superseded (the sidecar's rows
are by source; :meth:`Warehouse.superseded_sources`: the corrected view anti-joins on the key and the source,
so such a vintage loses no row) and no ``exporter_regions`` table re-attributes departments. Every other
vintage is scanned as before, through the gateway (conformed and corrected), of its files only; the two parts
are summed again in Arrow. With no vintage answered by a sidecar the caller runs its full scan unchanged
(docs/decisions/0024-vintage-aggregates.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from comercio.warehouse import Holding, Vintage, Warehouse, aggregates, schema

Scan = Callable[[ir.Table], ir.Table]
USE = True  # False: every vintage is scanned, as without sidecars (the benchmark's cold figure)
USE_INDEX = True  # False: each vintage's own sidecar is read, as before `comercio warehouse aggregate` ran


@dataclass(frozen=True)
class Split:
    """The sidecar rows of one flow, and the data files of the vintages to scan (empty: none)."""

    cached: pa.Table
    scanned: list[Path]
    answered: int  # vintages answered by their sidecar


def split(
    wh: Warehouse, name: str, kind: aggregates.Kind, flow: str, where: Holding | None = None
) -> Split | None:
    """The rows of the ``kind`` sidecars of ``name``'s vintages that have one and no correction touches,
    and the files of the others (only those ``where`` selects); None when no sidecar can answer.

    A vintage answered by its maturity sidecar counts with all its rows, also those of a file without any
    ``file_date`` (``where`` would leave it out): those rows have a null ``file_date`` and only make their
    month final, which the files without ``file_date`` make it anyway (:func:`maturity._compute`)."""
    spec = schema.DATASETS.get(name)
    if not USE or not aggregates.applies(spec) or wh.has("exporter_regions"):
        return None
    every, found, have, touched = _sidecars(wh, name, kind)
    if found is None:
        return None
    answered = {i for i, h in enumerate(have) if h and i not in touched}
    if not answered:
        return None
    scanned = [
        p
        for i, v in enumerate(every)
        if i not in answered
        for p in sorted(wh.vintage_dir(v).glob("*.parquet"))
        if where is None or where(p)
    ]
    keep = pc.equal(found.column("flow"), flow)
    if touched:
        keep = pc.and_(
            keep, pc.invert(pc.is_in(found.column("vintage"), pa.array(sorted(touched), pa.int32())))
        )
    rows = found.filter(keep)
    return Split(rows, scanned, len(answered))


def _sidecars(
    wh: Warehouse, name: str, kind: aggregates.Kind
) -> tuple[list[Vintage], pa.Table | None, list[bool], set[int]]:
    """The current vintages of ``name``, the rows of their ``kind`` sidecars (both flows), which of them
    have one, and those a correction may touch: read once per catalog version, whichever flow or report
    question asks."""

    def read() -> tuple[list[Vintage], pa.Table | None, list[bool], set[int]]:
        every = wh.vintages(name)
        found, have = aggregates.read_many(
            _Directories(wh, every),
            name,
            kind.name,
            kind.columns,
            ids=[v.vintage for v in every],
            base=wh.settings.data_dir / name if USE_INDEX else None,
        )
        if found is None:
            return every, None, have, set()
        superseded = pa.array(wh.superseded_sources(name), pa.string())
        hit = found.filter(pc.is_in(found.column("source"), value_set=superseded)).column("vintage")
        return every, found, have, set(hit.to_pylist())  # touched: scanned, corrected

    key = ("sidecars", name, kind.name, wh.version(), USE_INDEX)
    result: tuple[list[Vintage], pa.Table | None, list[bool], set[int]] = wh.memo(key, read)
    return result


class _Directories(Sequence[Path]):
    """The vintages' directories, each made when asked: the index answers for most of them, and making
    1,667 path objects costs more than reading it."""

    def __init__(self, wh: Warehouse, vintages: list[Vintage]) -> None:
        self.wh, self.vintages = wh, vintages

    def __len__(self) -> int:
        return len(self.vintages)

    @overload
    def __getitem__(self, i: int) -> Path: ...
    @overload
    def __getitem__(self, i: slice) -> list[Path]: ...
    def __getitem__(self, i: int | slice) -> Path | list[Path]:
        if isinstance(i, slice):
            return [self.wh.vintage_dir(v) for v in self.vintages[i]]
        return self.wh.vintage_dir(self.vintages[i])


def assemble(
    wh: Warehouse,
    name: str,
    kind: aggregates.Kind,
    flow: str,
    engine: str | None,
    expr: Callable[[ir.Table], ir.Table],
    sums: tuple[str, ...],
    where: Holding | None = None,
) -> pa.Table | None:
    """``expr`` (an aggregation by ``kind``'s columns summing ``sums``, of one flow) over the sidecars and
    the scanned vintages, summed again: the table the full scan gives, but for the order of its rows and of
    floating-point additions. None: no sidecar answers, the caller scans."""
    part = split(wh, name, kind, flow, where)
    if part is None:
        return None
    keys = list(kind.columns)
    tables = [part.cached.select([*keys, *sums])]
    if part.scanned:
        rest = wh.table(name, engine, where=aggregates.among(part.scanned))
        scanned = wh.execute(expr(rest), engine=engine)
        tables.append(scanned.select([*keys, *sums]).cast(tables[0].schema))
    both = pa.concat_tables(tables)
    out = both.group_by(keys, use_threads=False).aggregate([(c, "sum") for c in sums])
    return out.select([*keys, *[f"{c}_sum" for c in sums]]).rename_columns([*keys, *sums])


def region(
    wh: Warehouse,
    name: str,
    flow: str,
    engine: str | None,
    columns: tuple[str, ...],
    expr: Scan,
    weighed: bool,
) -> pa.Table | None:
    """The region cube of ``name`` for ``flow`` (``columns``: the engine's region-cube columns; ``expr``:
    its aggregation of a table), or None when the sidecars cannot give it (other columns; no sidecar)."""
    kind = aggregates.kind("region")
    if columns != kind.columns:
        return None
    sums = ("value_usd", aggregates.WEIGHT) if weighed else ("value_usd",)
    return assemble(wh, name, kind, flow, engine, expr, sums)


def maturity(
    wh: Warehouse, name: str, flow: str, engine: str | None, expr: Scan, where: Holding
) -> pa.Table | None:
    """The maturity rows (period, date, file_date, value_usd) of the files ``where`` selects, or None."""
    return assemble(wh, name, aggregates.kind("maturity"), flow, engine, expr, ("value_usd",), where)
