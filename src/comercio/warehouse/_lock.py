"""The writer lock: one comercio process loads at a time; a second one waits (bounded), saying so once.

An advisory ``flock`` on ``catalog.lock``. Writers take it exclusively (re-entrant within one thread, so an
ingest session and the loads inside it share it); readers only *try* it shared, without waiting, to learn
whether a writer is active (then they read the catalog's snapshot instead of the DuckDB file). The holder
touches the lock file when it takes the lock, so a waiting writer can say since when the other one loads;
the lock file's content never changes (it stays empty) and no message names a path or a process id.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from comercio.errors import WarehouseError

POLL_S = 0.1
QUIET_S = 1.0
"""A writer waits this long in silence before it says it is waiting (readers hold the lock for ms)."""

_held: dict[tuple[str, int], tuple[int, int]] = {}  # (lock path, thread) → (fd, depth)
_guard = threading.Lock()


def _key(path: Path) -> tuple[str, int]:
    return (str(path.absolute()), threading.get_ident())


def held(path: Path) -> bool:
    """Whether the calling thread holds the writer lock ``path``."""
    with _guard:
        return _key(path) in _held


@contextmanager
def exclusive(path: Path, *, wait_s: float, on_acquire: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the writer lock; wait at most ``wait_s`` seconds for another writer, then :class:`WarehouseError`.

    ``on_acquire`` runs once when this thread takes the lock (not when it re-enters it).
    """
    key = _key(path)
    with _guard:
        mine = _held.get(key)
        if mine is not None:
            _held[key] = (mine[0], mine[1] + 1)
    if mine is not None:
        try:
            yield
        finally:
            with _guard:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        _acquire(fd, path, wait_s)
    except BaseException:
        os.close(fd)
        raise
    try:
        os.utime(path)  # "since when" for a waiting writer
        with _guard:
            _held[key] = (fd, 1)
        if on_acquire is not None:
            on_acquire()
        yield
    finally:
        with _guard:
            _held.pop(key, None)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(fd: int, path: Path, wait_s: float) -> None:
    start = time.monotonic()
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - start
        if waited >= wait_s:
            raise WarehouseError(
                f"another comercio process is still loading after {wait_s:g} s of waiting; "
                "nothing was loaded",
                hint="run the command again when the other load ends, or set COMERCIO_WRITER_WAIT_S "
                "to wait longer",
            )
        if not told and waited >= min(QUIET_S, wait_s / 2):
            print(f"another comercio process is loading (since {_since(path)}); waiting…", file=sys.stderr)
            told = True
        time.sleep(POLL_S)


def _since(path: Path) -> str:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).strftime("%H:%M")
    except OSError:
        return "a moment ago"


@contextmanager
def writer_active(path: Path) -> Iterator[bool]:
    """True inside when another process (or thread) holds the writer lock; while False, none can take it.

    Never waits and never creates anything: without a lock file no writer has ever run here.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            yield True
            return
        try:
            yield False
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def active_since(path: Path) -> str | None:
    """``HH:MM`` when another process (or thread) holds the writer lock since then; None when none does."""
    with writer_active(path) as busy:
        return _since(path) if busy else None
