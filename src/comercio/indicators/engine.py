"""Compile specs to Ibis and run them on the warehouse's engine (DuckDB or Spark).

The engine scans each dataset once per flow: a single Ibis aggregation (the *cube*) sums value by month and
by every dimension the dataset carries (department, customs office, partner, product …). The cube is small
— the grain of the questions, not of the declarations — and cached per dataset vintage, so a whole report is
one scan of the data whatever its size. Every grouping (macroregion, natural region, product group, basket
…) is then a re-aggregation of the cube in Arrow, and every indicator (window sums, growth, shares, records,
projections) is derived from the resulting monthly series per member in :mod:`comercio.indicators.measures`.
The same Ibis expression runs unchanged on DuckDB and on Spark (docs/decisions/0001-engine.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from comercio import reference
from comercio.errors import DataNotAvailable
from comercio.indicators import datasets
from comercio.indicators.specs import Filters, Grouping
from comercio.warehouse import Warehouse

TOTAL = "__total__"
CUADRO_FOR_FLOW = {"X": "G1", "M": "F1"}
LINE_DATASETS = ("customs_lines", "infotrade")
# Dimensions kept in a cube when the dataset carries them; ``partner`` only when a question needs it (it
# multiplies the cube's size and the regional report never asks for it).
CUBE_DIMENSIONS = ("period", "department", "customs_office", "partner", "product", "sector", "path", "level")
ON_DEMAND = ("partner",)
_SERIES_SCHEMA = pa.schema([("member", pa.string()), ("period", pa.date32()), ("value", pa.float64())])


@dataclass(frozen=True)
class Series:
    """Monthly values per member (``member`` None = rows outside every member, still in the total)."""

    table: pa.Table  # columns: member (string), period (date32), value (float64)
    dataset: str
    vintages: tuple[str, ...]
    synthetic: bool
    periods: tuple[date, ...]  # months present in the dataset for this flow
    grouping: Grouping
    filters: Filters

    def rows(self) -> list[dict[str, Any]]:
        return self.table.to_pylist()

    @cached_property
    def triples(self) -> list[tuple[str | None, date, float]]:
        """(member, period, value) in Python, computed once (measures iterate over it many times)."""
        t = self.table
        return list(
            zip(
                t.column("member").to_pylist(),
                t.column("period").to_pylist(),
                t.column("value").to_pylist(),
                strict=True,
            )
        )


@dataclass(frozen=True)
class Cube:
    """A dataset aggregated once by month and by every dimension it carries, for one flow."""

    dataset: str
    flow: str
    table: pa.Table
    vintages: tuple[str, ...]
    synthetic: bool

    @cached_property
    def periods(self) -> tuple[date, ...]:
        return tuple(sorted(pc.unique(self.table.column("period")).to_pylist()))


def cube(
    wh: Warehouse, name: str, flow: str, engine: str | None = None, *, extra: frozenset[str] = frozenset()
) -> Cube:
    """The cube of ``name`` for ``flow``: one Ibis aggregation, cached per dataset vintages and engine.

    ``extra`` asks for on-demand dimensions (``partner``) on top of the usual ones.
    """
    vintages = wh.vintages(name)
    wanted = tuple(c for c in CUBE_DIMENSIONS if c not in ON_DEMAND or c in extra)
    key = ("cube", name, flow, engine or wh.settings.engine, wanted, tuple(v.vintage for v in vintages))
    return wh.memo(key, lambda: _build_cube(wh, name, flow, engine, vintages, wanted))


def _build_cube(
    wh: Warehouse, name: str, flow: str, engine: str | None, vintages: list[Any], wanted: tuple[str, ...]
) -> Cube:
    t = wh.table(name, engine)
    t = t.filter(t.flow == flow)
    if name == "sunat_cuadros":
        t = t.filter(t.table == CUADRO_FOR_FLOW[flow])
    dims = [c for c in wanted if c in t.columns]
    expr = t.group_by(dims).aggregate(value_usd=t.value_usd.sum())
    table = wh.execute(expr, engine=engine)
    table = table.cast(pa.schema([pa.field(c, table.schema.field(c).type) for c in table.column_names]))
    return Cube(name, flow, table, tuple(v.vintage for v in vintages), any(v.synthetic for v in vintages))


def series(
    wh: Warehouse,
    grouping: Grouping,
    filters: Filters,
    *,
    start: date | None = None,
    end: date | None = None,
    engine: str | None = None,
    dataset: str | None = None,
) -> Series:
    """Value by member and month between ``start`` and ``end`` (inclusive), from the best dataset's cube."""
    options = datasets.candidates(wh.datasets(), grouping, filters, requested=dataset)
    extra = frozenset(datasets.needed_dimensions(grouping, filters)) & frozenset(ON_DEMAND)
    # The first candidate holding any month of this flow answers (a loaded file of imports cannot
    # answer an export question, however fine its grain).
    for name in options:
        c = cube(wh, name, filters.flow, engine, extra=extra)
        if c.periods:
            break
    t = _filtered(c, filters)
    t, member = _with_member(t, c.dataset, grouping, filters)
    keep = pc.is_valid(t.column("period"))
    if start is not None:
        keep = pc.and_(keep, pc.greater_equal(t.column("period"), pa.scalar(start, pa.date32())))
    if end is not None:
        keep = pc.and_(keep, pc.less_equal(t.column("period"), pa.scalar(end, pa.date32())))
    grouped = (
        pa.table({"member": member, "period": t.column("period"), "value": t.column("value_usd")})
        .filter(keep)
        .group_by(["member", "period"], use_threads=False)
        .aggregate([("value", "sum")])
        .rename_columns(["member", "period", "value"])
        .select(["member", "period", "value"])
        .cast(_SERIES_SCHEMA)
        .sort_by([("member", "ascending"), ("period", "ascending")])
    )
    return Series(grouped, c.dataset, c.vintages, c.synthetic, c.periods, grouping, filters)


