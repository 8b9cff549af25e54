"""The one protocol every source reader follows.

A reader module exposes a :class:`Reader`: ``targets(path)`` names the warehouse slices a file feeds without
reading it (so an unchanged file is skipped cheaply), and ``read(path, options)`` returns one
:class:`ReadResult`: the canonical rows of each slice (:class:`Part`), the publisher's checks
(:class:`Check`), what goes into the vintage's provenance, and files to keep as reference assets. The registry
(:mod:`comercio.sources.registry`) pairs each reader with how its files are fetched; :mod:`comercio.ingest`
runs every source through the same loop (fetch → read → check → atomic load).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.config import Settings

Target = tuple[str, str]
"""A warehouse slice: (dataset, slice)."""


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may be told: the settings, and whether to set bad lines aside (``quarantine``)."""

    settings: Settings
    quarantine: bool = False


@dataclass(frozen=True)
class Part:
    """The canonical rows of one slice of one dataset (a table, or batches streamed into the loader)."""

    dataset: str
    slice: str
    rows: pa.Table | Iterable[pa.RecordBatch]
    conform: bool = True

    @property
    def target(self) -> Target:
        return (self.dataset, self.slice)


@dataclass(frozen=True)
class Check:
    """A check the reader ran on the publisher's own figures.

    A failed ``hard`` check refuses the file (nothing is loaded); a soft one is reported with its ``detail``
    and the file is loaded (the publisher's differences are then kept in the provenance).
    """

    name: str
    ok: bool
    detail: str
    hard: bool = True


@dataclass(frozen=True)
class ReadResult:
    """Everything a reader returns for one file, in one shape.

    parts: rows to load, one vintage per slice.
    checks: the publisher checks run while reading.
    extra: recorded in the vintage's provenance (checks' details, release metadata).
    synthetic: the file is a synthetic twin; its vintages say so.
    notes: lines for the ingest report (a :class:`LateNotes` when only streaming the rows tells them).
    keep: ``(file, destination)`` pairs copied into place atomically (reference assets such as boundaries).
    """

    parts: tuple[Part, ...] = ()
    checks: tuple[Check, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    notes: Sequence[str] = ()
    keep: tuple[tuple[Path, Path], ...] = ()

    def refusal(self) -> Check | None:
        """The first failed hard check, if any."""
        return next((c for c in self.checks if c.hard and not c.ok), None)


class LateNotes(Sequence[str]):
    """Notes a streaming reader knows only once its rows have been consumed (lines quarantined …).

    The ingest loop reads ``notes`` after loading the parts, so each access asks ``make`` afresh.
    """

    def __init__(self, make: Callable[[], Sequence[str]]) -> None:
        self._make = make

    def __getitem__(self, index: Any) -> Any:
        return tuple(self._make())[index]

    def __len__(self) -> int:
        return len(tuple(self._make()))


@dataclass(frozen=True)
class Reader:
    """How a source's files become warehouse rows.

    read: the reader proper.
    targets: the slices a file feeds, from its path alone; ``None`` when only reading tells.
    files: what files it takes, for messages ("a BACI release zip (BACI_HSxx_Vyyyymm.zip)").
    read_ahead: files read in worker threads while the previous one is written (0: one at a time).
    quarantine: the reader can set bad lines aside instead of refusing the file.
    """

    read: Callable[[Path, ReadOptions], ReadResult]
    targets: Callable[[Path], tuple[Target, ...] | None]
    files: str
    read_ahead: int = 0
    quarantine: bool = False


def by_stem(dataset: str, prefix: str = "") -> Callable[[Path], tuple[Target, ...]]:
    """``targets`` for a source whose file feeds one slice named after the file: ``prefix + stem``."""

    def targets(path: Path) -> tuple[Target, ...]:
        return ((dataset, f"{prefix}{Path(path).stem}"),)

    return targets


def fixed(*targets: Target) -> Callable[[Path], tuple[Target, ...]]:
    """``targets`` for a source whose every file feeds the same slices."""
    return lambda _path: targets


__all__ = ["Check", "LateNotes", "Part", "ReadOptions", "ReadResult", "Reader", "Target", "by_stem", "fixed"]
