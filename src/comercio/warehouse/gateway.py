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

import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from comercio.config import Settings
from comercio.errors import DataNotAvailable, WarehouseError
from comercio.warehouse import _listing, orphans, revisions, schema
from comercio.warehouse._engines import Bounded, connect, deadline
from comercio.warehouse._footer import Holding, held, known
from comercio.warehouse._footer import months as footer_months
from comercio.warehouse._listing import Record
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
            with known(self._listing(dataset).lookup):
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
        """The data files of ``vintages`` (those ``where`` selects, by footer statistics)."""
        if not vintages:
            return []
        names = self._names(vintages)
        if where is None:
            key = ("paths", vintages[0].dataset, tuple(v.vintage for v in vintages))
            return self.memo(key, lambda: [(v, [Path(p) for p in fs]) for v, fs in names])
        listing = self._listing(vintages[0].dataset)
        chosen = listing.selected(where)  # the indexed files at once; the others (loaded since) one by one

        def pick(path: str) -> bool:
            return path in chosen if chosen is not None and listing.knows(path) else where(path)

        with known(listing.lookup):
            return [(v, [Path(p) for p in kept]) for v, fs in names if (kept := [p for p in fs if pick(p)])]

    def _names(self, vintages: list[Vintage]) -> list[tuple[Vintage, list[str]]]:
        """The data files of ``vintages`` as text: named by the dataset's listing index where it names the
        vintage, else found in its directory; once per catalog version."""
        dataset = vintages[0].dataset

        def find() -> list[tuple[Vintage, list[str]]]:
            named, root = self._listing(dataset).files, str(self.settings.data_dir)
            dirs = [f"{root}/{v.path}" for v in vintages]  # catalog paths are relative and normal
            return [
                (v, named.get(d) or sorted(str(p) for p in Path(d).glob("*.parquet")))
                for v, d in zip(vintages, dirs, strict=True)
            ]

        return self.memo(("names", dataset, tuple(v.vintage for v in vintages)), find)

    def _listing(self, dataset: str) -> _listing.Listing:
        """The listing index of ``dataset``'s current vintages (:mod:`comercio.warehouse._listing`): their
        data files and footer statistics from one file; empty without one (every directory listed)."""
        vintages = self.vintages(dataset)

        def read() -> _listing.Listing:
            root = str(self.settings.data_dir)
            dirs = {v.vintage: f"{root}/{v.path}" for v in vintages}
            found = _listing.read(self.settings.data_dir / dataset, dataset, dirs)
            return found if found is not None else _listing.Listing.empty()

        return self.memo(("listing", dataset, tuple(v.vintage for v in vintages)), read)

    def version(self) -> tuple[str, ...]:
        """The current vintages' ids (cheap while the catalog is unchanged): a key for caches of answers."""
        return self.catalog.version()

    def _follow(self) -> None:
        """Forget registered tables once another process has committed a new vintage."""
        version = self.catalog.version()
        if version != self._seen:
            if self._seen is not None:  # the first table keeps what was memoised before it, at this version
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
                self._backends[engine] = connect(engine, self.settings)
            return self._backends[engine]

    def table(self, dataset: str, engine: str | None = None, *, where: Holding | None = None) -> ir.Table:
        """The rows of ``dataset``'s current vintages (corrected, conformed); with ``where``, only those of
        the data files it selects (by their Parquet statistics), still corrected and conformed (no row when
        it selects none; DataNotAvailable when it names a column the dataset does not have)."""
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
        spec = schema.DATASETS.get(dataset)
        if not files and where is not None and (spec is None or where.column in spec.columns):
            return self.table(dataset, engine).filter(ibis.literal(False))  # the dataset's columns, no row
        if not files:
            raise DataNotAvailable(f"dataset {dataset!r}: no data file has {where}")
        if where is not None and _count(files) == _count(self._names(vintages)):
            return self.table(dataset, engine)  # every file: the dataset's own table (registered once)
        name = _table_name(key)
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
        records = self._records(vintages)
        sources = _sources(records)
        lookup = self._listing(spec.name).lookup
        with known(lookup):  # the superseded sources each file may hold
            hit = [(v, fs, set().union(*(held(p, "source", sources) for p in fs))) for v, fs in files]
        touched = [(v, fs) for v, fs, found in hit if found]
        if not touched:
            return self._read(engine, name, files, spec)
        wanted = _listing.needed(records, set().union(*(found for *_, found in hit)))
        superseded = self._read(engine, f"{name}_superseded", wanted)
        by = tuple(sorted(frozenset().union(*(revisions.late_by(str(p)) for _, ps in wanted for p in ps))))
        if by:  # a late record applies only while the row that superseded it is current
            with known(lookup):
                later = [
                    (v, k)
                    for v, fs in self._files(vintages, None)
                    if (k := [p for p in fs if held(p, "source", by)])
                ]
            later_rows = self._read(engine, f"{name}_later", later, spec) if later else None
            superseded = revisions.applying(superseded, later_rows, spec.revision_key)
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
        return _sources(self._records(self.vintages(dataset)))

    def _records(self, vintages: list[Vintage]) -> list[Record]:
        """Every record file of superseded rows the ``vintages`` list, with its rows' sources (once per
        catalog version; :func:`comercio.warehouse._listing.records`)."""
        listing = self._listing(vintages[0].dataset) if vintages else _listing.Listing.empty()
        find = partial(_listing.records, listing, vintages, self.settings.data_dir)
        return self.memo(("records", tuple(v.vintage for v in vintages)), find)

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
        with deadline(con, engine, timeout):
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


def _count(files: Sequence[tuple[Any, Sequence[Any]]]) -> int:
    return sum(len(fs) for _, fs in files)


def _sources(records: list[Record]) -> tuple[str, ...]:
    """The sources of every row the ``records`` list, sorted."""
    return tuple(sorted(frozenset().union(*(s for _, _, s in records))))


def _table_name(dataset: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in dataset)
