"""Compile specs to Ibis and run them on the warehouse's engine (DuckDB or Spark).

The engine scans each dataset once per flow: a single Ibis aggregation (the *cube*) sums value by month and
by every raw column a dimension of :mod:`comercio.reference.dimensions` needs (department, customs office,
…) plus ``region_basis`` (the attribution coverage derives from it). The cube is small — the grain of the
questions, not of the declarations — and cached per dataset vintage. The product code (:data:`DETAIL`)
multiplies a cube by the catalogue of goods, so it is kept only in a second, *product cube*, built when a
question groups by product or filters by a basket, and restricted to the months the question asks for
(``start``/``end``): a report's region-level figures never pay for it, and its product sections read only
their own months (docs/decisions/0019-region-cube-and-product-cube.md). A region cube is assembled from the
vintages' aggregates written at load where they answer (:mod:`comercio.indicators.assembled`, decision 0024);
where they do not, a regional report asks for its region cube, product cube and maturity rows in one engine
query (:mod:`comercio.indicators.onescan`), memoised under the keys :func:`cube` looks up (:func:`cube_key`).
Every grouping
(macroregion, natural region, product group, basket …) is then a re-aggregation of the cube in Arrow, by the
function :data:`DERIVE` holds for the dimension's derive kind (:mod:`comercio.indicators._derive`), and every
indicator (window sums, growth, shares, records, projections) is derived from the resulting monthly series per
member in :mod:`comercio.indicators.measures`. What is particular to a dataset (the flows it answers, the
table of each flow, a tree of paths, item-level lines) is read from its
:class:`~comercio.warehouse.schema.DatasetSpec`, never from its name
(docs/decisions/0009-dimensions-and-dataset-quirks.md). The same Ibis expression runs unchanged on DuckDB
and on Spark (docs/decisions/0001-engine.md).
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from comercio import reference
from comercio.indicators import assembled, datasets
from comercio.indicators._derive import DERIVE as DERIVE  # re-exported: query, reports, tests read them here
from comercio.indicators._derive import TOTAL as TOTAL
from comercio.indicators._derive import Derivation as Derivation
from comercio.indicators._derive import Derived as Derived
from comercio.indicators._derive import _attribute
from comercio.indicators._derive import _scheme_members as _scheme_members
from comercio.indicators._derive import map_codes as map_codes
from comercio.indicators.specs import Filters, Grouping
from comercio.reference.dimensions import DIMENSIONS, dimension
from comercio.warehouse import Warehouse, schema
from comercio.warehouse.schema import DatasetSpec

TREE_COLUMNS = ("path", "level")  # kept in the cube of a dataset declared ``tree``
# Raw columns a cube keeps: the month and every column a dimension is computed from; on-demand ones (partner)
# only when a question needs them (they multiply the cube's size and the regional report never asks).
CUBE_COLUMNS = ("period", *dict.fromkeys(d.needs for d in DIMENSIONS if d.needs is not None))
ON_DEMAND = frozenset(d.needs for d in DIMENSIONS if d.on_demand and d.needs is not None)
# Kept only in the product cube: the product code (product, product group, HS6, a line dataset's baskets).
DETAIL = frozenset({"product"})
WEIGHT = "net_kg"  # in ``extra``: the cube also sums the net weight (datasets carrying it; unit values)
QUALITY_COLUMNS = ("region_basis",)  # kept in every cube of a dataset carrying them (attribution coverage)
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

    months: tuple[date, date] | None = None  # a product or narrow cube cut to these months (inclusive)
    held: tuple[date, ...] | None = None  # then: the months of the whole dataset (its region cube's)

    @cached_property
    def periods(self) -> tuple[date, ...]:
        """The months the dataset holds for this flow (of a cut cube too: not only those it kept)."""
        if self.held is not None:
            return self.held
        return tuple(sorted(pc.unique(self.table.column("period")).to_pylist()))


Months = tuple[date, date]


def cube(
    wh: Warehouse,
    name: str,
    flow: str,
    engine: str | None = None,
    *,
    extra: frozenset[str] = frozenset(),
    months: Months | None = None,
    narrow: Narrow | None = None,
) -> Cube:
    """The cube of ``name`` for ``flow``: one Ibis aggregation, cached per dataset vintages and engine.

    ``extra`` asks for on-demand dimensions (``partner``) and the product code (:data:`DETAIL`) on top of the
    usual ones, and (:data:`WEIGHT`) for the net weight summed beside the value where the dataset has it.
    ``months`` (first, last) cuts a product cube to those months. A report's region cube is left whole,
    shared by all its questions; one question over a large archive asks for a ``narrow`` cube instead: of
    ``months`` only, grouped by the columns of ``extra`` only, of the rows ``narrow`` keeps. A cut cube's
    :attr:`Cube.periods` are still every month of the dataset (:func:`held_months`).
    """
    vintages = wh.vintages(name)
    weighed = WEIGHT in extra and WEIGHT in schema.get(name).columns
    wanted = cube_columns(schema.get(name), extra - {WEIGHT}, only=narrow is not None)
    if months is not None and narrow is None and not DETAIL.intersection(wanted):
        months = None
    key = cube_key(wh, name, flow, engine, wanted, months, vintages, narrow, weighed)
    held = None if months is None else held_months(wh, name, flow, engine)
    return wh.memo(
        key, lambda: _build_cube(wh, name, flow, engine, vintages, wanted, months, held, weighed, narrow)
    )


@dataclass(frozen=True)
class Narrow:
    """The rows a narrow cube keeps: each ``(column, codes)`` of ``equal`` holds one of its codes, each of
    ``prefix`` starts with one (a query's filters on raw columns, applied in the engine's scan)."""

    equal: tuple[tuple[str, tuple[str, ...]], ...] = ()
    prefix: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def apply(self, t: ir.Table) -> ir.Table:
        for column, codes in self.equal:
            t = t.filter(t[column].isin(list(codes)))
        for column, codes in self.prefix:
            starts = [t[column].startswith(code) for code in codes]
            t = t.filter(functools.reduce(operator.or_, starts))
        return t


def cube_key(
    wh: Warehouse,
    name: str,
    flow: str,
    engine: str | None,
    wanted: tuple[str, ...],
    months: Months | None,
    vintages: list[Any],
    narrow: Narrow | None = None,
    weighed: bool = False,
) -> tuple[Any, ...]:
    """The memo key of a cube (:func:`cube`; :mod:`comercio.indicators.onescan` fills the same entries)."""
    stamp = tuple(v.vintage for v in vintages)
    key = ("cube", name, flow, engine or wh.settings.engine, wanted, months, narrow, stamp)
    return key + ("weight",) * weighed


def held_months(wh: Warehouse, name: str, flow: str, engine: str | None = None) -> tuple[date, ...]:
    """The months ``name`` holds for ``flow`` (in its table for that flow, where declared): its region
    cube's when a report already built it, else from its data files' footer statistics, without aggregating
    it (:meth:`Warehouse.months`)."""
    spec = schema.get(name)
    region = cube_key(wh, name, flow, engine, cube_columns(spec), None, wh.vintages(name))
    built = wh.recall(region)
    if isinstance(built, Cube):
        return built.periods
    equal = {"flow": flow}
    if flow in spec.flow_filter:
        column, value = spec.flow_filter[flow]
        equal[column] = value
    return wh.months(name, engine, **equal)


def cube_columns(
    spec: DatasetSpec, extra: frozenset[str] = frozenset(), *, only: bool = False
) -> tuple[str, ...]:
    """The columns ``spec``'s cube groups by, in the dataset's order: ``extra`` adds on-demand ones; with a
    detail column, or ``only``, ``extra`` is all the cube keeps (with the month)."""
    if DETAIL & extra or only:
        wanted = {"period", *extra}
    else:
        wanted = {c for c in (*CUBE_COLUMNS, *QUALITY_COLUMNS) if c not in ON_DEMAND | DETAIL or c in extra}
    if spec.tree:
        wanted.update(TREE_COLUMNS)
    return tuple(c for c in spec.columns if c in wanted)


def cube_expr(
    t: ir.Table,
    spec: DatasetSpec,
    flow: str,
    columns: tuple[str, ...],
    months: Months | None = None,
    *,
    weight: bool = False,
    narrow: Narrow | None = None,
) -> ir.Table:
    """The Ibis aggregation of a cube: value (and net weight with ``weight``) by ``columns`` for one flow (and
    its table, where declared), of the months ``months`` (first, last; None: all) and the rows ``narrow``
    keeps."""
    t = t.filter(t.flow == flow)
    if flow in spec.flow_filter:
        column, value = spec.flow_filter[flow]
        t = t.filter(t[column] == value)
    if months is not None:
        t = t.filter((t.period >= months[0]) & (t.period <= months[1]))
    if narrow is not None:
        t = narrow.apply(t)
    sums = {"value_usd": t[spec.value_column].sum()}
    if weight:
        sums[WEIGHT] = t[WEIGHT].sum()
    return t.group_by(list(columns)).aggregate(**sums)


def _build_cube(
    wh: Warehouse,
    name: str,
    flow: str,
    engine: str | None,
    vintages: list[Any],
    wanted: tuple[str, ...],
    months: Months | None,
    held: tuple[date, ...] | None,
    weighed: bool = False,
    narrow: Narrow | None = None,
) -> Cube:
    spec = schema.get(name)
    table = None
    if months is None and narrow is None:  # a region cube: from the vintages' aggregates where they answer
        table = assembled.region(
            wh,
            name,
            flow,
            engine,
            wanted,
            lambda t: cube_expr(t, spec, flow, wanted, weight=weighed),
            weighed,
        )
    if table is None:
        expr = cube_expr(wh.table(name, engine), spec, flow, wanted, months, weight=weighed, narrow=narrow)
        table = wh.execute(expr, engine=engine)
    return as_cube(name, flow, table, vintages, months, held)


def as_cube(
    name: str,
    flow: str,
    table: pa.Table,
    vintages: list[Any],
    months: Months | None = None,
    held: tuple[date, ...] | None = None,
) -> Cube:
    """The :class:`Cube` of an aggregation's rows ``table`` (of ``months`` only, with the months ``held``)."""
    table = table.cast(pa.schema([pa.field(c, table.schema.field(c).type) for c in table.column_names]))
    synthetic = any(v.synthetic for v in vintages)
    return Cube(name, flow, table, tuple(v.vintage for v in vintages), synthetic, months, held)


