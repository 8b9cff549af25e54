"""The key index written at staging: zones read from the declarations' bytes agree with the SQL definition,
and the fast path writes the very index the SQL path writes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from comercio.warehouse import _keyindex, _zones

KEYS = ["flow", "declaration", "series"]

COLUMNS = [
    ["118-2024-123456", "235-2023-000001", "019-2025-999999"],
    ["1-2024-1", "7-1999-0", "0-2000-9"],
    ["118-2024-12345678", "999-2199-00000001"],
    ["118-2024-1234567", "118-2024-123456"],  # mixed widths: the SQL decides
    ["118-2024-12A456", "118-2024-123456"],  # a letter
    ["118/2024-123456", "118-2024-123456"],  # another separator
    ["1182-024-123456", "118-2024-123456"],  # dashes elsewhere
    ["118-2024-123456789"],  # a number of nine digits: no zone
    ["118-2024-1234 6", "118-2024-123456"],  # a space
    ["", ""],
]


def _sql_zones(flow: list[str], declaration: list[str]) -> list[int | None]:
    table = pa.table({"flow": flow, "declaration": declaration})
    con = duckdb.connect()
    con.register("t", table)
    return [r[0] for r in con.execute(f"SELECT {_zones.zone_sql(KEYS)} FROM t").fetchall()]


@pytest.mark.parametrize("declaration", COLUMNS)
@pytest.mark.parametrize("flows", [("X",), ("M",), ("X", "M", "Z")])
def test_zones_from_bytes_are_the_sql_zones(declaration: list[str], flows: tuple[str, ...]) -> None:
    flow = [flows[i % len(flows)] for i in range(len(declaration))]
    fast = _zones.fixed_zones(pa.chunked_array([flow]), pa.chunked_array([declaration]))
    want = _sql_zones(flow, declaration)
    if fast is None:  # declined: the SQL decides (some line has no zone, or the layout differs)
        assert len(set(map(len, declaration))) > 1 or None in want or declaration[0].count("-") != 2
    else:
        assert fast.tolist() == want


def test_fast_index_is_the_sql_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    n = 5000
    table = pa.table(
        {
            "flow": ["X" if i % 3 else "M" for i in range(n)],
            "declaration": [f"{i % 7 + 100:03d}-{2023 + i % 2}-{(i * 7919) % 1000000:06d}" for i in range(n)],
            "series": pa.array([i % 5 + 1 for i in range(n)], pa.int32()),
        }
    )
    data = tmp_path / "part-00000.parquet"
    pq.write_table(table, data)
    fast, slow = tmp_path / "fast", tmp_path / "slow"
    fast.mkdir()
    slow.mkdir()
    con = duckdb.connect()
    got = _keyindex.write_index(con, KEYS, [data], fast)
    monkeypatch.setattr(_keyindex, "_fixed", lambda *a: None)
    want = _keyindex.write_index(con, KEYS, [data], slow)
    assert got == want and got.keyed is not None and got.keyed["zoned"] and got.keyed["years"] == [2023, 2024]
    a, b = pq.ParquetFile(_keyindex.index_path(fast)), pq.ParquetFile(_keyindex.index_path(slow))
    assert a.read().equals(b.read())
    assert a.metadata.num_row_groups == b.metadata.num_row_groups > 1


@pytest.mark.parametrize("declaration", COLUMNS[:3])
def test_sunat_layouts_are_read_from_the_bytes(declaration: list[str]) -> None:
    flow = pa.chunked_array([["X"] * len(declaration)])
    assert _zones.fixed_zones(flow, pa.chunked_array([declaration])) is not None
