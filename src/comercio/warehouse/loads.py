"""Atomic, idempotent loads with provenance.

A load writes Parquet files into a hidden temporary directory, renames it into place, and only then records
the new vintage in the catalog in one transaction. Until that commit the warehouse answers exactly as before;
a load killed at any point leaves at most an unreferenced directory, removed by the next load.
Loading the same file (same sha256, same parser) again is a no-op. For a dataset with a ``revision_key``, the
rows the new slice supersedes in other slices (or that supersede its own) are listed inside the new vintage
before the rename, beside the vintage's key index (:mod:`comercio.warehouse.revisions`). A loader runs every
check of its loads on one scratch DuckDB (:class:`~comercio.warehouse.contracts.Scratch`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.errors import ValidationError
from comercio.warehouse import revisions, schema
from comercio.warehouse._fs import sync_trees
from comercio.warehouse._provenance import FileRef, Provenance
from comercio.warehouse._staging import (
    SCHEMA_KEY,
    Staged,
    discard,
    file_period,
    schema_fingerprint,
    write_rows,
    write_staged,
)
from comercio.warehouse.catalog import Catalog, Vintage
from comercio.warehouse.contracts import Scratch, contract
from comercio.warehouse.shrink import Comparison, compare_files


@dataclass(frozen=True)
class LoadResult:
    dataset: str
    slice: str
    status: str  # "loaded" | "unchanged"
    vintage: Vintage
    shrank: tuple[str, ...] = ()  # what an accepted shrink dropped

    def summary(self) -> str:
        v = self.vintage
        if self.status == "loaded":
            text = f"{self.dataset}/{self.slice}: loaded as new vintage {v.number} — {v.rows:,} rows"
            text += "".join(f" — {p}" for p in revisions.phrases(v.extra.get("revisions")))
            return text + (f" (shrink accepted: {'; '.join(self.shrank)})" if self.shrank else "")
        return (
            f"{self.dataset}/{self.slice}: unchanged (vintage {v.number} already holds it) — {v.rows:,} rows"
        )


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_ref(path: Path, *, url: str | None = None, retrieved_at: str | None = None) -> FileRef:
    return FileRef(name=path.name, sha256=file_sha256(path), url=url, retrieved_at=retrieved_at)


class Loader:
    """Writes vintages into ``<home>/data`` and records them in the catalog."""

    def __init__(self, data_dir: Path, catalog: Catalog) -> None:
        self.data_dir = data_dir
        self.catalog = catalog
        self.scratch = Scratch()  # one DuckDB for every check of every load

    def same_content(self, source: str, ref: FileRef) -> tuple[Vintage, str] | None:
        """A current vintage of ``source`` holding a file with ``ref``'s sha256 under another name, and
        that name (the same content is not loaded twice)."""
        for v in self.catalog.vintages(current_only=True):
            if v.source != source:
                continue
            for f in v.files:
                if f.get("sha256") == ref.sha256 and f.get("name") != ref.name:
                    return v, str(f.get("name"))
        return None

    def unchanged(self, dataset: str, slice_: str, provenance: Provenance) -> Vintage | None:
        """The current vintage if it was loaded from exactly these files with this parser and written with
        the dataset's current columns (:func:`schema_fingerprint`: an older schema counts as changed)."""
        current = self.catalog.current(dataset, slice_)
        if current is None or current.sha256 != provenance.sha256:
            return None
        if current.extra.get(SCHEMA_KEY) != schema_fingerprint(dataset):
            return None
        return current

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
        """Check ``data`` against the dataset's contract and record it as the slice's new vintage.

        A contract violation, an empty load or (without ``accept_shrink``) a shrink compared with the current
        vintage raises :class:`~comercio.errors.ValidationError` and leaves the warehouse as it was. ``sweep``
        False: the caller already removed what interrupted loads left (an ingest whose worker processes are
        staging other files in the same dataset right now).
        """
        with self.catalog.writer_lock(), self.scratch.shared():
            same = self.unchanged(dataset, slice_, provenance)
            if same is not None:
                return LoadResult(dataset, slice_, "unchanged", same)
            if sweep:
                self._collect_garbage(dataset)
            staged = self.stage(
                dataset, slice_, data, provenance, conform=conform, accept_shrink=accept_shrink
            )
            return self.commit([staged])[0]

    def stage(
        self,
        dataset: str,
        slice_: str,
        data: pa.Table | Iterable[pa.RecordBatch],
        provenance: Provenance,
        *,
        conform: bool = True,
        accept_shrink: bool = False,
    ) -> Staged:
        """Check and write ``data`` into a hidden directory of the dataset, to be made the slice's new vintage
        by :meth:`commit` (the caller holds the writer lock throughout). On failure nothing is left."""
        previous = self.catalog.vintages(dataset, slice_=slice_)
        number = max((v.number for v in previous), default=0) + 1
        st = write_staged(self.data_dir, dataset, slice_, number, data, provenance, conform=conform)
        try:
            shrank = self._guard(dataset, slice_, st.tmp, provenance, accept_shrink)
        except BaseException:
            discard(st.tmp, st.created)
            raise
        return dataclasses.replace(st, shrank=shrank)

    def commit(self, batch: Sequence[Staged]) -> list[LoadResult]:
        """Make every staged load of ``batch`` its slice's new vintage at once: corrections decided for the
        whole batch in one pass (in batch order, as if loaded one after the other), files on disk, then one
        catalog transaction. A failure leaves the warehouse as it was before the batch."""
        finals: list[Path] = []
        try:
            found = self._revise_batch(batch)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            made = []
            for st, (revised, keyed) in zip(batch, found, strict=True):
                final = self.data_dir / st.rel
                if final.exists():  # left by an earlier interrupted load, never recorded
                    shutil.rmtree(final)
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(st.tmp, final)
                finals.append(final)
                made.append(st.vintage(stamp, revised, keyed))
            # on disk before the catalog names them (files renamed but never recorded are swept later)
            sync_trees(finals, {f.parent for f in finals})
            self.catalog.record_many(made)
        except BaseException:
            referenced = self.catalog.referenced_paths()
            for st in batch:
                final = self.data_dir / st.rel
                if final in finals and str(st.rel) not in referenced:
                    shutil.rmtree(final, ignore_errors=True)
                discard(st.tmp, st.created)
            raise
        return [
            LoadResult(st.dataset, st.slice, "loaded", v, st.shrank)
            for st, v in zip(batch, made, strict=True)
        ]

    def _guard(
        self,
        dataset: str,
        slice_: str,
        directory: Path,
        provenance: Provenance,
        accept: bool,
    ) -> tuple[str, ...]:
        """Refuse (unless ``accept``) a load that shrinks compared with the slice's current vintage; return
        what shrank."""
        current = self.catalog.current(dataset, slice_)
        if current is None:
            return ()
        shrank = tuple(self._compare(current, directory).shrinks(contract(dataset).shrink))
        if shrank and not accept:
            name = provenance.files[0].name if provenance.files else None
            raise ValidationError(
                f"{dataset}/{slice_}: compared with the current vintage {current.number}, the new one "
                + "; ".join(shrank)
                + "; refused",
                file=name,
                hint=f"run `comercio diff {dataset} --file {name or 'FILE'}` to see every change; "
                "ingest again with --accept-shrink to load it anyway",
            )
        return shrank

    def _revise(
        self, spec: schema.DatasetSpec | None, slice_: str, directory: Path
    ) -> tuple[revisions.Summary | None, dict[str, Any] | None]:
        """List, inside the new vintage's ``directory``, the rows its keys supersede in the current vintages
        of the other slices (and its own rows a later file already superseded), and write its key index;
        return both summaries for the provenance."""
        if spec is None or not spec.revision_key:
            return None, None
        done = revisions.revise(
            spec.revision_key,
            sorted(directory.glob("*.parquet")),
            self._others(spec.name, {slice_}),
            directory,
        )
        return done.found, done.keyed

    def _revise_batch(
        self, batch: Sequence[Staged]
    ) -> list[tuple[revisions.Summary | None, dict[str, Any] | None]]:
        """:meth:`_revise` of every staged load, one pass per dataset (a batch's slices are new, or it is
        one load: the other slices' current vintages are the same for all)."""
        out: list[tuple[revisions.Summary | None, dict[str, Any] | None]] = [(None, None)] * len(batch)
        for dataset in dict.fromkeys(st.dataset for st in batch if st.keyed is not None):
            mine = [(i, st) for i, st in enumerate(batch) if st.dataset == dataset and st.keyed is not None]
            spec = mine[0][1].keyed
            assert spec is not None
            done = revisions.revise_many(
                spec.revision_key,
                [(sorted(st.tmp.glob("*.parquet")), st.tmp) for _, st in mine],
                self._others(dataset, {st.slice for _, st in mine}),
                [st.index for _, st in mine],
            )
            for (i, _), d in zip(mine, done, strict=True):
                out[i] = (d.found, d.keyed)
        return out

    def _others(self, dataset: str, slices: set[str]) -> list[revisions.Other]:
        """The current vintages of ``dataset`` outside ``slices``, as :func:`revisions.revise` reads them."""
        return [
            revisions.Other.of(self.data_dir / v.path, v.extra, p[1] if (p := file_period(v.extra)) else None)
            for v in self.catalog.vintages(dataset, current_only=True)
            if v.slice not in slices
        ]

    def _compare(self, current: Vintage, directory: Path) -> Comparison:
        """The Parquet files in ``directory`` compared with the ``current`` vintage."""
        old = sorted((self.data_dir / current.path).glob("*.parquet"))
        return compare_files(current.dataset, old, sorted(directory.glob("*.parquet")))

    def preview(
        self,
        dataset: str,
        slice_: str,
        data: pa.Table | Iterable[pa.RecordBatch],
        provenance: Provenance,
        *,
        conform: bool = True,
    ) -> Comparison | None:
        """What loading ``data`` would change in the slice's current vintage (None: no current vintage),
        with the lines of other slices it would correct (then even without a current vintage).

        The rows are checked against the contract and written to a temporary directory outside the
        warehouse; nothing in the warehouse changes.
        """
        spec = schema.DATASETS.get(dataset)
        with tempfile.TemporaryDirectory(prefix="comercio-preview-") as tmp:
            write_rows(Path(tmp), data, spec if conform else None, provenance, dataset)
            current = self.catalog.current(dataset, slice_)
            with self.scratch.shared():
                found, _ = self._revise(spec if conform else None, slice_, Path(tmp))
            notes = tuple(revisions.phrases(found))
            if current is None and not notes:
                return None
            if current is None:  # a first load that would correct lines of other slices
                comparison = compare_files(dataset, [], sorted(Path(tmp).glob("*.parquet")))
            else:
                comparison = self._compare(current, Path(tmp))
            return dataclasses.replace(comparison, notes=notes)

    def _collect_garbage(self, dataset: str) -> None:
        """Remove directories of loads that were interrupted before they were recorded."""
        base = self.data_dir / dataset
        if not base.exists():
            return
        for tmp in base.glob(".tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
        referenced = self.catalog.referenced_paths()
        with os.scandir(base) as slices:  # scandir: thousands of weekly slices are listed, not stat'ed
            for slice_dir in slices:
                if not slice_dir.is_dir() or slice_dir.name.startswith("."):
                    continue
                with os.scandir(slice_dir.path) as versions:
                    for vdir in versions:  # a string join: thousands of paths, no Path objects
                        rel = os.path.join(dataset, slice_dir.name, vdir.name)
                        if rel not in referenced and vdir.is_dir():
                            shutil.rmtree(vdir.path, ignore_errors=True)