def needed_columns(spec: DatasetSpec, grouping: Grouping, filters: Filters) -> frozenset[str]:
    """The ``extra`` of a question's cube: its on-demand columns; or, when it reads a detail column (a line
    dataset's basket classifies its product codes), every column it reads (a product cube keeps no other)."""
    needs = datasets.needed_dimensions(grouping, filters)
    if spec.lines and filters.basket is not None:
        needs.add("product")
    return frozenset(needs) if DETAIL & needs else frozenset(needs) & ON_DEMAND


def series(
    wh: Warehouse,
    grouping: Grouping,
    filters: Filters,
    *,
    start: date | None = None,
    end: date | None = None,
    engine: str | None = None,
    dataset: str | None = None,
    holding: date | None = None,
) -> Series:
    """Value by member and month between ``start`` and ``end`` (inclusive), from the best dataset's cube.

    ``holding`` (a month) skips the candidates whose data do not reach it: a report through 2025-11 is not
    answered by a table that stops in 2022 when a later-ranked dataset holds that month. A question on
    products with both ``start`` and ``end`` reads a product cube of those months only.
    """
    options = datasets.candidates(wh.datasets(), grouping, filters, requested=dataset)
    months = (start, end) if start is not None and end is not None else None
    # The first candidate holding any month of this flow answers (a loaded file of imports cannot
    # answer an export question, however fine its grain), or the first holding ``holding`` when one does.
    first: Cube | None = None
    for name in options:
        extra = needed_columns(schema.get(name), grouping, filters)
        c = cube(wh, name, filters.flow, engine, extra=extra, months=months)
        if c.periods and first is None:
            first = c
        if first is not None and (holding is None or holding in c.periods):
            break
    else:
        c = first or c
    spec = schema.get(c.dataset)
    t = filtered(c.table, spec, filters)
    d = dimension(grouping.dimension)
    t, member = DERIVE[d.derive](Derivation(t, d, grouping, filters, spec))
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


