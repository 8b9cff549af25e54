"""Temporary files and directories left behind by killed runs: found, measured, swept.

Under the data directory (``COMERCIO_HOME``):

* ``data/<dataset>/.tmp-*``: a load's Parquet files before their rename into place;
* ``.<name>.<random>.tmp`` outside the download cache: an atomic copy by an ingest (kept reference assets
  such as the boundaries) or the catalog's snapshot before its ``os.replace``;
* in the download cache (``cache/``), ``.<name>.<random>.tmp`` and ``<file>.part``: a download in progress.

Only a writer makes the first two kinds and a writer holds the writer lock, so at the next writer's start
every one of them is an orphan. A fetch does not take the writer lock, so downloads are orphans only once
untouched for :data:`STALE_S` seconds (a live transfer writes every few milliseconds).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

STALE_S = 3600.0


@dataclass(frozen=True)
class Orphans:
    """How many orphaned temporaries there are and how many bytes they hold."""

    count: int
    bytes: int


def _size(path: Path) -> int:
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        return path.lstat().st_size
    except OSError:
        return 0


def _age(path: Path, now: float) -> float:
    try:
        return now - path.lstat().st_mtime
    except OSError:
        return 0.0


def find(home: Path, *, stale_s: float = STALE_S, now: float | None = None) -> list[Path]:
    """Orphaned temporaries under ``home``: every writer's temporary, and downloads untouched for
    ``stale_s`` seconds."""
    if not home.is_dir():
        return []
    now = time.time() if now is None else now
    cache = home / "cache"
    data = home / "data"
    found = sorted(data.glob("*/.tmp-*")) + sorted(data.glob(".tmp-*")) if data.is_dir() else []
    for p in sorted(_files(home, data)):
        if not (p.name.endswith(".part") or (p.name.startswith(".") and p.name.endswith(".tmp"))):
            continue
        download = p.is_relative_to(cache) or p.suffix == ".part"
        if not download or _age(p, now) >= stale_s:
            found.append(p)
    return found


def _files(home: Path, data: Path) -> Iterator[Path]:
    """Every file under ``home`` but inside the vintages of ``data`` (a load's only temporaries there are
    the ``.tmp-*`` directories next to them; walking thousands of weekly vintages would cost every writer's
    start more than its load)."""
    for root, dirs, files in os.walk(home):
        if Path(root) == data:
            dirs[:] = []
        yield from (Path(root) / f for f in files)


def measure(home: Path, *, stale_s: float = STALE_S) -> Orphans:
    """Count and size of the orphaned temporaries (shown by ``comercio warehouse status``)."""
    paths = find(home, stale_s=stale_s)
    return Orphans(len(paths), sum(_size(p) for p in paths))


def sweep(home: Path, *, stale_s: float = STALE_S) -> Orphans:
    """Remove the orphaned temporaries (called by a writer when it takes the writer lock); what went."""
    paths = find(home, stale_s=stale_s)
    gone = Orphans(len(paths), sum(_size(p) for p in paths))
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):  # not ours to remove: shown again by the next status
                p.unlink(missing_ok=True)
    return gone
