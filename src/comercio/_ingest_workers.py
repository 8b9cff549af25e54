"""Ingest in batches and on both cores: worker processes read, check and write each new file's slices
(staged, not yet visible) while the main process decides corrections and commits them in batches
(:class:`Batch`, used by :mod:`comercio.ingest` with or without workers).

A worker needs no catalog: the main process gives it the vintage number of each slice. Whatever goes wrong
in a worker (a refused file, a bad record, a reader that keeps reference assets) is not reported from
there: the main process reads that file again itself, so the error, its message and what was loaded before
it are exactly those of an ingest without workers.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sys
import threading
import types
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from comercio.sources.protocol import Part, Reader, ReadOptions, Target
from comercio.sources.registry import get_source
from comercio.warehouse.contracts import Scratch
from comercio.warehouse.loads import LoadResult, Provenance, Staged, write_staged

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse

WORKERS = 2
"""Worker processes (the machines comercio aims at have two cores or more)."""
WINDOW = WORKERS + 1
"""Files in flight at a time: memory is bounded by this many files' blocks, whatever their number."""

PRELOAD = [__name__, "comercio.sources.sunat_microdata", "comercio.reference", "pandas", "pyarrow.dataset"]
"""Imported once by the fork server, not by each worker: pyarrow imports pandas on a worker's first file
(about 0.2 s on an idle machine, 0.4–0.6 s measured with both cores busy), and aggregates import
pyarrow.dataset."""

_SCRATCH = Scratch()  # one DuckDB per worker process for the checks of every file it stages


@dataclass(frozen=True)
class Job:
    """One file to stage: its source, path, provenance and the vintage number of each slice it feeds."""

    source: str
    path: Path
    provenance: Provenance
    options: ReadOptions
    data_dir: Path
    numbers: dict[Target, int]


@dataclass(frozen=True)
class Staging:
    """What a worker made of one file: its staged slices and report notes (``ok`` False: the main process
    must read it itself)."""

    ok: bool
    staged: tuple[Staged, ...] = ()
    notes: tuple[str, ...] = ()
    synthetic: bool = False


def stage(job: Job) -> Staging:
    """Read ``job``'s file and stage each of its slices (runs in a worker process)."""
    reader = get_source(job.source).reader
    assert reader is not None
    staged: list[Staged] = []
    try:
        result = reader.read(job.path, job.options)
        if (
            result.refusal() is not None
            or result.keep
            or {p.target for p in result.parts} != set(job.numbers)
        ):
            return Staging(False)
        prov = Provenance(
            job.provenance.source,
            job.provenance.files,
            job.provenance.parser,
            synthetic=result.synthetic,
            extra=dict(result.extra),
        )
        with _SCRATCH.shared():
            for part in result.parts:
                number = job.numbers[part.target]
                staged.append(
                    write_staged(
                        job.data_dir, part.dataset, part.slice, number, part.rows, prov, conform=part.conform
                    )
                )
        notes = [f"{c.name}: {c.detail}" for c in result.checks if not c.hard] + list(result.notes)
        synthetic = result.synthetic or any(st.marked for st in staged)
        return Staging(True, tuple(staged), tuple(notes), synthetic)
    except Exception:
        discard(staged)
        return Staging(False)


def discard(staged: Sequence[Staged]) -> None:
    """Remove staged directories that will not be committed."""
    for st in staged:
        shutil.rmtree(st.tmp, ignore_errors=True)


@contextlib.contextmanager
def _callers_main_left_alone() -> Iterator[None]:
    """While a worker starts, ``__main__`` is a bare module. Otherwise multiprocessing (forkserver, spawn)
    runs the caller's script again in every worker — a script that calls ``ingest`` at its top level, with
    no ``if __name__ == "__main__"`` guard, would start ingests inside the workers and break the pool. The
    workers need nothing from the caller's script: ``stage`` and its jobs live in comercio."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _submit(pool: ProcessPoolExecutor, job: Job) -> Future[Staging]:
    with _callers_main_left_alone():  # workers start lazily, inside submit
        return pool.submit(stage, job)


def _boot(pool: ProcessPoolExecutor) -> None:
    """Start the pool's worker processes (run in a thread: the fork server imports comercio first)."""
    with _callers_main_left_alone():
        started = [pool.submit(os.getpid) for _ in range(WORKERS)]
    for future in started:
        with contextlib.suppress(Exception):  # a pool that cannot start: its jobs fail, read here again
            future.result()


