"""The DuckDB catalog: which vintages exist, which are current, and where their Parquet files live.

The catalog is a small DuckDB file (``<home>/catalog.duckdb``) with one table, ``loads``; it is the record.
Writers hold the writer lock (:mod:`comercio.warehouse._lock`) for a whole load or ingest session, and after
every commit publish the table as a snapshot, ``catalog.snapshot.json``, written to a temporary name,
fsynced and renamed into place. Readers never wait and never see DuckDB's lock: when a writer is active
they read the snapshot (the last committed state); otherwise they read the DuckDB file itself, holding the
lock shared for the few milliseconds it takes. See docs/decisions/0012-readers-never-wait.md.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from comercio._stamp import Stamp, catalog_stamp, snapshot_path
from comercio.errors import WarehouseError
from comercio.warehouse import _lock
from comercio.warehouse._fs import fsync_dir

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


def _rows_to_vintages(rows: list[tuple[Any, ...]]) -> list[Vintage]:
    """The vintages of ``loads`` rows, the JSON of every row parsed in one ``json.loads`` (two calls a row
    cost more than the parsing itself in a catalog of thousands of weekly vintages)."""
    texts = [[c if isinstance(c, str) else json.dumps(c) for c in (r[7], r[15])] for r in rows]
    parsed = json.loads("[" + ",".join(f"[{a},{b}]" for a, b in texts) + "]")
    return [_row_to_vintage(r, *both) for r, both in zip(rows, parsed, strict=True)]


def _row_to_vintage(row: tuple[Any, ...], files: Any, extra: Any) -> Vintage:
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


_QUERY = f"SELECT {_COLUMNS} FROM loads ORDER BY dataset, slice, number"
_DIGEST = "SELECT coalesce(md5(string_agg(vintage || ':' || current, ',' ORDER BY vintage)), '') FROM loads"
SNAPSHOT_WAIT_S = 5.0
"""How long a reader waits for a writer that has the lock but has not published the first snapshot."""


class Catalog:
    """Access to ``catalog.duckdb``: one writer at a time (the others wait), readers never wait."""

    def __init__(
        self,
        path: Path,
        *,
        writer_wait_s: float = 300.0,
        on_writer_start: Callable[[], object] | None = None,
    ) -> None:
        self.path = path
        self.lock_path = path.with_suffix(".lock")
        self.snapshot_path = snapshot_path(path)
        self.writer_wait_s = writer_wait_s
        self.on_writer_start = on_writer_start
        self._cache: tuple[Hashable, list[Vintage]] | None = None
        self._version: tuple[Stamp, tuple[str, ...]] | None = None
        self._session: duckdb.DuckDBPyConnection | None = None
        self._in_session = False

    # -- writers ---------------------------------------------------------------------------------------
    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the writer lock (re-entrant in one thread); wait for another writer at most
        ``writer_wait_s`` seconds. Taking it sweeps orphaned temporaries and republishes the snapshot."""
        with _lock.exclusive(self.lock_path, wait_s=self.writer_wait_s, on_acquire=self._writer_start):
            yield

    def _writer_start(self) -> None:
        if self.on_writer_start is not None:
            self.on_writer_start()
        if self.path.exists():
            with self._connect(write=False) as con:
                self._publish(con)  # repairs a snapshot left stale by a writer killed after its commit

    @contextmanager
    def session(self) -> Iterator[None]:
        """Hold the writer lock for a run of loads (many files), and one write connection from the first
        use on: each load still commits (and publishes the snapshot) on its own, but the catalog is opened
        once. A session that loads nothing creates no catalog."""
        if self._in_session:
            yield
            return
        with self.writer_lock():
            self._in_session = True
            try:
                yield
            finally:
                self._in_session = False
                con, self._session = self._session, None
                self._cache = None
                if con is not None:
                    con.close()

    def record(self, vintage: Vintage) -> None:
        """Make ``vintage`` the current one of its slice, in one transaction, then publish the snapshot."""
        self.record_many([vintage])

    def record_many(self, vintages: Sequence[Vintage]) -> None:
        """Make each of ``vintages`` the current one of its slice, all in one transaction (readers see all or
        none of them), then publish the snapshot once."""
        self._cache = None
        with self.writer_lock(), self._connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for vintage in vintages:
                    con.execute(
                        "UPDATE loads SET current = FALSE WHERE dataset = ? AND slice = ?",
                        [vintage.dataset, vintage.slice],
                    )
                con.executemany(
                    f"INSERT INTO loads ({_COLUMNS}) VALUES ({', '.join(['?'] * 16)})",
                    [
                        [
                            v.vintage,
                            v.dataset,
                            v.slice,
                            v.number,
                            v.sha256,
                            v.source,
                            v.parser,
                            json.dumps(list(v.files)),
                            v.retrieved_at,
                            v.loaded_at,
                            v.rows,
                            v.value_total,
                            v.path,
                            True,
                            v.synthetic,
                            json.dumps(v.extra),
                        ]
                        for v in vintages
                    ],
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            self._publish(con)

    def _publish(self, con: duckdb.DuckDBPyConnection) -> None:
        """Write every row of ``loads`` to the snapshot atomically (temporary name, fsync, rename, fsync
        of the directory); left alone when it already holds exactly that."""
        # Rows never change but for ``current``: their ids and flags say whether the snapshot holds them all,
        # checked on the snapshot's first bytes before thousands of rows are decoded and written again.
        (digest,) = con.execute(_DIGEST).fetchall()[0]
        head = json.dumps({"digest": digest})[:-1] + ","
        try:
            with self.snapshot_path.open(encoding="utf-8") as fh:
                if fh.read(len(head)) == head:
                    return
        except (OSError, UnicodeDecodeError):
            pass
        rows = [_vintage_row(v) for v in _rows_to_vintages(con.execute(_QUERY).fetchall())]
        text = json.dumps({"digest": digest, "format": 1, "loads": rows}, ensure_ascii=False, sort_keys=True)
        tmp = self.snapshot_path.with_name(f".{self.snapshot_path.name}.{uuid.uuid4().hex}.tmp")
        try:
            with tmp.open("w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.snapshot_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(self.snapshot_path.parent)

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._session is None and self._in_session and (write or self.path.exists()):
            self._session = self._open(write=True)
        if self._session is not None:
            yield self._session
            return
        con = self._open(write=write)
        try:
            yield con
        finally:
            con.close()

    def _open(self, *, write: bool) -> duckdb.DuckDBPyConnection:
        if not write and not self.path.exists():
            con = duckdb.connect(":memory:")
            con.execute(_DDL)
            return con
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(self.path), read_only=not write)
        except duckdb.Error as exc:  # DuckDB's text names the file and the other process: not shown
            raise WarehouseError(
                "cannot open the warehouse catalog (it is damaged or used by a program other than comercio)",
                hint="run `comercio warehouse status`; rebuild with `comercio build` if it persists",
            ) from exc
        if write:
            con.execute(_DDL)
        return con

    # -- readers ---------------------------------------------------------------------------------------
    def writer_since(self) -> str | None:
        """``HH:MM`` since when another comercio process is loading, or None when none is."""
        return None if _lock.held(self.lock_path) else _lock.active_since(self.lock_path)

    def stamp(self) -> Stamp:
        """What changes whenever the catalog does (its file, write-ahead log and snapshot): three stats."""
        return catalog_stamp(self.path)

    def version(self) -> tuple[str, ...]:
        """The current vintages' ids: a cache key that changes exactly when a new vintage is committed
        (recomputed only when :meth:`stamp` changes)."""
        stamp = self.stamp()
        known = self._version
        if known is not None and known[0] == stamp:
            return known[1]
        ids = tuple(v.vintage for v in self._all() if v.current)
        self._version = (stamp, ids)
        return ids

    def _all(self) -> list[Vintage]:
        """Every vintage, read once per change of the catalog (readers ask many times a second)."""
        stamp = self.stamp()
        if _lock.held(self.lock_path):  # this thread writes: its own view of the DuckDB file
            key: Hashable = ("writer", stamp)
            if self._cache is not None and self._cache[0] == key:
                return self._cache[1]
            rows = self._read_file()
            self._cache = (key, rows)
            return rows
        if self._cache is not None and self._cache[0] == ("reader", stamp):
            return self._cache[1]
        with _lock.writer_active(self.lock_path) as busy:
            rows = self._read_snapshot() if busy else self._read_file()
        self._cache = (("reader", stamp), rows)
        return rows

    def _read_file(self) -> list[Vintage]:
        with self._connect(write=False) as con:
            return _rows_to_vintages(con.execute(_QUERY).fetchall())

    def _read_snapshot(self) -> list[Vintage]:
        """The last committed state while a writer is active (it publishes one as soon as it starts)."""
        deadline = time.monotonic() + SNAPSHOT_WAIT_S
        while True:
            try:
                data = json.loads(self.snapshot_path.read_text(encoding="utf-8"))
                return [_dict_to_vintage(d) for d in data["loads"]]
            except FileNotFoundError:
                if not self.path.exists():
                    return []  # the writer is creating the catalog: nothing was committed before
                if time.monotonic() > deadline:
                    raise WarehouseError(
                        "another comercio process is loading and the catalog's snapshot is not there yet",
                        hint="retry in a moment",
                    ) from None
                time.sleep(0.05)
            except (ValueError, KeyError, TypeError) as exc:
                raise WarehouseError(
                    "the catalog's snapshot is damaged", hint="run `comercio build` to write it again"
                ) from exc

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

    def referenced_paths(self) -> set[str]:
        return {v.path for v in self._all()}


def _vintage_row(v: Vintage) -> dict[str, Any]:
    return {**v.as_dict(), "path": v.path}


def _dict_to_vintage(d: dict[str, Any]) -> Vintage:
    return Vintage(
        vintage=d["vintage"],
        dataset=d["dataset"],
        slice=d["slice"],
        number=int(d["number"]),
        sha256=d["sha256"],
        source=d["source"],
        parser=d["parser"],
        files=tuple(d["files"]),
        retrieved_at=d["retrieved_at"],
        loaded_at=d["loaded_at"],
        rows=int(d["rows"]),
        value_total=d["value_total"],
        path=d["path"],
        current=bool(d["current"]),
        synthetic=bool(d["synthetic"]),
        extra=d["extra"] or {},
    )
