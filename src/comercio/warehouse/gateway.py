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

import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from comercio.config import Settings
from comercio.errors import DataNotAvailable, WarehouseError
from comercio.warehouse import orphans, revisions, schema
from comercio.warehouse.catalog import Catalog, Vintage
from comercio.warehouse.loads import Loader, LoadResult, Provenance

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
    ) -> LoadResult:
        result = self.loader.load(
            dataset, slice_, data, provenance, conform=conform, accept_shrink=accept_shrink
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

    def files(self, dataset: str) -> list[Path]:
        paths: list[Path] = []
        for v in self.vintages(dataset):
            paths.extend(sorted(self.vintage_dir(v).glob("*.parquet")))
        return paths

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

    def table(self, dataset: str, engine: str | None = None) -> ir.Table:
        engine = engine or self.settings.engine
        self._follow()
        with self._lock:
            cache = self._registered.setdefault(engine, {})
            if dataset in cache:
                return cache[dataset]
        vintages = self.vintages(dataset)
        if not vintages:
            raise DataNotAvailable(
                f"dataset {dataset!r} is not loaded",
                hint="run `comercio build` or `comercio ingest`",
            )
        name = _table_name(dataset)
        tbl = self._read(engine, name, [(v, sorted(self.vintage_dir(v).glob("*.parquet"))) for v in vintages])
        spec = schema.DATASETS.get(dataset)
        if spec is not None and spec.revision_key:
            tbl = self._corrected(engine, name, tbl, spec.revision_key, vintages)
        if dataset == "customs_lines" and self.has("exporter_regions"):
            tbl = revisions.attribute(tbl, self.table("exporter_regions", engine))
        with self._lock:
            self._registered.setdefault(engine, {})[dataset] = tbl
        return tbl

    def _read(self, engine: str, name: str, files: list[tuple[Vintage, list[Path]]]) -> ir.Table:
        """One table over the given Parquet files of several vintages (Spark: a glob per directory)."""
        con = self.backend(engine)
        if engine == "duckdb":
            paths = [str(p) for _, fs in files for p in fs]
            return con.read_parquet(paths, table_name=name, union_by_name=True)
        parts = [
            con.read_parquet(
                str(fs[0].parent / "*.parquet"), table_name=f"{name}_{self._token}_{v.number}_{i}"
            )
            for i, (v, fs) in enumerate(files)
        ]
        return parts[0] if len(parts) == 1 else ibis.union(*parts)

    def _corrected(
        self, engine: str, name: str, tbl: ir.Table, keys: tuple[str, ...], vintages: list[Vintage]
    ) -> ir.Table:
        """``tbl`` without the rows superseded by corrections in other slices (unchanged when no current
        vintage lists any)."""
        listed = [(v, revisions.files(self.vintage_dir(v))) for v in vintages if revisions.count(v.extra)]
        listed = [(v, fs) for v, fs in listed if fs]
        if not listed:
            return tbl
        superseded = self._read(engine, f"{name}_superseded", listed)
        return revisions.without_superseded(tbl, superseded, keys)

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

    threading.Thread(target=watch, name="comercio-deadline", daemon=True).start()
    try:
        yield
    except Exception as exc:
        if fired.is_set():
            raise WarehouseError(f"query interrupted after {timeout} s", hint="narrow the query") from exc
        raise
    finally:
        done.set()
        if engine == "spark":
            (tags.removeTag if remote else tags.removeJobTag)(tag)


def _table_name(dataset: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in dataset)


def _connect(engine: str, settings: Settings) -> Any:
    if engine == "duckdb":
        return ibis.duckdb.connect(threads=os.cpu_count() or 2)
    if engine == "spark":
        from comercio.warehouse._spark import spark_session

        return ibis.pyspark.connect(spark_session(settings))
    raise WarehouseError(f"unknown engine {engine!r}")