def _filtered(c: Cube, filters: Filters) -> pa.Table:
    t = c.table
    masks = []
    if filters.departments:
        masks.append(pc.is_in(t.column("department"), pa.array(list(filters.departments))))
    if filters.region_groups:
        masks.append(
            pc.is_in(t.column("department"), pa.array(_departments_in_groups(filters.region_groups)))
        )
    if filters.partners:
        masks.append(pc.is_in(t.column("partner"), pa.array(list(filters.partners))))
    if filters.customs_offices:
        masks.append(pc.is_in(t.column("customs_office"), pa.array(list(filters.customs_offices))))
    if c.dataset == "sunat_cuadros" and filters.basket_path is not None:
        masks.append(pc.starts_with(t.column("path"), filters.basket_path))
    for m in masks:
        t = t.filter(m)
    if c.dataset in LINE_DATASETS and filters.basket is not None:
        paths = _map_codes(t.column("product"), lambda codes: reference.classify(codes, filters.basket or ""))
        t = t.append_column("basket_path", paths)
        keep = pc.is_valid(paths)
        if filters.basket_path is not None:
            keep = pc.and_(keep, pc.fill_null(pc.starts_with(paths, filters.basket_path), False))
        t = t.filter(keep)
    return t


def _with_member(t: pa.Table, name: str, grouping: Grouping, filters: Filters) -> tuple[pa.Table, pa.Array]:
    dim = grouping.dimension
    if dim == "national":
        if name == "sunat_cuadros":
            t = t.filter(pc.equal(t.column("level"), _top_level(filters)))
        return t, pa.array([TOTAL] * t.num_rows, pa.string())
    if dim in ("department", "customs_office", "partner", "product"):
        return t, t.column(dim).combine_chunks()
    if dim == "hs6":
        return t, pc.utf8_slice_codeunits(t.column("product"), 0, 6).combine_chunks()
    if dim in ("region_group", "natural_region"):
        return t, _lookup(t.column("department"), _department_attribute(dim))
    if dim == "macroregion":
        return t, _lookup(t.column("department"), _macroregions(grouping.scheme or "mincetur"))
    if dim == "continent":
        return t, _lookup(t.column("partner"), _continents(grouping.scheme or "continent"))
    if dim == "product_group":
        return t, _map_codes(t.column("product"), reference.product_group)
    if dim == "sector":
        if name == "sunat_cuadros":
            level = grouping.level if grouping.level is not None else 1
            t = t.filter(pc.equal(t.column("level"), level))
            return t, t.column("path").combine_chunks()
        paths = t.column("basket_path" if "basket_path" in t.column_names else "sector")
        if grouping.level is None:
            return t, paths.combine_chunks()
        depth = grouping.level
        return t, _map_values(paths, lambda p: " > ".join(p.split(" > ")[:depth]))
    raise DataNotAvailable(f"grouping {dim!r} is not supported by dataset {name!r}")


def _top_level(filters: Filters) -> int:
    if filters.basket_path is not None:  # "Total" is level 0 and not part of the paths below it
        return filters.basket_path.count(" > ") + 1
    return 0


def _lookup(column: pa.ChunkedArray | pa.Array, mapping: dict[str, str]) -> pa.Array:
    """Map each key to its attribute (None when the key has none), vectorised."""
    keys = pa.array(list(mapping), pa.string())
    return _lookup_arrays(column, keys, pa.array(list(mapping.values()), pa.string()))


def _map_codes(column: pa.ChunkedArray | pa.Array, classify: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Apply a code classifier to the distinct codes only, then spread the result to every row."""
    codes = pc.unique(column)
    mapped = classify(codes)
    return _lookup_arrays(column, codes, mapped)


def _map_values(column: pa.ChunkedArray | pa.Array, fn: Callable[[str], str]) -> pa.Array:
    distinct = pc.unique(column)
    mapped = pa.array([None if v is None else fn(v) for v in distinct.to_pylist()], pa.string())
    return _lookup_arrays(column, distinct, mapped)


def _lookup_arrays(column: pa.ChunkedArray | pa.Array, keys: pa.Array, values: pa.Array) -> pa.Array:
    index = pc.index_in(column, value_set=keys)
    out = pc.take(values, index)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


@lru_cache(maxsize=8)
def _department_attribute(column: str) -> dict[str, str]:
    table = reference.load("departments").to_pylist()
    return {r["ubigeo"]: r[column] for r in table if r[column]}


def _departments_in_groups(groups: tuple[str, ...]) -> list[str]:
    mapping = _department_attribute("region_group")
    return [d for d, g in mapping.items() if g in groups]


@lru_cache(maxsize=8)
def _macroregions(grouping: str) -> dict[str, str]:
    rows = [r for r in reference.load("macroregions").to_pylist() if r["grouping"] == grouping]
    if not rows:
        known = sorted({r["grouping"] for r in reference.load("macroregions").to_pylist()})
        raise DataNotAvailable(f"unknown macroregion grouping {grouping!r}; known: {', '.join(known)}")
    return {r["department"]: r["macroregion"] for r in rows}


@lru_cache(maxsize=4)
def _continents(column: str) -> dict[str, str]:
    return {r["alpha2"]: r[column] for r in reference.load("countries").to_pylist() if r[column]}
