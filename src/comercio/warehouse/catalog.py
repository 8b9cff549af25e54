"""The DuckDB catalog: which vintages exist, which are current, and where their Parquet files live.

The catalog is a small DuckDB file (``<home>/catalog.duckdb``) with one table, ``loads``. Writers hold an
exclusive lock file for the duration of a load and open the catalog only for the final, transactional
switch; readers open it read-only just long enough to read the current vintages.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from comercio.errors import WarehouseError

_DDL = """
CREATE TABLE IF NOT EXISTS loads (
    vintage VARCHAR PRIMARY KEY,
    dataset VARCHAR NOT NULL,
    slice VARCHAR NOT NULL,
    number INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    parser VARCHAR NOT NULL,
    files JSON NOT NULL,
    retrieved_at VARCHAR,
    loaded_at VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    value_total DOUBLE,
    path VARCHAR NOT NULL,
    current BOOLEAN NOT NULL,
    synthetic BOOLEAN NOT NULL,
    extra JSON
)
"""


@dataclass(frozen=True)
class Vintage:
    """One load of one slice of a dataset: what was loaded, from where, when, and how much."""

    vintage: str
    dataset: str
    slice: str
    number: int
    sha256: str
    source: str
    parser: str
    files: tuple[dict[str, Any], ...]
    retrieved_at: str | None
    loaded_at: str
    rows: int
    value_total: float | None
    path: str
    current: bool
    synthetic: bool
    extra: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "vintage": self.vintage,
            "dataset": self.dataset,
            "slice": self.slice,
            "number": self.number,
            "sha256": self.sha256,
            "source": self.source,
            "parser": self.parser,
            "files": list(self.files),
            "retrieved_at": self.retrieved_at,
            "loaded_at": self.loaded_at,
            "rows": self.rows,
            "value_total": self.value_total,
            "current": self.current,
            "synthetic": self.synthetic,
            "extra": self.extra,
        }


_COLUMNS = (
    "vintage, dataset, slice, number, sha256, source, parser, files, retrieved_at, loaded_at, rows, "
    "value_total, path, current, synthetic, extra"
)


def _row_to_vintage(row: tuple[Any, ...]) -> Vintage:
    files = json.loads(row[7]) if isinstance(row[7], str) else row[7]
    extra = json.loads(row[15]) if isinstance(row[15], str) else (row[15] or {})
    return Vintage(
        vintage=row[0],
        dataset=row[1],
        slice=row[2],
        number=int(row[3]),
        sha256=row[4],
        source=row[5],
        parser=row[6],
        files=tuple(files),
        retrieved_at=row[8],
        loaded_at=row[9],
        rows=int(row[10]),
        value_total=row[11],
        path=row[12],
        current=bool(row[13]),
        synthetic=bool(row[14]),
        extra=extra or {},
    )


class Catalog:
    """Access to ``catalog.duckdb``: short-lived connections, one writer at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: tuple[tuple[tuple[int, int], ...], list[Vintage]] | None = None
        self._session: duckdb.DuckDBPyConnection | None = None

    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep one write connection open for a run of loads (many files): each load still commits on its
        own, but the catalog is opened once instead of several times per file."""
        if self._session is not None:
            yield
            return
        with self._connect(write=True) as con:
            self._session = con
            try:
                yield
            finally:
                self._session = None
                self._cache = None

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._session is not None:
            yield self._session
            return
        if not write and not self.path.exists():
            con = duckdb.connect(":memory:")
            con.execute(_DDL)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                con = duckdb.connect(str(self.path), read_only=not write)
            except duckdb.Error as exc:
                raise WarehouseError(
                    f"cannot open the catalog: {exc}",
                    file=self.path,
                    hint="another comercio process may be loading; retry when it ends",
                ) from exc
            if write:
                con.execute(_DDL)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Serialise writers across processes with an advisory lock file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(".lock")
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _stamp(self) -> tuple[tuple[int, int], ...]:
        """What changes whenever the catalog does (the file and its write-ahead log)."""
        out = []
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = p.stat()
                out.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                out.append((0, 0))
        return tuple(out)

    def _all(self) -> list[Vintage]:
        """Every vintage, read once per change of the catalog file (readers ask many times a second)."""
        stamp = self._stamp()
        if self._cache is not None and (self._cache[0] == stamp or self._session is not None):
            return self._cache[1]
        query = f"SELECT {_COLUMNS} FROM loads ORDER BY dataset, slice, number"
        with self._connect(write=False) as con:
            rows = [_row_to_vintage(r) for r in con.execute(query).fetchall()]
        self._cache = (stamp, rows)
        return rows

    def vintages(
        self, dataset: str | None = None, *, slice_: str | None = None, current_only: bool = False
    ) -> list[Vintage]:
        return [
            v
            for v in self._all()
            if (dataset is None or v.dataset == dataset)
            and (slice_ is None or v.slice == slice_)
            and (not current_only or v.current)
        ]

    def current(self, dataset: str, slice_: str) -> Vintage | None:
        found = self.vintages(dataset, slice_=slice_, current_only=True)
        return found[0] if found else None

    def record(self, vintage: Vintage) -> None:
        """Make ``vintage`` the current one of its slice, in one transaction."""
        self._cache = None
        with self._connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "UPDATE loads SET current = FALSE WHERE dataset = ? AND slice = ?",
                    [vintage.dataset, vintage.slice],
                )
                con.execute(
                    f"INSERT INTO loads ({_COLUMNS}) VALUES ({', '.join(['?'] * 16)})",
                    [
                        vintage.vintage,
                        vintage.dataset,
                        vintage.slice,
                        vintage.number,
                        vintage.sha256,
                        vintage.source,
                        vintage.parser,
                        json.dumps(list(vintage.files)),
                        vintage.retrieved_at,
                        vintage.loaded_at,
                        vintage.rows,
                        vintage.value_total,
                        vintage.path,
                        True,
                        vintage.synthetic,
                        json.dumps(vintage.extra),
                    ],
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def referenced_paths(self) -> set[str]:
        return {v.path for v in self._all()}
