"""Snapshot of the SQL that Ibis compiles for each dataset's cube on DuckDB (``pytest --snapshot-update``).

The cube is the query the indicator engine sends for a dataset and flow (and, for a question on products,
the product cube of the months asked); a change in its columns, filters or aggregation shows here as a
diff of a few lines, without any data.
"""

from __future__ import annotations

from datetime import date

import ibis
import pytest
from syrupy.assertion import SnapshotAssertion

from comercio.indicators import datasets
from comercio.indicators.engine import DETAIL, ON_DEMAND, cube_columns, cube_expr, needed_columns
from comercio.indicators.specs import Filters, Grouping
from comercio.warehouse import schema


def _cases() -> list[tuple[str, str, frozenset[str]]]:
    """Each dataset's first flow (every flow when the flow picks a table), with on-demand columns once."""
    out = []
    for name in datasets.preference():
        spec = schema.get(name)
        flows = spec.flows if spec.flow_filter else spec.flows[:1]
        out += [(name, flow, frozenset[str]()) for flow in flows]
        if ON_DEMAND & set(spec.columns):
            out.append((name, flows[0], ON_DEMAND))
    return out


CASES = _cases()


@pytest.mark.parametrize(
    ("name", "flow", "extra"), CASES, ids=[f"{n}-{f}{'-on_demand' if e else ''}" for n, f, e in CASES]
)
def test_cube_sql(name: str, flow: str, extra: frozenset[str], snapshot: SnapshotAssertion) -> None:
    spec = schema.get(name)
    t = ibis.table(spec.schema, name=name)
    expr = cube_expr(t, spec, flow, cube_columns(spec, extra))
    assert ibis.to_sql(expr, dialect="duckdb") == snapshot


PRODUCT_CASES = [n for n in datasets.preference() if DETAIL & set(schema.get(n).columns)]


@pytest.mark.parametrize("name", PRODUCT_CASES)
def test_product_cube_sql(name: str, snapshot: SnapshotAssertion) -> None:
    """A product question (drivers of one department) groups by what it reads only, over its months."""
    spec = schema.get(name)
    t = ibis.table(spec.schema, name=name)
    extra = needed_columns(spec, Grouping("product_group"), Filters(departments=("01",)))
    assert extra == {"product", "department"}
    expr = cube_expr(t, spec, "X", cube_columns(spec, extra), (date(2021, 1, 1), date(2022, 6, 1)))
    assert ibis.to_sql(expr, dialect="duckdb") == snapshot
