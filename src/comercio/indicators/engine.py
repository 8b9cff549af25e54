"""Compile specs to Ibis expressions and run them on the warehouse's engine (DuckDB or Spark).

The engine does one thing: turn a grouping and filters into a *monthly series per member*
(member × period → value) with a single aggregation over the chosen dataset. Every indicator (window sums,
growth, shares, records, rolling windows, projections) is then derived from that small table in
:mod:`comercio.indicators.measures`, so the same Ibis code runs unchanged on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from comercio import reference
from comercio.errors import DataNotAvailable
from comercio.indicators import datasets
from comercio.indicators.specs import Filters, Grouping
from comercio.warehouse import Warehouse

TOTAL = "__total__"
CUADRO_FOR_FLOW = {"X": "G1", "M": "F1"}
LINE_DATASETS = ("customs_lines", "infotrade")


@dataclass(frozen=True)
class Series:
    """Monthly values per member (``member`` None = rows outside every member, still in the total)."""

    table: pa.Table  # columns: member (string), period (date32), value (float64)
    dataset: str
    vintages: tuple[str, ...]
    synthetic: bool
    periods: tuple[date, ...]  # months present in the dataset for these filters
    grouping: Grouping
    filters: Filters

    def rows(self) -> list[dict[str, Any]]:
        return self.table.to_pylist()


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
    """One aggregation: value by member and month between ``start`` and ``end`` (inclusive)."""
    loaded = wh.datasets()
    options = datasets.candidates(loaded, grouping, filters, requested=dataset)
    # The first candidate holding any month of this flow answers (a loaded file of imports cannot
    # answer an export question, however fine its grain).
    for name in options:
        periods = _periods(wh, name, filters, engine)
        if periods:
            break
    base = _filtered(wh, name, filters, engine)
    keyed = _with_member(base, name, grouping, filters)
    if start is not None:
        keyed = keyed.filter(keyed.period >= start)
    if end is not None:
        keyed = keyed.filter(keyed.period <= end)
    expr = keyed.group_by(["member", "period"]).aggregate(value=keyed.value_usd.sum())
    table = wh.execute(expr, engine=engine)
    table = table.select(["member", "period", "value"]).cast(
        pa.schema([("member", pa.string()), ("period", pa.date32()), ("value", pa.float64())])
    )
    table = table.sort_by([("member", "ascending"), ("period", "ascending")])
    vintages = wh.vintages(name)
    return Series(
        table=table,
        dataset=name,
        vintages=tuple(v.vintage for v in vintages),
        synthetic=any(v.synthetic for v in vintages),
        periods=periods,
        grouping=grouping,
        filters=filters,
    )


def _periods(wh: Warehouse, name: str, filters: Filters, engine: str | None) -> tuple[date, ...]:
    base = _filtered(wh, name, Filters(flow=filters.flow), engine)
    expr = base.select("period").distinct().order_by("period")
    return tuple(wh.execute(expr, engine=engine).column("period").to_pylist())


def _filtered(wh: Warehouse, name: str, filters: Filters, engine: str | None) -> ir.Table:
    t = wh.table(name, engine)
    t = t.filter(t.flow == filters.flow)
    if name == "sunat_cuadros":
        t = t.filter(t.table == CUADRO_FOR_FLOW[filters.flow])
        if filters.basket_path is not None:
            t = t.filter(t.path.startswith(filters.basket_path))
    if filters.departments:
        t = t.filter(t.department.isin(list(filters.departments)))
    if filters.region_groups:
        depts = _departments_in_groups(filters.region_groups)
        t = t.filter(t.department.isin(depts))
    if filters.partners:
        t = t.filter(t.partner.isin(list(filters.partners)))
    if filters.customs_offices:
        t = t.filter(t.customs_office.isin(list(filters.customs_offices)))
    if name in LINE_DATASETS:
        t = _join_products(wh, t, engine)
    if name in LINE_DATASETS and filters.basket is not None:
        t = _join_basket(wh, t, name, filters.basket, engine)
        t = t.filter(t.basket_path.notnull())
        if filters.basket_path is not None:
            t = t.filter(t.basket_path.startswith(filters.basket_path))
    return t


def _with_member(t: ir.Table, name: str, grouping: Grouping, filters: Filters) -> ir.Table:
    dim = grouping.dimension
    if dim == "national":
        if name == "sunat_cuadros":
            t = t.filter(t.level == _top_level(t, filters))
        return t.mutate(member=ibis.literal(TOTAL))
    if dim in ("department", "customs_office", "partner", "product", "hs6"):
        return t.mutate(member=t[dim])
    if dim in ("region_group", "natural_region"):
        return _join_attribute(t, "department", _department_attribute(dim))
    if dim == "macroregion":
        return _join_attribute(t, "department", _macroregions(grouping.scheme or "mincetur"))
    if dim == "continent":
        return _join_attribute(t, "partner", _continents(grouping.scheme or "continent"))
    if dim == "product_group":
        return t.mutate(member=t.product_group)
    if dim == "sector":
        if name == "sunat_cuadros":
            level = grouping.level if grouping.level is not None else 1
            return t.filter(t.level == level).mutate(member=t.path)
        path = t.basket_path if "basket_path" in t.columns else t.sector
        if grouping.level is not None:
            path = path.split(" > ")[: grouping.level].join(" > ")
        return t.mutate(member=path)
    raise DataNotAvailable(f"grouping {dim!r} is not supported by dataset {name!r}")


def _top_level(t: ir.Table, filters: Filters) -> Any:
    if filters.basket_path is not None:  # "Total" is level 0 and not part of the paths below it
        return filters.basket_path.count(" > ") + 1
    return 0


def _join_attribute(t: ir.Table, key: str, mapping: dict[str, str]) -> ir.Table:
    m = ibis.memtable(
        pa.table({"_key": list(mapping), "member": list(mapping.values())}),
    )
    joined = t.left_join(m, t[key] == m._key)
    return joined.drop("_key")


def _join_basket(wh: Warehouse, t: ir.Table, name: str, basket: str, engine: str | None) -> ir.Table:
    codes = wh.execute(t.select("product").distinct(), engine=engine).column("product")
    paths = reference.classify(codes, basket)
    m = ibis.memtable(pa.table({"_product": codes, "basket_path": paths}))
    joined = t.left_join(m, t.product == m._product)
    return joined.drop("_product")


def _join_products(wh: Warehouse, t: ir.Table, engine: str | None) -> ir.Table:
    """Attach the short product group (cobre, café, …) of each line's subpartida."""
    codes = wh.execute(t.select("product").distinct(), engine=engine).column("product")
    groups = reference.product_group(codes)
    m = ibis.memtable(pa.table({"_pg_product": codes, "product_group": groups}))
    joined = t.left_join(m, t.product == m._pg_product)
    return joined.drop("_pg_product")


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
