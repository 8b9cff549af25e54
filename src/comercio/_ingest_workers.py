"""Ingest on both cores: worker processes read, check and write each new file's slices (staged, not yet
visible) while the main process decides corrections and commits batches (:mod:`comercio.ingest`).

A worker needs no catalog: the main process gives it the vintage number of each slice. Whatever goes wrong
in a worker (a refused file, a bad record, a reader that keeps reference assets) is not reported from
there: the main process reads that file again itself, so the error, its message and what was loaded before
it are exactly those of an ingest without workers.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from comercio.sources.protocol import ReadOptions, Target
from comercio.sources.registry import get_source
from comercio.warehouse.contracts import Scratch
from comercio.warehouse.loads import Provenance, Staged, write_staged

WORKERS = 2
"""Worker processes (the machines comercio aims at have two cores or more)."""
WINDOW = WORKERS + 1
"""Files in flight at a time: memory is bounded by this many files' blocks, whatever their number."""

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


def staged_in_order(jobs: Sequence[Job]) -> Iterator[tuple[Job, Staging]]:
    """Each job with its staging, in order, ``WINDOW`` files in flight on ``WORKERS`` processes. Stopping
    early (an error in the caller) cancels what has not started; what was staged and never handed out is
    removed."""
    ctx = multiprocessing.get_context("forkserver")  # no fork of a process holding DuckDB's threads
    ctx.set_forkserver_preload([__name__])
    window: deque[tuple[Job, Future[Staging]]] = deque()
    queue = iter(jobs)
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx) as pool:
        try:
            for job in queue:
                window.append((job, pool.submit(stage, job)))
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
                    window.append((nxt, pool.submit(stage, nxt)))
                yield job, done
        finally:
            for _, future in window:
                future.cancel()
            for _, future in window:
                if not future.cancelled():
                    with contextlib.suppress(Exception):  # a worker that failed staged nothing
                        discard(future.result().staged)


__all__ = ["Job", "Staging", "discard", "stage", "staged_in_order"]
