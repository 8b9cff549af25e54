"""The one gateway to the warehouse: every connection is opened here and every query runs through here.

Other layers ask :class:`Warehouse` for an Ibis table (``wh.table("bcrp_departments")``), build expressions,
and hand them back to :meth:`Warehouse.execute`, or to :meth:`Warehouse.execute_bounded`, which bounds them in
rows and time on either engine (the limits are settings) and says whether rows were left out. Nothing outside
this package opens a DuckDB or Spark connection.

A dataset's table is every current vintage's top-level Parquet files. For a dataset with corrections across
slices (customs lines), the rows a later file superseded are left out; and once the user has loaded an
``exporter_regions`` table, customs lines without a producer UBIGEO take its department and basis
(:mod:`comercio.warehouse.revisions`).
"""

from __future__ import annotations

import bisect
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from comercio.config import Settings
from comercio.errors import DataNotAvailable, WarehouseError
from comercio.warehouse import orphans, revisions, schema
from comercio.warehouse._footer import Holding, stats
from comercio.warehouse._footer import months as footer_months
from comercio.warehouse.catalog import Catalog, Vintage
from comercio.warehouse.loads import Loader, LoadResult, Provenance
from comercio.warehouse.schema import DatasetSpec

T = TypeVar("T")


class Warehouse:
    """Parquet files plus a DuckDB catalog in ``settings.home``, queried through Ibis."""

    def __init__(self, settings: Settings | None = None, *, read_only: bool = False) -> None:
        self.settings = settings or Settings.from_env()
        self.read_only = read_only
        self.catalog = Catalog(
            self.settings.catalog_path,
            writer_wait_s=self.settings.writer_wait_s,
            on_writer_start=partial(orphans.sweep, self.settings.home),
        )
        self._seen: tuple[str, ...] | None = None
        self._backends: dict[str, Any] = {}
        self._registered: dict[str, dict[str, ir.Table]] = {}
        self._memo: dict[Any, Any] = {}
        self._lock = threading.Lock()
        # Spark's temporary views belong to the process-wide session: this warehouse's names are its own, so
        # two warehouses in one process (a server and a test, two homes) never read each other's files
        self._token = uuid.uuid4().hex[:12]

    # -- state -------------------------------------------------------------------------------------------
    @property
    def home(self) -> Path:
        return self.settings.home

    @cached_property
    def loader(self) -> Loader:
        if self.read_only:
            raise WarehouseError("this warehouse connection is read-only")
        return Loader(self.settings.data_dir, self.catalog)

    def load(
        self,
        dataset: str,
        slice_: str,
        data: pa.Table | Iterable[pa.RecordBatch],
        provenance: Provenance,
        *,
        conform: bool = True,
        accept_shrink: bool = False,
        sweep: bool = True,
    ) -> LoadResult:
        result = self.loader.load(
            dataset, slice_, data, provenance, conform=conform, accept_shrink=accept_shrink, sweep=sweep
        )
        self.refresh()
        return result

    def vintages(self, dataset: str | None = None, *, current_only: bool = True) -> list[Vintage]:
        return self.catalog.vintages(dataset, current_only=current_only)

    def datasets(self) -> list[str]:
        return sorted({v.dataset for v in self.vintages()})

    def has(self, dataset: str) -> bool:
        return any(v.dataset == dataset for v in self.vintages(dataset))

    def vintage_dir(self, vintage: Vintage) -> Path:
        return self.settings.data_dir / vintage.path

    def files(self, dataset: str, where: Holding | None = None) -> list[Path]:
        """The current vintages' data files of ``dataset`` (those ``where`` selects, when given)."""
        return [p for _, fs in self._files(self.vintages(dataset), where) for p in fs]

    def months(self, dataset: str, engine: str | None = None, **equal: str) -> tuple[date, ...]:
        """The months (``period``) the current vintages of ``dataset`` hold in rows where each column named
        has the value given (``flow="X"``): from the data files' footer statistics where they tell (a file
        of one month per row group), else by one distinct query over the other files only; never by
        aggregating the dataset. Rows a correction superseded still count: a correction replaces a line of
        its own month."""
        engine = engine or self.settings.engine
        vintages = self.vintages(dataset)
        key = ("months", dataset, engine, tuple(sorted(equal.items())), tuple(v.vintage for v in vintages))

        def compute() -> tuple[date, ...]:
            files = self._files(vintages, None)
            found, unread = footer_months([p for _, fs in files for p in fs], equal)
            if unread:
                kept = {*unread}
                parts = [(v, [p for p in fs if p in kept]) for v, fs in files]
                view = _table_name(f"{dataset}|months|{abs(hash(key)):x}")
                spec = schema.DATASETS.get(dataset)  # conformed: parts of older vintages must union (Spark)
                t = self._read(engine, view, [(v, fs) for v, fs in parts if fs], spec)
                for column, value in equal.items():
                    t = t.filter(t[column] == value)
                read = self.execute(t.select("period").distinct(), engine=engine).column("period")
                found |= {date(p.year, p.month, 1) for p in read.to_pylist() if p is not None}
            return tuple(sorted(found))

        return self.memo(key, compute)

    def _files(self, vintages: list[Vintage], where: Holding | None) -> list[tuple[Vintage, list[Path]]]:
        files = [(v, sorted(self.vintage_dir(v).glob("*.parquet"))) for v in vintages]
        if where is None:
            return files
        return [(v, kept) for v, fs in files if (kept := [p for p in fs if where(p)])]

    def version(self) -> tuple[str, ...]:
        """The current vintages' ids (cheap while the catalog is unchanged): a key for caches of answers."""
        return self.catalog.version()

    def _follow(self) -> None:
        """Forget registered tables once another process has committed a new vintage."""
        version = self.catalog.version()
        if version != self._seen:
            self.refresh()
            self._seen = version

    def refresh(self) -> None:
        """Forget registered tables and memoised results so the next query sees the latest vintages."""
        with self._lock:
            self._registered.clear()
            self._memo.clear()

    def recall(self, key: Any) -> Any | None:
        """What :meth:`memo` holds for ``key`` (None: nothing yet), computing nothing."""
        with self._lock:
            return self._memo.get(key)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """Compute once per key (keys include the vintages they depend on, so a new load misses)."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        value = compute()
        with self._lock:
            if len(self._memo) > 256:
                self._memo.clear()
            self._memo[key] = value
        return value

    # -- compute -----------------------------------------------------------------------------------------
    def backend(self, engine: str | None = None) -> Any:
        engine = engine or self.settings.engine
        with self._lock:
            if engine not in self._backends:
                self._backends[engine] = _connect(engine, self.settings)
            return self._backends[engine]

    def table(self, dataset: str, engine: str | None = None, *, where: Holding | None = None) -> ir.Table:
        """The rows of ``dataset``'s current vintages (corrected, conformed); with ``where``, only those of
        the data files it selects (by their Parquet statistics), still corrected and conformed."""
        engine = engine or self.settings.engine
        self._follow()
        key = dataset if where is None else f"{dataset}|{where}"
        with self._lock:
            cache = self._registered.setdefault(engine, {})
            if key in cache:
                return cache[key]
        vintages = self.vintages(dataset)
        if not vintages:
            raise DataNotAvailable(
                f"dataset {dataset!r} is not loaded",
                hint="run `comercio build` or `comercio ingest`",
            )
        files = self._files(vintages, where)
        if not files:
            raise DataNotAvailable(f"dataset {dataset!r}: no data file has {where}")
        if where is not None and files == self._files(vintages, None):
            return self.table(dataset, engine)  # every file: the dataset's own table (registered once)
        name = _table_name(key)
        spec = schema.DATASETS.get(dataset)
        if spec is not None and spec.revision_key:
            tbl = self._corrected(engine, name, spec, files, vintages)
        else:
            tbl = self._read(engine, name, files, spec)
        if dataset == "customs_lines" and self.has("exporter_regions"):
            tbl = revisions.attribute(tbl, self.table("exporter_regions", engine))
        with self._lock:
            self._registered.setdefault(engine, {})[key] = tbl
        return tbl

    def _read(
        self, engine: str, name: str, files: list[tuple[Vintage, list[Path]]], spec: DatasetSpec | None = None
    ) -> ir.Table:
        """One table over the given Parquet files of several vintages (Spark: a glob per directory), with
        ``spec``'s columns in its order: a column an older vintage was written without reads as NULL."""
        con = self.backend(engine)
        if engine == "duckdb":
            paths = [str(p) for _, fs in files for p in fs]
            return _conform(con.read_parquet(paths, table_name=name, union_by_name=True), spec)
        parts = [
            _conform(_spark_read(con, fs, f"{name}_{self._token}_{v.number}_{i}"), spec)
            for i, (v, fs) in enumerate(files)
        ]
        return parts[0] if len(parts) == 1 else ibis.union(*parts)

    def _corrected(
        self,
        engine: str,
        name: str,
        spec: DatasetSpec,
        files: list[tuple[Vintage, list[Path]]],
        vintages: list[Vintage],
    ) -> ir.Table:
        """The lines of ``files`` without the rows superseded by corrections listed in any of ``vintages``
        (the dataset's current ones, whether or not ``files`` reads them).

        Only the vintages whose files may hold a superseded row's ``source`` (by their Parquet statistics)
        go through the anti-join; the others, and every vintage when no current vintage lists any
        correction, are read as they are.
        """
        listed = self._corrections(vintages)
        sources = _superseded_sources([p for _, fs in listed for p in fs])
        touched = [(v, fs) for v, fs in files if any(_may_hold(p, sources) for p in fs)]
        if not touched:
            return self._read(engine, name, files, spec)
        superseded = self._read(engine, f"{name}_superseded", listed)
        fixed = revisions.without_superseded(
            self._read(engine, f"{name}_corrected", touched, spec), superseded, spec.revision_key
        )
        clean = [(v, fs) for v, fs in files if all(v is not t for t, _ in touched)]
        return fixed if not clean else ibis.union(self._read(engine, name, clean, spec), fixed)

    def superseded_sources(self, dataset: str) -> tuple[str, ...]:
        """The ``source`` of every row a correction listed by a current vintage of ``dataset`` superseded
        (sorted; none without corrections): the corrected view anti-joins on the key and the source, so a
        vintage none of whose rows has one of them is read as it is."""
        spec = schema.DATASETS.get(dataset)
        if spec is None or not spec.revision_key:
            return ()
        return _superseded_sources([p for _, fs in self._corrections(self.vintages(dataset)) for p in fs])

    def _corrections(self, vintages: list[Vintage]) -> list[tuple[Vintage, list[Path]]]:
        """The ``vintages`` that list corrections, with the files of their records."""
        listed = [(v, revisions.files(self.vintage_dir(v))) for v in vintages if revisions.count(v.extra)]
        return [(v, fs) for v, fs in listed if fs]

    def execute(
        self,
        expr: ir.Table,
        *,
        engine: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> pa.Table:
        """Run an Ibis expression; at most ``limit`` rows, interrupted after ``timeout`` seconds (no bound
        unless given: the engine's own cubes are bounded by their grain; see :meth:`execute_bounded`)."""
        engine = engine or self.settings.engine
        con = self.backend(engine)
        if limit is not None:
            expr = expr.limit(limit)
        with _deadline(con, engine, timeout):
            return con.to_pyarrow(expr)

    def execute_bounded(
        self,
        expr: ir.Table,
        *,
        engine: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> Bounded:
        """Run an Ibis expression within the settings' limits (``query_max_rows``, ``query_timeout_s``), or
        tighter ones: ``limit + 1`` rows are fetched so a result with more than ``limit`` rows comes back cut
        to ``limit`` and marked ``truncated``; past the timeout the query is interrupted
        (:class:`WarehouseError`).
        """
        rows = self.settings.query_max_rows if limit is None else min(limit, self.settings.query_max_rows)
        seconds = self.settings.query_timeout_s
        seconds = seconds if timeout is None else min(timeout, seconds)
        table = self.execute(expr, engine=engine, limit=rows + 1, timeout=seconds)
        return Bounded(table.slice(0, rows), table.num_rows > rows, rows)


@dataclass(frozen=True)
class Bounded:
    """The rows of a bounded query (at most ``limit``) and whether rows beyond ``limit`` were left out."""

    table: pa.Table
    truncated: bool
    limit: int


@contextmanager
def _deadline(con: Any, engine: str, timeout: float | None) -> Iterator[None]:
    """Interrupt the query run inside after ``timeout`` seconds (DuckDB's interrupt; Spark's jobs tagged)."""
    if timeout is None:
        yield
        return
    fired, done = threading.Event(), threading.Event()
    if engine == "spark":  # the context's job tags; Spark Connect has no context: the session's tags
        tag = f"comercio-{uuid.uuid4().hex}"
        remote = type(con._session).__module__.startswith("pyspark.sql.connect")
        tags = con._session if remote else con._session.sparkContext
        (tags.addTag if remote else tags.addJobTag)(tag)
        cancel: Callable[[], None] = partial(tags.interruptTag if remote else tags.cancelJobsWithTag, tag)
    else:
        cancel = con.con.interrupt

    def watch() -> None:
        if done.wait(timeout):
            return
        fired.set()
        while (
            True
        ):  # again until the query gives up: it may not have started (memtables are registered first)
            cancel()
            if done.wait(0.5):
                return

    watcher = threading.Thread(target=watch, name="comercio-deadline", daemon=True)
    watcher.start()
    try:
        yield
    except Exception as exc:
        if fired.is_set():
            raise WarehouseError(f"query interrupted after {timeout} s", hint="narrow the query") from exc
        raise
    finally:
        done.set()
        # wait for the watcher to end: a daemon thread left inside the engine's interrupt when the
        # interpreter exits aborts the process ("terminate called … exception not rethrown")
        watcher.join(timeout=2.0)
        if engine == "spark":
            (tags.removeTag if remote else tags.removeJobTag)(tag)


def _conform(tbl: ir.Table, spec: DatasetSpec | None) -> ir.Table:
    """``tbl`` with ``spec``'s columns in its order and types: a column missing from every file read as a
    typed NULL (an old vintage written before the column existed), one of another type cast (parts of one
    dataset read apart must union); unchanged without a spec or when nothing differs."""
    if spec is None:
        return tbl
    have = tbl.schema()
    want = {c: ibis.dtype(spec.schema.field(c).type) for c in spec.columns}
    same = {
        c for c in spec.columns if c in have and have[c].copy(nullable=True) == want[c].copy(nullable=True)
    }
    if tuple(tbl.columns) == spec.columns and len(same) == len(want):
        return tbl
    return tbl.select(
        *[
            tbl[c] if c in same else (tbl[c].cast(want[c]) if c in have else ibis.null(want[c])).name(c)
            for c in spec.columns
        ]
    )


def _spark_read(con: Any, paths: list[Path], view: str) -> ir.Table:
    """Spark: a glob over a vintage's directory when ``paths`` are all its data files, else those files."""
    if len(paths) == len(list(paths[0].parent.glob("*.parquet"))):
        return con.read_parquet(str(paths[0].parent / "*.parquet"), table_name=view)
    con._session.read.parquet(*[str(p) for p in paths]).createOrReplaceTempView(view)
    return con.table(view)


@lru_cache(maxsize=4096)
def _sources_of(path: str) -> frozenset[str]:
    """The ``source`` values of one record file of superseded rows (vintage files never change)."""
    return frozenset(s for s in pq.read_table(path, columns=["source"]).column(0).to_pylist() if s)


def _superseded_sources(paths: list[Path]) -> tuple[str, ...]:
    return tuple(sorted(frozenset().union(*(_sources_of(str(p)) for p in paths))))


def _source_ranges(path: Path) -> tuple[tuple[str, str], ...] | None:
    """(min, max) of ``source`` per row group of a data file; None when a row group has no statistics."""
    groups = stats(path, "source")
    if groups is None:
        return ()  # written without a source: no row of it can be superseded (the key includes source)
    out = []
    for g in groups:
        if g.lo is None:
            if g.nulls == g.rows:
                continue  # every source null: never superseded
            return None
        out.append((_text(g.lo), _text(g.hi)))
    return tuple(out)


def _text(value: Any) -> str:
    """A string statistic as text (bytes when the column has no UTF-8 annotation; same order)."""
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else str(value)


def _may_hold(path: Path, sources: tuple[str, ...]) -> bool:
    """Whether the data file ``path`` may hold a row of one of the (sorted) ``sources``."""
    if not sources:
        return False
    ranges = _source_ranges(path)
    if ranges is None:
        return True
    return any(bisect.bisect_left(sources, lo) < bisect.bisect_right(sources, hi) for lo, hi in ranges)


def _table_name(dataset: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in dataset)


def _connect(engine: str, settings: Settings) -> Any:
    if engine == "duckdb":
        return ibis.duckdb.connect(threads=os.cpu_count() or 2)
    if engine == "spark":
        from comercio.warehouse._spark import spark_session

        return ibis.pyspark.connect(spark_session(settings))
    raise WarehouseError(f"unknown engine {engine!r}")
