"""Parquet footer statistics of the warehouse's data files, read once per file version.

The gateway decides from them, without reading a row, which files may hold a superseded ``source`` (the
corrected view) and which may hold a non-null value of a column (:class:`Holding`: the month-maturity
aggregation reads only the files that may hold a weekly ``file_date``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow.parquet as pq


class _Group(NamedTuple):
    """The footer statistics of one column in one row group: rows, nulls, (min, max); None: not written."""

    rows: int
    nulls: int | None
    lo: Any
    hi: Any


@lru_cache(maxsize=65536)
def _footer(path: str, size: int, mtime_ns: int, column: str) -> tuple[_Group, ...] | None:
    """``column``'s statistics per row group of one data file (None: the file has no such column); cached
    per path, size and modification time, so a file rewritten in place is read again."""
    meta = pq.ParquetFile(path).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    if column not in names:
        return None
    at = names.index(column)
    out = []
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        st = group.column(at).statistics
        nulls = st.null_count if st is not None and st.has_null_count else None
        minmax = st is not None and st.has_min_max
        lo, hi = (st.min, st.max) if minmax else (None, None)
        out.append(_Group(group.num_rows, nulls, lo, hi))
    return tuple(out)


def stats(path: Path, column: str) -> tuple[_Group, ...] | None:
    st = path.stat()
    return _footer(str(path), st.st_size, st.st_mtime_ns, column)


def _may_be_set(path: Path, column: str) -> bool:
    """Whether ``column`` may hold a non-null value in the data file ``path`` (absent, or null on every row
    of every row group by the statistics: no)."""
    groups = stats(path, column)
    return groups is not None and any(g.nulls is None or g.nulls < g.rows for g in groups)


@dataclass(frozen=True)
class Holding:
    """Selects a dataset's data files by footer statistics: those where ``column`` may hold a non-null value
    (``non_null``), or those where it is absent or null on every row (not ``non_null``)."""

    column: str
    non_null: bool = True

    def __call__(self, path: Path) -> bool:
        return _may_be_set(path, self.column) is self.non_null

    def __str__(self) -> str:
        return f"{'a non-null' if self.non_null else 'only null'} {self.column!r}"
