"""The regional report's aggregations of the customs lines sent as one engine query (decision 0019, addendum).

A cold regional report reads the lines for three aggregations: the region cube (every month), the month
maturity rows (value by month, day and file date, every month) and the product cube of the report's months.
:func:`prefetch` sends those that are not computed yet as one Ibis expression, a ``UNION ALL`` of the same
aggregations the engine would send one by one, each tagged with its part number; the two over the whole
table share its scan (Ibis names the filtered table once, DuckDB feeds both hash aggregations from one
read), the product part keeps its own month filter (row groups outside its months are skipped). The result
is split by part and each part memoised under the key its reader looks up (:func:`engine.cube`,
:func:`maturity.maturity`), so the sections find them. Nothing is sent when the vintages' aggregates answer
(:mod:`comercio.indicators.assembled`): only the cold path changes. Spark runs the same union.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from comercio.errors import DataNotAvailable
from comercio.indicators import assembled, datasets
from comercio.indicators import engine as eng
from comercio.indicators import maturity as mat
from comercio.indicators.specs import Filters, Grouping
from comercio.warehouse import Warehouse, aggregates, schema

PART = "part"  # the column of the union naming each row's part
# the question whose product cube the regional report's product sections (drivers, agro, leaders) share
REPORT_PRODUCTS = (Grouping("natural_region"), Filters(basket="agro"))


@dataclass(frozen=True)
class Part:
    """One aggregation of the union: its memo ``key``, its expression and what to memoise of its rows."""

    key: Any
    expr: ir.Table
    keep: Callable[[pa.Table], Any]


def union(exprs: Sequence[ir.Table]) -> ir.Table:
    """The aggregations ``exprs`` as one table: ``part`` (their index) and every column any of them has
    (null where a part has none), in the order first met."""
    columns: dict[str, Any] = {}
    for e in exprs:
        for name, dtype in e.schema().items():
            columns.setdefault(name, dtype)
    aligned = [
        e.select(
            **{PART: ibis.literal(i, "int8")},
            **{c: e[c] if c in e.columns else ibis.null(t) for c, t in columns.items()},
        )
        for i, e in enumerate(exprs)
    ]
    return ibis.union(*aligned)


def split(table: pa.Table, exprs: Sequence[ir.Table]) -> list[pa.Table]:
    """Each part's rows of :func:`union`'s result, with only its own columns, in its own order."""
    out = []
    for i, e in enumerate(exprs):
        rows = table.filter(pc.equal(table.column(PART), pa.scalar(i, pa.int8())))
        out.append(rows.select(list(e.columns)))
    return out


def run(wh: Warehouse, engine: str | None, parts: Sequence[Part]) -> None:
    """Send ``parts`` (two or more) as one engine query and memoise each part's rows under its key."""
    exprs = [p.expr for p in parts]
    table = wh.execute(union(exprs), engine=engine)
    for part, rows in zip(parts, split(table, exprs), strict=True):
        wh.memo(part.key, functools.partial(part.keep, rows))


def _first(wh: Warehouse, grouping: Grouping, filters: Filters) -> str | None:
    """The dataset ranked first to answer ``grouping`` and ``filters`` (None: none loaded)."""
    try:
        return datasets.candidates(wh.datasets(), grouping, filters)[0]
    except DataNotAvailable:
        return None


def product_key(
    wh: Warehouse,
    engine: str | None,
    grouping: Grouping,
    filters: Filters,
    months: eng.Months,
    flow: str = "X",
) -> tuple[Any, ...]:
    """The memo key of the customs lines' product cube of ``grouping``/``filters`` over ``months``."""
    spec = schema.get(mat.DATASET)
    columns = eng.cube_columns(spec, eng.needed_columns(spec, grouping, filters))
    return eng.cube_key(wh, mat.DATASET, flow, engine, columns, months, wh.vintages(mat.DATASET))


def prefetch(
    wh: Warehouse, engine: str | None, product: tuple[Grouping, Filters, eng.Months], flow: str = "X"
) -> None:
    """The customs lines' region cube of ``flow``, its maturity rows and the product cube of ``product``'s
    question and months, in one engine query: those not memoised yet, of the dataset the report reads
    first for each, when no vintage's aggregates answer the region cube (the cold path)."""
    name = mat.DATASET
    if not wh.has(name) or assembled.split(wh, name, aggregates.kind("region"), flow) is not None:
        return
    spec, vintages = schema.get(name), wh.vintages(name)
    table = wh.table(name, engine)
    parts: list[Part] = []
    region = eng.cube_columns(spec)
    key = eng.cube_key(wh, name, flow, engine, region, None, vintages)
    if _first(wh, Grouping("customs_office"), Filters(flow=flow)) == name and wh.recall(key) is None:
        expr = eng.cube_expr(table, spec, flow, region)
        parts.append(Part(key, expr, lambda t: eng.as_cube(name, flow, t, vintages)))
    if (
        _first(wh, Grouping("department"), Filters(flow=flow)) == name
        and wh.recall(mat.rows_key(wh, flow, engine)) is None
        and wh.files(name, mat.WEEKLY) == wh.files(name)  # the same table: its scan can be shared
        and assembled.split(wh, name, aggregates.kind("maturity"), flow, mat.WEEKLY) is None
    ):
        parts.append(Part(mat.rows_key(wh, flow, engine), mat.rows_expr(table, flow), lambda t: t))
    grouping, filters, months = product
    columns = eng.cube_columns(spec, eng.needed_columns(spec, grouping, filters))
    key = product_key(wh, engine, grouping, filters, months, flow)
    if _first(wh, grouping, filters) == name and eng.DETAIL & set(columns) and wh.recall(key) is None:
        expr = eng.cube_expr(table, spec, flow, columns, months)
        held = functools.partial(eng.held_months, wh, name, flow, engine)  # the region cube's, memoised first
        parts.append(Part(key, expr, lambda t: eng.as_cube(name, flow, t, vintages, months, held())))
    if len(parts) > 1:  # one part alone: its reader sends the same query
        run(wh, engine, parts)