def filtered(t: pa.Table, spec: DatasetSpec, filters: Filters) -> pa.Table:
    """The cube rows ``filters`` keep (a line dataset's basket adds each kept row's ``basket_path``)."""
    masks = []
    if filters.departments:
        masks.append(pc.is_in(t.column("department"), pa.array(list(filters.departments))))
    if filters.region_groups:
        region_group = dimension("region_group")
        groups = _attribute(region_group, region_group.attribute or "")
        inside = [code for code, group in groups.items() if group in filters.region_groups]
        masks.append(pc.is_in(t.column(region_group.needs or ""), pa.array(inside, pa.string())))
    if filters.partners:
        masks.append(pc.is_in(t.column("partner"), pa.array(list(filters.partners))))
    if filters.customs_offices:
        masks.append(pc.is_in(t.column("customs_office"), pa.array(list(filters.customs_offices))))
    if spec.tree and filters.basket_path is not None:
        masks.append(pc.starts_with(t.column("path"), filters.basket_path))
    if masks:  # every mask is of the unfiltered rows: combine them, then filter once
        keep = masks[0]
        for m in masks[1:]:
            keep = pc.and_(keep, m)
        t = t.filter(keep)
    if spec.lines and filters.basket is not None:
        paths = map_codes(t.column("product"), lambda codes: reference.classify(codes, filters.basket or ""))
        t = t.append_column("basket_path", paths)
        keep = pc.is_valid(paths)
        if filters.basket_path is not None:
            keep = pc.and_(keep, pc.fill_null(pc.starts_with(paths, filters.basket_path), False))
        t = t.filter(keep)
    return t