def staged_in_order(todo: Sequence[Job]) -> Iterator[tuple[Job, Staging]]:
    """Each job with its staging, in order, ``WINDOW`` files in flight on ``WORKERS`` processes; while the
    workers start, the first files are staged in this process. Stopping early (an error in the caller)
    cancels what has not started; what was staged and never handed out is removed."""
    ctx = multiprocessing.get_context("forkserver")  # no fork of a process holding DuckDB's threads
    ctx.set_forkserver_preload(PRELOAD)
    window: deque[tuple[Job, Future[Staging]]] = deque()
    queue = iter(todo)
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx) as pool:
        booting = threading.Thread(target=_boot, args=(pool,), name="comercio-ingest-boot", daemon=True)
        booting.start()
        try:
            while booting.is_alive():  # the fork server imports comercio first: stage here meanwhile
                here = next(queue, None)
                if here is None:
                    break
                yield here, stage(here)
            booting.join()
            for job in queue:
                window.append((job, _submit(pool, job)))
                if len(window) >= WINDOW:
                    break
            while window:
                job, future = window.popleft()
                try:
                    done = future.result()
                except Exception:  # a worker that died: the main process reads the file itself
                    done = Staging(False)
                nxt = next(queue, None)
                if nxt is not None:
                    window.append((nxt, _submit(pool, nxt)))
                yield job, done
        finally:
            for _, future in window:
                future.cancel()
            for _, future in window:
                if not future.cancelled():
                    with contextlib.suppress(Exception):  # a worker that failed staged nothing
                        discard(future.result().staged)


BATCH_FILES = 256
BATCH_ROWS = 2_000_000
"""A batch of new slices is committed once it holds this many files or rows (bounds the invisible work
and the memory of the corrections pass)."""


class Batch:
    """New slices staged file after file and committed together (one corrections pass, one catalog
    transaction: the batch becomes visible at once). A load into a slice that already has a vintage is
    committed on its own, after the batch before it, so every file is decided as if loaded in order."""

    def __init__(self, wh: Warehouse, results: list[LoadResult], notes: list[str]) -> None:
        self.wh, self.results, self.notes = wh, results, notes  # the ingest report's lists
        self.loader = wh.loader
        self.staged: list[Staged] = []
        self.swept: set[str] = set()

    def load(self, part: Part, prov: Provenance, accept_shrink: bool) -> bool:
        """Stage or load ``part``; whether its rows are marked synthetic."""
        loader = self.loader
        if loader.catalog.current(part.dataset, part.slice) is not None or any(
            st.slice == part.slice and st.dataset == part.dataset for st in self.staged
        ):
            self.commit()
            self.sweep(part.dataset)  # once per ingest: workers may be staging other files there now
            done = self.wh.load(
                part.dataset,
                part.slice,
                part.rows,
                prov,
                conform=part.conform,
                accept_shrink=accept_shrink,
                sweep=False,
            )
            self.results.append(done)
            return done.vintage.synthetic
        self.sweep(part.dataset)
        st = loader.stage(part.dataset, part.slice, part.rows, prov, conform=part.conform)
        self._staged([st])
        return st.marked or prov.synthetic

    def add(self, staging: Staging, path: Path) -> None:
        """Take a file a worker process staged."""
        self._staged(staging.staged)
        self.notes += staging.notes
        if staging.synthetic:
            self.notes.append(f"{path.name}: datos sintéticos / synthetic data")

    def sweep(self, dataset: str) -> None:
        """Remove what interrupted loads left in ``dataset`` (once, before the first file is staged)."""
        if dataset not in self.swept:
            self.loader._collect_garbage(dataset)
            self.swept.add(dataset)

    def _staged(self, staged: Sequence[Staged]) -> None:
        self.staged += staged
        if len(self.staged) >= BATCH_FILES or sum(s.rows for s in self.staged) >= BATCH_ROWS:
            self.commit()

    def commit(self) -> None:
        if self.staged:
            staged, self.staged = self.staged, []
            self.results += self.loader.commit(staged)
            self.wh.refresh()

    def discard(self) -> None:
        for st in self.staged:
            shutil.rmtree(st.tmp, ignore_errors=True)
        self.staged = []


WORKERS_FROM = 4
"""Files from which an ingest stages them in worker processes (below, starting them costs more)."""


def jobs(
    reader: Reader, pending: list[tuple[Path, Provenance]], options: ReadOptions, batch: Batch
) -> list[Job] | None:
    """Jobs for the worker processes when every pending file feeds new slices only, named by its path
    (else None: the files are loaded here, one after the other)."""
    if reader.read_ahead < 1 or len(pending) < WORKERS_FROM or (os.cpu_count() or 1) < 2:
        return None
    catalog, data_dir = batch.loader.catalog, batch.loader.data_dir
    out: list[Job] = []
    seen: set[tuple[str, str]] = set()
    for path, prov in pending:
        targets = reader.targets(path)
        if not targets or any(t in seen or catalog.current(*t) is not None for t in targets):
            return None
        seen.update(targets)
        numbers = {
            t: max((v.number for v in catalog.vintages(t[0], slice_=t[1])), default=0) + 1 for t in targets
        }
        out.append(Job(prov.source, path, prov, options, data_dir, numbers))
    for dataset in sorted({t[0] for t in seen}):
        batch.sweep(dataset)  # before any worker writes there
    return out


__all__ = ["Batch", "Job", "Staging", "discard", "jobs", "stage", "staged_in_order"]
