"""One file naming a dataset's data files and holding their footer statistics, so a reader of a large archive
neither lists 1,667 vintage directories nor opens 1,667 footers to learn which files hold a month or a source.

``comercio warehouse aggregate`` (:func:`comercio.warehouse.aggregates.complete`) writes it beside the
aggregates index, under the writer lock: ``data/<dataset>/.aggregates/files-<hash>.parquet``, one row per row
group of every data file of the current vintages (vintage id, file name, rows, and per column of
:data:`COLUMNS` whether the file has it, its min, max and null count). Vintage files never change once
committed (decision 0017), so a row stands for its file as long as its vintage is current: a reader takes
the rows of the current vintages the index names and lists and reads the footers of every other vintage
(one loaded since) itself. The name holds the format, the columns and the dataset's schema, as the
aggregates' do: a reader of another version finds no file (docs/decisions/0024-vintage-aggregates.md).
A second file, ``records-<hash>.parquet``, names each indexed vintage's record files of superseded rows and
their sources; both files of one write carry the same generation id in their metadata, and a reader pairs
them only when the ids agree (a write may replace one between a reader's two reads).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from comercio.warehouse import revisions, schema
from comercio.warehouse._footer import Holding, Within, _Group, stats
from comercio.warehouse.catalog import Vintage

Record: TypeAlias = tuple[Vintage, Path, frozenset[str]]
"""A record file of superseded rows, the vintage listing it and the sources of its rows."""
NAME = "files"
COLUMNS = ("period", "date", "file_date", "flow", "source")
"""The columns whose statistics readers ask about (months, maturity's file dates, flows, corrections)."""
_ID, _FILE, _ROWS = "vintage_id", "file", "rows"
_GENERATION = b"comercio.listing.generation"
RECORDS = "records"  # the second file: each record file of superseded rows (corrections) and its sources
_RECORDS = pa.schema(
    [pa.field(_ID, pa.string()), pa.field(_FILE, pa.string()), pa.field("source", pa.string())]
)


@lru_cache(maxsize=4096)
def sources_of(path: str) -> frozenset[str]:
    """The ``source`` values of one record file of superseded rows (vintage files never change)."""
    return frozenset(s for s in pq.read_table(path, columns=["source"]).column(0).to_pylist() if s)


def _layout(spec: schema.DatasetSpec) -> pa.Schema:
    fields = [pa.field(_ID, pa.string()), pa.field(_FILE, pa.string()), pa.field(_ROWS, pa.int64())]
    for c in COLUMNS:
        kind = spec.schema.field(c).type
        fields += [
            pa.field(f"{c}.has", pa.bool_()),
            pa.field(f"{c}.lo", kind),
            pa.field(f"{c}.hi", kind),
            pa.field(f"{c}.nulls", pa.int64()),
        ]
    return pa.schema(fields)


def applies(spec: schema.DatasetSpec | None) -> bool:
    return spec is not None and set(COLUMNS) <= set(spec.columns)


def path_of(spec: schema.DatasetSpec, base: Path, name: str = NAME) -> Path:
    from comercio.warehouse.aggregates import INDEX, file_name

    return base / INDEX / file_name(spec, name, COLUMNS)


def _rows(vintage: str, directory: Path, want: pa.Schema) -> list[dict[str, Any]] | None:
    """The index rows of one vintage's data files (None: a statistic the index cannot hold as typed)."""
    out: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.parquet")):
        found = {c: stats(path, c) for c in COLUMNS}
        groups = max((len(g) for g in found.values() if g is not None), default=0)
        meta = pq.read_metadata(path) if groups == 0 else None  # none of the columns: rows from the footer
        if meta is not None:
            groups = meta.num_row_groups
        for g in range(groups):
            row: dict[str, Any] = {_ID: vintage, _FILE: path.name, _ROWS: None}
            for c, st in found.items():
                row[f"{c}.has"] = st is not None
                if st is None:
                    continue
                row[_ROWS] = st[g].rows
                row |= {f"{c}.lo": st[g].lo, f"{c}.hi": st[g].hi, f"{c}.nulls": st[g].nulls}
            if meta is not None:
                row[_ROWS] = meta.row_group(g).num_rows
            out.append(row)
    try:
        pa.Table.from_pylist(out, schema=want)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return out


def write(data_dir: Path, dataset: str, vintages: Sequence[tuple[str, Path]]) -> None:
    """The index of ``vintages``' (id, directory) data files, renamed into place (the caller holds the
    writer lock); a vintage whose statistics do not fit the index's types is left out (listed by readers)."""
    spec = schema.DATASETS.get(dataset)
    if spec is None or not applies(spec) or not vintages:
        return
    want = _layout(spec)
    found = [(v, d, _rows(v, d, want)) for v, d in vintages]
    rows = [r for _, _, vr in found for r in vr or []]
    records = [  # every source of every record file of the vintages indexed above
        {_ID: v, _FILE: str(p.relative_to(d)), "source": s}
        for v, d, vr in found
        if vr is not None
        for p in revisions.files(d)
        for s in sorted(sources_of(str(p)))
    ]
    base = data_dir / dataset
    generation = uuid.uuid4().hex  # stamped in both files: a reader pairs only the two of one write
    tmp = base / f".tmp-{generation}"
    tmp.mkdir(parents=True)
    try:
        stamp = {_GENERATION: generation.encode()}
        pq.write_table(_stamped(records, _RECORDS, stamp), tmp / "records.parquet")
        pq.write_table(_stamped(rows, want, stamp), tmp / "index.parquet")
        path_of(spec, base).parent.mkdir(exist_ok=True)
        os.replace(tmp / "records.parquet", path_of(spec, base, RECORDS))
        os.replace(tmp / "index.parquet", path_of(spec, base))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Listing:
    """The indexed vintages' data files (paths as text: a reader of 1,667 vintages builds no path object
    for the files it does not read) and their footer statistics (rows of current vintages only)."""

    def __init__(self, table: pa.Table, directories: dict[str, str], records: pa.Table | None = None) -> None:
        self._table = table
        # vintage directory → its record files of superseded rows and their sources (every indexed vintage;
        # none when the records' index is missing: then each vintage's are found in its directory)
        self.records: dict[str, list[tuple[str, frozenset[str]]]] = {}
        if records is not None:
            self.records = {directories[v]: [] for v in pc.unique(table.column(_ID)).to_pylist()}
            found: dict[tuple[str, str], set[str]] = {}
            for v, name, source in zip(*(records.column(c).to_pylist() for c in _RECORDS.names), strict=True):
                found.setdefault((directories[v], f"{directories[v]}/{name}"), set()).add(source)
            for (directory, path), sources in found.items():
                self.records[directory].append((path, frozenset(sources)))
        self.files: dict[str, list[str]] = {}  # vintage directory → its data files
        self._at: dict[str, list[int]] = {}
        ids = table.column(_ID).to_pylist()
        for i, (v, name) in enumerate(zip(ids, table.column(_FILE).to_pylist(), strict=True)):
            path = f"{directories[v]}/{name}"
            at = self._at.get(path)
            if at is None:
                self.files.setdefault(directories[v], []).append(path)
                self._at[path] = at = []
            at.append(i)
        self._columns: dict[str, tuple[list[Any], ...]] = {}
        self._rows = table.column(_ROWS).to_pylist()

    @classmethod
    def empty(cls) -> Listing:
        """No index: every vintage's directory is listed and every footer read."""
        return cls(_layout_empty(), {})

    def knows(self, path: str) -> bool:
        return path in self._at

    def selected(self, where: Holding) -> set[str] | None:
        """The indexed files ``where`` selects, decided over the whole index at once for the selectors by
        one column's statistics (:class:`Within`, :class:`Holding`) — the same rule as theirs, row group by
        row group; None for any other selector or column (the caller asks it file by file)."""
        if type(where) not in (Within, Holding) or where.column not in COLUMNS or not self._at:
            return None
        c = where.column
        has, nulls, rows = self._table[f"{c}.has"], self._table[f"{c}.nulls"], self._table[_ROWS]
        lo, hi = self._table[f"{c}.lo"], self._table[f"{c}.hi"]
        unknown = pc.or_(pc.is_null(lo), pc.is_null(hi))
        some = pc.fill_null(pc.less(nulls, rows), True)  # a value that is not null (nulls unknown: may be)
        if isinstance(where, Within):
            try:
                inside = pc.and_(
                    pc.greater_equal(hi, where.lo) if where.lo is not None else pc.is_valid(hi),
                    pc.less_equal(lo, where.hi) if where.hi is not None else pc.is_valid(lo),
                )
            except (pa.ArrowException, TypeError):
                return None  # a bound of another type: file by file (which reads such files)
            hit = pc.and_(has, pc.if_else(unknown, some, inside))
        else:
            hit = pc.and_(has, some)
        mask = pc.fill_null(hit, False).to_pylist()
        chosen = {p for p, at in self._at.items() if any(mask[i] for i in at)}
        if type(where) is Holding and not where.non_null:
            chosen = {p for p in self._at if p not in chosen}  # only null (or absent) everywhere
        return chosen

    def lookup(self, path: str, column: str) -> tuple[_Group, ...] | bool | None:
        """``column``'s statistics per row group of the data file ``path``, None when the file has no such
        column, False when the index does not know the file or the column."""
        at = self._at.get(path)
        if at is None or column not in COLUMNS:
            return False
        if column not in self._columns:
            self._columns[column] = tuple(
                self._table.column(f"{column}.{s}").to_pylist() for s in ("has", "lo", "hi", "nulls")
            )
        has, lo, hi, nulls = self._columns[column]
        if not has[at[0]]:
            return None
        return tuple(_Group(self._rows[i], nulls[i], lo[i], hi[i]) for i in at)


def _layout_empty() -> pa.Table:
    return pa.schema(
        [pa.field(_ID, pa.string()), pa.field(_FILE, pa.string()), pa.field(_ROWS, pa.int64())]
    ).empty_table()


def _stamped(rows: list[dict[str, Any]], layout: pa.Schema, stamp: dict[bytes, bytes]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=layout).replace_schema_metadata(stamp)


def _load(path: Path) -> pa.Table | None:
    """One index file's table (read without pyarrow.dataset, which imports pandas); None if unreadable."""
    try:
        return pq.ParquetFile(path).read()
    except (OSError, pa.ArrowException):
        return None


def _generation(table: pa.Table) -> bytes | None:
    """The id of the write that produced ``table``'s file (both files of one write hold the same)."""
    return (table.schema.metadata or {}).get(_GENERATION)


def read(base: Path, dataset: str, directories: dict[str, str]) -> Listing | None:
    """The index of ``dataset`` (its directory ``base``) restricted to the vintages of ``directories`` (the
    current ones: id → directory); None when there is none or it names none of them."""
    spec = schema.DATASETS.get(dataset)
    if spec is None or not applies(spec):
        return None
    table = _load(path_of(spec, base))
    if table is None or table.schema != _layout(spec):
        return None
    ids = pa.array(list(directories), pa.string())
    table = table.filter(pc.is_in(table.column(_ID), value_set=ids))
    records = _load(path_of(spec, base, RECORDS))
    stamp = _generation(table)
    if records is None or records.schema != _RECORDS or stamp is None or _generation(records) != stamp:
        records = None  # unknown: missing, unstamped, or of another write than the files' (replaced between
        # the two reads): every vintage's record files are then found in its directory
    if records is not None:  # only the records of the current vintages the files' index holds
        records = records.filter(pc.is_in(records.column(_ID), value_set=pc.unique(table.column(_ID))))
    return Listing(table, directories, records) if table.num_rows else None


def records(listing: Listing, vintages: Sequence[Vintage], data_dir: Path) -> list[Record]:
    """Every record file of superseded rows the ``vintages`` list (those whose provenance counts records):
    from ``listing`` for the vintages its index holds, else found in the vintage's directory and read."""
    root, out = str(data_dir), []
    for v in vintages:
        if not revisions.count(v.extra):
            continue
        known = listing.records.get(f"{root}/{v.path}")
        if known is not None:
            out += [(v, Path(p), found) for p, found in known]
        else:
            out += [(v, p, sources_of(str(p))) for p in revisions.files(data_dir / v.path)]
    return out


def needed(found: list[Record], sources: set[str]) -> list[tuple[Vintage, list[Path]]]:
    """The record files of ``found`` holding one of ``sources`` (the only ones whose rows can match a row
    read: the corrected view anti-joins on the key and the source), by vintage."""
    out: dict[str, tuple[Vintage, list[Path]]] = {}
    for v, path, holds in found:
        if holds & sources:
            out.setdefault(v.vintage, (v, []))[1].append(path)
    return list(out.values())
