"""File-system durability shared by the catalog and the loader."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (a rename into it survives a power cut)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs() -> Callable[[int], int] | None:
    """Linux's ``syncfs`` (flush one file system), when the C library has it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return cast(Callable[[int], int], libc.syncfs)
    except (OSError, AttributeError):
        return None


_SYNCFS = _syncfs()


def sync_trees(roots: Iterable[Path], dirs: Iterable[Path] = ()) -> None:
    """Make every file and directory entry under ``roots``, and the entries of ``dirs``, durable: one
    ``syncfs`` of their file system where there is one (a batch of many small files costs one flush), else
    an fsync of each file and directory."""
    roots = list(roots)
    if not roots:
        return
    if _SYNCFS is not None:
        fd = os.open(roots[0], os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for root in roots:
        for p in sorted(root.rglob("*"), reverse=True):
            if p.is_file():
                with p.open("rb") as fh:
                    os.fsync(fh.fileno())
            elif p.is_dir():
                fsync_dir(p)
        fsync_dir(root)
    for d in dirs:
        fsync_dir(d)
