"""Parquet footer statistics of the warehouse's data files, read once per file version.

The gateway decides from them, without reading a row, which files may hold a superseded ``source`` (the
corrected view) and which may hold a non-null value of a column (:class:`Holding`: the month-maturity
aggregation reads only the files that may hold a weekly ``file_date``), and which months a dataset holds for
a flow (:func:`months`: a query over one year of a large archive need not scan it to learn its months).
"""

from __future__ import annotations

import bisect
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
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


@lru_cache(maxsize=2048)
def _metadata(path: str, size: int, mtime_ns: int) -> pq.FileMetaData:
    """One data file's footer, parsed once however many of its columns are asked about."""
    return pq.read_metadata(path)


@lru_cache(maxsize=65536)
def _footer(path: str, size: int, mtime_ns: int, column: str) -> tuple[_Group, ...] | None:
    """``column``'s statistics per row group of one data file (None: the file has no such column); cached
    per path, size and modification time, so a file rewritten in place is read again."""
    meta = _metadata(path, size, mtime_ns)
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


def forget() -> None:
    """Forget every footer read (a benchmark's uncached run reads them again)."""
    _footer.cache_clear()
    _metadata.cache_clear()


Known = Callable[[str, str], tuple[_Group, ...] | bool | None]
"""Statistics known without opening the file (the listing index): (path, column) → the groups, None (no
such column), or False (not known: read the footer)."""
_KNOWN: ContextVar[Known | None] = ContextVar("comercio_known_footers", default=None)


@contextmanager
def known(lookup: Known | None) -> Iterator[None]:
    """Answer :func:`stats` from ``lookup`` first inside the block (the gateway's index of footers)."""
    token = _KNOWN.set(lookup)
    try:
        yield
    finally:
        _KNOWN.reset(token)


def stats(path: str | Path, column: str) -> tuple[_Group, ...] | None:
    """``column``'s statistics per row group of the data file ``path`` (None: no such column)."""
    lookup = _KNOWN.get()
    if lookup is not None:
        found = lookup(str(path), column)
        if found is not False:
            return found  # type: ignore[return-value]
    st = os.stat(path)
    return _footer(str(path), st.st_size, st.st_mtime_ns, column)


def _may_be_set(path: str | Path, column: str) -> bool:
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

    def __call__(self, path: str | Path) -> bool:
        return _may_be_set(path, self.column) is self.non_null

    def __str__(self) -> str:
        return f"{'a non-null' if self.non_null else 'only null'} {self.column!r}"


@dataclass(frozen=True)
class Within(Holding):
    """Selects the data files where ``column`` may hold a value from ``lo`` to ``hi`` (inclusive; None: no
    bound), by their footer statistics: a file without the column, or null on every row, holds none."""

    lo: Any = None
    hi: Any = None

    def __call__(self, path: str | Path) -> bool:
        groups = stats(path, self.column)
        return groups is not None and any(self._may_hold(g) for g in groups)

    def _may_hold(self, g: _Group) -> bool:
        if g.lo is None or g.hi is None:
            return g.nulls is None or g.nulls < g.rows
        try:
            return (self.lo is None or g.hi >= self.lo) and (self.hi is None or g.lo <= self.hi)
        except TypeError:
            return True  # statistics of another type: the file is read

    def __str__(self) -> str:
        return f"{self.column!r} within {self.lo}..{self.hi}"


@dataclass(frozen=True)
class Among(Holding):
    """Selects the data files whose paths are in ``paths`` (e.g. the vintages no aggregate answers for), for
    :meth:`Warehouse.table`'s ``where``: read through the gateway, so corrections still apply."""

    paths: frozenset[str] = frozenset()

    def __call__(self, path: str | Path) -> bool:
        return str(path) in self.paths

    def __str__(self) -> str:
        digest = hashlib.sha256("\n".join(sorted(self.paths)).encode()).hexdigest()[:16]
        return f"among {len(self.paths)} files {digest}"


def among(paths: list[Path]) -> Among:
    return Among("any", True, frozenset(str(p) for p in paths))


def within(column: str, lo: Any = None, hi: Any = None) -> Within:
    """The files whose ``column`` may hold a value from ``lo`` to ``hi`` (e.g. a month's ``period``)."""
    return Within(column, True, lo, hi)


def months(
    paths: Iterable[Path], equal: Mapping[str, Any], column: str = "period"
) -> tuple[set[date], list[Path]]:
    """The months in ``column`` of the rows of ``paths`` whose every column of ``equal`` has its value, as far
    as footer statistics tell, and the data files whose rows must be read to tell the rest.

    A row group whose statistics hold one month, and one value in each column of ``equal``, with no nulls, is
    answered by its footer; one whose ranges exclude a value is skipped; a file with any other row group (one
    spanning several months, as a weekly file's) is returned to be read. A data file without ``column``, or
    without a column of ``equal`` (read as NULL, which equals nothing), holds none.
    """
    found: set[date] = set()
    unread: list[Path] = []
    for path in paths:
        periods = stats(path, column)
        conditions = {c: stats(path, c) for c in equal}
        if periods is None or any(s is None for s in conditions.values()):
            continue
        exact: set[date] = set()
        for g, p in enumerate(periods):
            kind = _decided(p, [(s[g], equal[c]) for c, s in conditions.items() if s is not None])
            if kind == "read":
                unread.append(path)
                break
            if kind == "exact":
                exact.add(_month(p.lo))
        else:
            found |= exact
    return found, unread


def _decided(period: _Group, conditions: list[tuple[_Group, Any]]) -> str:
    """``skip`` (no row of the group matches), ``exact`` (every row matches and has the month ``period.lo``)
    or ``read`` (the statistics cannot tell)."""
    if period.rows == 0:
        return "skip"
    exact = period.nulls == 0 and period.lo is not None and period.lo == period.hi
    for group, value in conditions:
        if group.lo is None or group.hi is None:
            if group.nulls is not None and group.nulls >= group.rows:
                return "skip"  # every row NULL: none equals the value
            exact = False
            continue
        try:
            if value < group.lo or value > group.hi:
                return "skip"
        except TypeError:
            exact = False
            continue
        exact = exact and group.nulls == 0 and group.lo == group.hi == value
    return "exact" if exact else "read"


def _month(value: Any) -> date:
    day = value.date() if isinstance(value, datetime) else value
    return date(day.year, day.month, 1)


def held(path: str | Path, column: str, values: tuple[str, ...]) -> set[str]:
    """Those of the (sorted) ``values`` the text ``column`` of the data file ``path`` may hold, by its row
    groups' ranges (a group without statistics may hold any; one null on every row, none)."""
    if not values:
        return set()
    groups = stats(path, column)
    if groups is None:
        return set()  # written without the column: every row of it is NULL
    out: set[str] = set()
    for g in groups:
        if g.lo is None or g.hi is None:
            if g.nulls is not None and g.nulls == g.rows:
                continue  # every value null: none of them
            return set(values)
        out.update(values[bisect.bisect_left(values, _text(g.lo)) : bisect.bisect_right(values, _text(g.hi))])
    return out


def _text(value: Any) -> str:
    """A string statistic as text (bytes when the column has no UTF-8 annotation; same order)."""
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else str(value)
