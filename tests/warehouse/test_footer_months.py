"""The months a dataset holds, from its data files' footers (:func:`comercio.warehouse._footer.months`):
a row group of one month and one flow is answered by its statistics, a file with a row group that spans
months is left to be read (the gateway's :meth:`Warehouse.months` then reads only those files: tested
against the region cube in ``tests/query/test_execute_lines.py``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from comercio.warehouse import _footer


def _write(path: Path, groups: list[list[tuple[str, date]]], *, flow: bool = True) -> Path:
    schema = pa.schema([("flow", pa.string()), ("period", pa.date32()), ("value_usd", pa.float64())])
    if not flow:
        schema = schema.remove(0)
    with pq.ParquetWriter(path, schema) as w:
        for rows in groups:
            columns = {"period": [p for _, p in rows], "value_usd": [1.0] * len(rows)}
            if flow:
                columns = {"flow": [f for f, _ in rows], **columns}
            w.write_table(pa.table(columns, schema=schema))
    return path


JAN, FEB, MAR = date(2021, 1, 1), date(2021, 2, 1), date(2021, 3, 1)


def test_row_groups_of_one_month_and_flow_are_answered_by_their_footers(tmp_path: Path) -> None:
    f = _write(tmp_path / "a.parquet", [[("X", JAN)] * 3, [("X", FEB)] * 2, [("M", MAR)] * 4])
    assert _footer.months([f], {"flow": "X"}) == ({JAN, FEB}, [])
    assert _footer.months([f], {"flow": "M"}) == ({MAR}, [])
    assert _footer.months([f], {"flow": "Z"}) == (set(), [])


def test_a_row_group_spanning_months_or_flows_leaves_its_file_to_be_read(tmp_path: Path) -> None:
    weekly = _write(tmp_path / "w.parquet", [[("X", JAN), ("X", FEB)]])
    mixed = _write(tmp_path / "m.parquet", [[("X", MAR), ("M", MAR)]])
    only_m = _write(tmp_path / "o.parquet", [[("M", JAN), ("M", FEB)]])  # ranges exclude X: skipped
    found, unread = _footer.months([weekly, mixed, only_m], {"flow": "X"})
    assert found == set() and unread == [weekly, mixed]


def test_a_file_without_the_column_holds_no_month_of_it(tmp_path: Path) -> None:
    old = _write(tmp_path / "old.parquet", [[("", JAN)]], flow=False)
    assert _footer.months([old], {"flow": "X"}) == (set(), [])
