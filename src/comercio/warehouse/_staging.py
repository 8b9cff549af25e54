"""Staging a load: its rows checked and written into a hidden directory of the dataset, and the catalog row
it becomes when :meth:`comercio.warehouse.loads.Loader.commit` makes it a vintage. Needs no catalog, so a
worker process may stage files while the main process commits (:mod:`comercio._ingest_workers`)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from comercio.warehouse import aggregates, revisions, schema
from comercio.warehouse._fingerprint import schema_fingerprint
from comercio.warehouse._keyindex import Index, write_index
from comercio.warehouse._parts import PartFiles, safe, value_total
from comercio.warehouse.catalog import Vintage
from comercio.warehouse.contracts import SOURCE_ROW, Checker, contract, scratch

if TYPE_CHECKING:
    from comercio.warehouse._provenance import Provenance

SCHEMA_KEY = "schema"
"""The provenance entry holding the fingerprint of the columns a vintage was written with."""


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _batches(data: pa.Table | Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    if isinstance(data, pa.Table):
        yield from data.to_batches(max_chunksize=1_000_000)
    else:
        yield from data


def file_period(extra: dict[str, Any]) -> tuple[date, date] | None:
    """The period the reader says its file covers (``extra["file_period"]``: two ISO dates), if any."""
    period = extra.get("file_period")
    if not period:
        return None
    return date.fromisoformat(str(period[0])), date.fromisoformat(str(period[1]))


@dataclass(frozen=True)
class Staged:
    """A load written and checked in a hidden directory (``tmp``), waiting for :meth:`Loader.commit`."""

    dataset: str
    slice: str
    number: int
    tmp: Path
    created: tuple[Path, ...]  # directories the load created (removed again when it fails)
    provenance: Provenance
    rows: int
    total: float | None
    marked: bool
    shrank: tuple[str, ...]
    keyed: schema.DatasetSpec | None  # the spec, when corrections across slices apply
    index: Index | None = None  # its key index, written while staging (None: to be written by the commit)

    @property
    def rel(self) -> Path:
        return Path(self.dataset) / safe(self.slice) / f"v{self.number}"

    def vintage(self, stamp: str, revised: revisions.Summary | None, keyed: dict[str, Any] | None) -> Vintage:
        """The catalog row of this load, committed at ``stamp``."""
        prov = self.provenance
        return Vintage(
            vintage=f"{self.dataset}/{self.slice}/v{self.number}-{stamp}",
            dataset=self.dataset,
            slice=self.slice,
            number=self.number,
            sha256=prov.sha256,
            source=prov.source,
            parser=prov.parser,
            files=tuple(f.as_dict() for f in prov.files),
            retrieved_at=prov.retrieved_at,
            loaded_at=now(),
            rows=self.rows,
            value_total=self.total,
            path=str(self.rel),
            current=True,
            synthetic=prov.synthetic or self.marked,  # rows marked synthetic keep the label
            extra=dict(prov.extra)
            | ({SCHEMA_KEY: printed} if (printed := schema_fingerprint(self.dataset)) else {})
            | ({"accepted_shrink": list(self.shrank)} if self.shrank else {})
            | ({"revisions": revised.as_extra()} if revised is not None else {})
            | ({"keys": keyed} if keyed is not None else {}),
        )


def write_rows(
    directory: Path,
    data: pa.Table | Iterable[pa.RecordBatch],
    spec: schema.DatasetSpec | None,
    provenance: Provenance,
    dataset: str,
    *,
    aggregate: bool = False,
) -> tuple[int, float | None, bool]:
    """Check and write ``data``; return its rows, value total and whether any row is marked synthetic.
    ``aggregate``: also write the vintage's aggregates (:mod:`comercio.warehouse.aggregates`) beside them."""
    rows, total, has_value = 0, 0.0, False
    sums = aggregates.for_load(dataset, spec) if aggregate else None
    name = provenance.files[0].name if provenance.files else None
    checker = Checker(contract(dataset), file=name, file_period=file_period(provenance.extra))
    files = PartFiles(
        directory, spec.schema if spec is not None else None, spec.partition if spec is not None else None
    )
    try:
        for batch in _batches(data):
            table = pa.Table.from_batches([batch])
            source = None
            if SOURCE_ROW in table.column_names:
                source = table[SOURCE_ROW].combine_chunks()
                table = table.drop_columns([SOURCE_ROW])
            if spec is not None:
                table = spec.conform(table, file=name)
            checker.batch(table, source)
            files.write(table)
            if sums is not None:
                sums.add(table)
            rows += table.num_rows
            if "value_usd" in table.column_names:
                has_value = True
                total += value_total(table, spec)
        if files.empty:
            checker.finish([], ordered=True)  # refuses: an empty load never replaces data
    finally:
        files.close()
    checker.finish(sorted(directory.glob("*.parquet")), ordered=spec is None or spec.partition is None)
    if sums is not None:
        sums.write(directory)
    return rows, (total if has_value else None), checker.synthetic


def discard(tmp: Path, created: Sequence[Path]) -> None:
    """Remove a staged directory and the empty directories its load created."""
    shutil.rmtree(tmp, ignore_errors=True)
    for p in reversed(created):  # a refused first load leaves no empty directories behind
        if p.is_dir() and not any(p.iterdir()):
            p.rmdir()


def write_staged(
    data_dir: Path,
    dataset: str,
    slice_: str,
    number: int,
    data: pa.Table | Iterable[pa.RecordBatch],
    provenance: Provenance,
    *,
    conform: bool = True,
) -> Staged:
    """Check and write ``data`` into a hidden directory of the dataset, as vintage ``number`` of the slice
    to be committed by :meth:`Loader.commit`. Needs no catalog (a worker process may run it); on failure
    nothing is left."""
    spec = schema.DATASETS.get(dataset)
    created = tuple(p for p in (data_dir, data_dir / dataset) if not p.exists())
    tmp = data_dir / dataset / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir(parents=True)
    keyed = spec if conform and spec is not None and spec.revision_key else None
    index = None
    try:
        rows, total, marked = write_rows(
            tmp, data, spec if conform else None, provenance, dataset, aggregate=True
        )
        if keyed is not None:  # the key index depends on these rows only: written here, not in the commit
            with scratch() as con:
                index = write_index(con, keyed.revision_key, sorted(tmp.glob("*.parquet")), tmp)
    except BaseException:
        discard(tmp, created)
        raise
    return Staged(dataset, slice_, number, tmp, created, provenance, rows, total, marked, (), keyed, index)


__all__ = [
    "SCHEMA_KEY",
    "Staged",
    "discard",
    "file_period",
    "now",
    "schema_fingerprint",
    "write_rows",
    "write_staged",
]
