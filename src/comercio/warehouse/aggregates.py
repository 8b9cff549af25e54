"""A vintage's aggregates: small Parquet sidecars written by its load, so a run after a weekly append
aggregates only what changed (docs/decisions/0024-vintage-aggregates.md).

For a dataset of customs lines, a load also writes, inside the vintage directory under ``aggregates/`` (not
matched by the ``*.parquet`` glob of data files), per flow and ``source``: the *region* rows (value and net
weight summed by :data:`REGION`, the columns of the engine's region cube) and the *maturity* rows (value
summed by :data:`MATURITY`). They are sums of the vintage's own lines as written, before any correction: the
engine uses them only for a vintage none of whose sources a correction superseded and when no
``exporter_regions`` table re-attributes departments. Each sidecar's file name holds a hash of its format
version, its columns and the dataset's schema fingerprint, which its Parquet metadata also names; a reader
asking for other columns, another format or another schema finds no file (the vintage is then scanned: never
wrong). :func:`backfill` gives the vintages of an older warehouse theirs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from comercio.warehouse import _listing, schema
from comercio.warehouse._fingerprint import schema_fingerprint
from comercio.warehouse._footer import Among, among
from comercio.warehouse.catalog import Catalog
from comercio.warehouse.schema import DatasetSpec

DIRECTORY = "aggregates"
INDEX = ".aggregates"  # under data/<dataset>/: many vintages' sidecar rows in one file per kind
VINTAGE = "vintage_id"  # the index's column naming each row's vintage
FORMAT = 2  # 2: rows also by ``source`` (a correction's target found without reading data footers)
META = b"comercio.aggregates"
# The region cube's columns (``indicators.engine.cube_columns`` of the customs lines, checked by a test and,
# at read time, by the columns the sidecar names) and those of the month maturity.
REGION = ("period", "customs_office", "department", "region_basis")
MATURITY = ("period", "date", "file_date")
WEIGHT = "net_kg"
_FEW = 32  # fewer sidecars than this are read by Arrow (a DuckDB connection costs more than they do)
_COMPACT = 200_000  # partial rows kept before they are summed again while a load streams


@dataclass(frozen=True)
class Kind:
    """One sidecar: its file name, the columns it groups by (with ``flow`` and ``source``: the rows a
    correction may supersede are known by their source) and the columns it sums."""

    name: str
    columns: tuple[str, ...]
    sums: tuple[str, ...]

    @property
    def keys(self) -> list[str]:
        return ["flow", "source", *self.columns]


KINDS = (
    Kind("region", REGION, ("value_usd", WEIGHT)),
    Kind("maturity", MATURITY, ("value_usd",)),
)


def kind(name: str) -> Kind:
    return next(k for k in KINDS if k.name == name)


def applies(spec: DatasetSpec | None) -> bool:
    """Whether loads of ``spec`` write aggregates: line datasets with every column summed or grouped, and no
    flow filter (the sidecar's rows are per ``flow`` only)."""
    if spec is None or not spec.lines or spec.flow_filter or spec.value_column != "value_usd":
        return False
    needed = {"flow", "source", *REGION, *MATURITY, "value_usd", WEIGHT}
    return needed <= set(spec.columns)


def fingerprint(spec: DatasetSpec) -> str:
    """The schema fingerprint a sidecar is valid for (that of the vintage's data files)."""
    return schema_fingerprint(spec.name) or ""


def _sum(table: pa.Table, k: Kind) -> pa.Table:
    """``table`` summed by ``k``'s keys (a null sum where every value is null, as the engines do)."""
    out = (
        table.select([*k.keys, *k.sums])
        .group_by(k.keys, use_threads=False)
        .aggregate([(c, "sum") for c in k.sums])
    )
    return out.select([*[f"{c}_sum" for c in k.sums], *k.keys]).rename_columns([*k.sums, *k.keys])


def layout(spec: DatasetSpec, k: Kind) -> pa.Schema:
    """The columns of a ``k`` sidecar of ``spec``: its keys with the dataset's types, its sums as doubles."""
    keys = [spec.schema.field(c).with_nullable(True) for c in k.keys]
    return pa.schema(keys + [pa.field(c, pa.float64()) for c in k.sums])


@dataclass
class Sums:
    """The aggregates of a load, summed batch by batch as its rows are written."""

    spec: DatasetSpec
    _parts: dict[str, list[pa.Table]] = field(default_factory=dict)

    def add(self, table: pa.Table) -> None:
        for k in KINDS:
            parts = self._parts.setdefault(k.name, [])
            parts.append(_sum(table, k))
            if sum(p.num_rows for p in parts) > _COMPACT:
                self._parts[k.name] = [_sum(pa.concat_tables(parts), k)]

    def table(self, k: Kind) -> pa.Table:
        parts = self._parts.get(k.name, [])
        out = _sum(pa.concat_tables(parts), k) if parts else None
        want = layout(self.spec, k)
        if out is None:
            return want.empty_table()
        return out.select(want.names).cast(want).sort_by([(c, "ascending") for c in k.keys])

    def write(self, directory: Path) -> None:
        """Write every sidecar into ``directory/aggregates`` (``directory``: a staged or hidden one)."""
        out = directory / DIRECTORY
        out.mkdir(exist_ok=True)
        for k in KINDS:
            table = self.table(k).replace_schema_metadata({META: json.dumps(_meta(self.spec, k)).encode()})
            pq.write_table(table, out / file_name(self.spec, k.name, k.columns))


def _meta(spec: DatasetSpec, k: Kind) -> dict[str, object]:
    return {"format": FORMAT, "columns": list(k.columns), "schema": fingerprint(spec)}


def file_name(spec: DatasetSpec, name: str, columns: tuple[str, ...]) -> str:
    """The sidecar's file name: its kind and a hash of its format, columns and the dataset's schema, so a
    reader asking for anything else finds no file (and scans) without opening one."""
    text = json.dumps({"format": FORMAT, "columns": list(columns), "schema": fingerprint(spec)})
    return f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.parquet"


def for_load(dataset: str, spec: DatasetSpec | None) -> Sums | None:
    """An accumulator for a load of ``dataset`` written with ``spec`` (None: no aggregates)."""
    return Sums(spec) if spec is not None and spec.name == dataset and applies(spec) else None


def read(directory: Path, dataset: str, name: str, columns: tuple[str, ...]) -> pa.Table | None:
    """The ``name`` sidecar of the vintage in ``directory``, when it exists and was written with this
    format, ``columns`` and the dataset's current schema (its name and its metadata say so); else None
    (the vintage must be scanned)."""
    spec = schema.DATASETS.get(dataset)
    if spec is None:
        return None
    path = directory / DIRECTORY / file_name(spec, name, columns)
    if not _current(path, spec, name, columns):
        return None
    try:
        return pq.read_table(path).replace_schema_metadata(None)
    except (OSError, pa.ArrowException):
        return None


def _current(path: Path, spec: DatasetSpec, name: str, columns: tuple[str, ...]) -> bool:
    """Whether the sidecar ``path`` exists and its metadata names this format, ``columns`` and the dataset's
    schema (read from its footer, not its rows)."""
    try:
        raw = (pq.read_schema(path).metadata or {}).get(META)
    except (OSError, pa.ArrowException):
        return False
    if not raw:
        return False
    return bool(json.loads(raw) == _meta(spec, kind(name)) and kind(name).columns == columns)


def read_many(
    directories: Sequence[Path],
    dataset: str,
    name: str,
    columns: tuple[str, ...],
    *,
    ids: list[str] | None = None,
    base: Path | None = None,
) -> tuple[pa.Table | None, list[bool]]:
    """The ``name`` sidecars of many vintages at once, each row with the index of its vintage in
    ``directories`` (column ``vintage``), and which vintages have one (by its file name, which holds its
    format, columns and schema); None: no vintage has. With the vintages' ``ids`` and the dataset's directory
    ``base``, the rows of the vintages its index holds (:func:`write_index`) are read from that one file;
    the others' sidecars, many in one multi-threaded DuckDB scan."""
    spec = schema.DATASETS.get(dataset)
    if spec is None or name not in {k.name for k in KINDS} or kind(name).columns != columns:
        return None, [False] * len(directories)
    parts: list[pa.Table] = []
    found = [False] * len(directories)
    if ids is not None and base is not None:
        indexed = _from_index(base / INDEX / file_name(spec, name, columns), ids, layout(spec, kind(name)))
        if indexed is not None:
            parts.append(indexed)
            for i in pc.unique(indexed.column("vintage")).to_pylist():
                found[i] = True
    todo = [i for i, f in enumerate(found) if not f]
    rest, have = _read_files([directories[i] for i in todo], spec, name, columns)
    for i, h in zip(todo, have, strict=True):
        found[i] = h
    if rest is not None:
        at = pc.take(pa.array(todo, pa.int32()), rest.column("vintage"))
        parts.append(rest.set_column(rest.schema.get_field_index("vintage"), "vintage", at))
    return (pa.concat_tables(parts) if parts else None), found


def _read_files(
    directories: list[Path], spec: DatasetSpec, name: str, columns: tuple[str, ...]
) -> tuple[pa.Table | None, list[bool]]:
    """The sidecar files of ``directories`` (see :func:`read_many`), without the index."""
    want = file_name(spec, name, columns)
    paths = [d / DIRECTORY / want for d in directories]
    found = [p.is_file() for p in paths]
    kept = [str(p) for p, f in zip(paths, found, strict=True) if f]
    if not kept:
        return None, found
    want = layout(spec, kind(name))
    at = pa.array([i for i, f in enumerate(found) if f], pa.int32())
    if len(kept) < _FEW:
        parts = [pq.read_table(p, schema=want) for p in kept]
        index = pa.array([i for i, t in zip(at.to_pylist(), parts, strict=True) for _ in range(t.num_rows)])
        return pa.concat_tables(parts).append_column("vintage", index.cast(pa.int32())), found
    with duckdb.connect() as con:  # one scan of many small files: Arrow opens them one by one, ~10× slower
        sql = f"SELECT {', '.join(want.names)}, filename FROM read_parquet($files, filename = true)"
        table = con.sql(sql, params={"files": kept}).to_arrow_table()
    index = pc.take(at, pc.index_in(table.column("filename"), value_set=pa.array(kept)))
    return table.drop_columns(["filename"]).cast(want).append_column("vintage", index), found


def _from_index(path: Path, ids: list[str], want: pa.Schema) -> pa.Table | None:
    """The rows of the index file ``path`` whose vintage is one of ``ids``, with its position (None: no
    index, or none of them in it)."""
    try:  # the ids as a dictionary: matched once each, not once per row
        table = pq.read_table(path, read_dictionary=[VINTAGE])
    except (OSError, pa.ArrowException):
        return None
    wanted = pa.array(ids, pa.string())
    at = pa.chunked_array(
        [
            pc.take(pc.index_in(c.dictionary, value_set=wanted), c.indices)
            for c in table.column(VINTAGE).chunks
        ],
        pa.int32(),
    )
    keep = pc.is_valid(at)
    if not pc.any(keep).as_py():
        return None
    rows = table.filter(keep).select(want.names).cast(want)
    return rows.append_column("vintage", at.filter(keep).cast(pa.int32()))


def write_index(data_dir: Path, dataset: str, vintages: list[tuple[str, Path]]) -> None:
    """One file per kind under ``data/<dataset>/.aggregates`` with the sidecar rows of ``vintages`` (id,
    directory) and each row's vintage id, renamed into place (the caller holds the writer lock). A reader
    takes from it only the rows of the current vintages it names; a vintage it does not name is read from
    its own sidecar. Its name holds the sidecars' format, columns and schema, as theirs do."""
    spec = schema.DATASETS.get(dataset)
    if spec is None or not applies(spec) or not vintages:
        return
    base = data_dir / dataset
    names = pa.array([v for v, _ in vintages], pa.string())
    for k in KINDS:
        table, _ = _read_files([d for _, d in vintages], spec, k.name, k.columns)
        if table is None:
            continue
        table = table.append_column(VINTAGE, pc.take(names, table.column("vintage"))).drop_columns(
            ["vintage"]
        )
        tmp = base / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        try:
            pq.write_table(table, tmp / "index.parquet")
            (base / INDEX).mkdir(exist_ok=True)
            os.replace(tmp / "index.parquet", base / INDEX / file_name(spec, k.name, k.columns))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def valid(directory: Path, dataset: str) -> bool:
    """Whether every sidecar of the vintage in ``directory`` is there and current (its footer says so)."""
    spec = schema.DATASETS.get(dataset)
    if spec is None:
        return False
    folder = directory / DIRECTORY
    return all(_current(folder / file_name(spec, k.name, k.columns), spec, k.name, k.columns) for k in KINDS)


def of_files(spec: DatasetSpec, paths: list[Path]) -> Sums:
    """The aggregates of a vintage's data files, read in batches (an older vintage's backfill)."""
    sums = Sums(spec)
    needed = list(dict.fromkeys(c for k in KINDS for c in (*k.keys, *k.sums)))
    for p in paths:
        for batch in pq.ParquetFile(p).iter_batches(batch_size=1_000_000, columns=needed):
            sums.add(pa.Table.from_batches([batch]))
    return sums


def _readable(spec: DatasetSpec, path: Path) -> bool:
    """Whether the data file ``path`` holds every column the sidecars read, of the type ``spec`` gives it."""
    have = pq.read_schema(path)
    needed = {c for k in KINDS for c in (*k.keys, *k.sums)}
    return all(c in have.names and have.field(c).type == spec.schema.field(c).type for c in needed)


def backfill(
    data_dir: Path,
    vintages: list[tuple[str, str, Path, str | None]],
    *,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write the missing or outdated sidecars of ``vintages`` (dataset, vintage id, directory, the schema
    fingerprint it was written with); the caller holds the writer lock. Each is written in a hidden
    directory of the dataset and renamed into its vintage. A vintage written with another schema is left
    alone unless its files hold every column the sidecars read with today's types (the gateway reads them
    as they are). Returns how many vintages gained sidecars; a second run writes none."""
    done = 0
    for dataset, vintage, directory, printed in vintages:
        spec = schema.DATASETS.get(dataset)
        if not applies(spec) or spec is None or valid(directory, dataset):
            continue
        files = sorted(directory.glob("*.parquet"))
        if not files or (printed != fingerprint(spec) and not all(_readable(spec, p) for p in files)):
            continue
        tmp = data_dir / dataset / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        try:
            of_files(spec, files).write(tmp)
            final = directory / DIRECTORY
            if final.exists():  # an older format: readers scan the vintage meanwhile
                shutil.rmtree(final)
            os.replace(tmp / DIRECTORY, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        done += 1
        if progress is not None:
            progress(vintage)
    return done


def complete(catalog: Catalog, data_dir: Path, progress: Callable[[str], None] | None = None) -> int:
    """Give every current vintage of ``catalog`` (its files in ``data_dir``) that lacks them its sidecars
    (``comercio warehouse aggregate``), under the writer lock, and index them all in one file per kind
    (:func:`write_index`) with their data files' footers (:mod:`comercio.warehouse._listing`); how many
    vintages gained sidecars."""
    with catalog.writer_lock():
        found = [
            (v.dataset, v.vintage, data_dir / v.path, v.extra.get("schema"))
            for v in catalog.vintages(current_only=True)
            if applies(schema.DATASETS.get(v.dataset))
        ]
        done = backfill(data_dir, found, progress=progress)
        for dataset in dict.fromkeys(d for d, *_ in found):
            write_index(data_dir, dataset, [(v, p) for d, v, p, _ in found if d == dataset])
            _listing.write(data_dir, dataset, [(v, p) for d, v, p, _ in found if d == dataset])
        return done


__all__ = [
    "DIRECTORY",
    "FORMAT",
    "KINDS",
    "MATURITY",
    "REGION",
    "Among",
    "Kind",
    "Sums",
    "among",
    "applies",
    "backfill",
    "complete",
    "file_name",
    "for_load",
    "kind",
    "layout",
    "of_files",
    "read",
    "read_many",
    "valid",
    "write_index",
]
