"""Snapshot of the SQL that Ibis compiles for each dataset's cube on DuckDB (``pytest --snapshot-update``).

The cube is the only query the indicator engine sends for a dataset and flow; a change in its columns,
filters or aggregation shows here as a diff of a few lines, without any data.
"""

from __future__ import annotations

import ibis
import pytest
from syrupy.assertion import SnapshotAssertion

from comercio.indicators import datasets
from comercio.indicators.engine import ON_DEMAND, cube_columns, cube_expr
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
