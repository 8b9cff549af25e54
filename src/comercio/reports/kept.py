"""A report's facts kept between runs of the command (decision 0021, third addendum).

A report's facts depend on the warehouse's committed loads, on comercio's code and reference tables, and on
the report's options; never on the day, the language or the formats asked. ``comercio report regional``
keeps what it computed from the warehouse in this user's private cache directory
(:func:`comercio.i18n.kept_file`), one file per warehouse, report and options, holding the key it was
computed under:

- the catalog's stamp (size, modification time and inode of the catalog file, its write-ahead log and its
  snapshot; any committed load changes it, the snapshot being replaced by a new file), taken before the
  facts are computed;
- a digest of every file of the ``comercio`` package (code, reference tables, templates, messages) and the
  Python version (the file is a pickle).

A run whose key matches reads the facts back instead of opening the warehouse; any difference computes them
again and replaces the file. A file that cannot be read or written is skipped: the facts are computed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comercio import _stamp
from comercio.config import Settings
from comercio.i18n import kept_file

PREFIX = "facts"


def catalog_stamp(settings: Settings) -> _stamp.Stamp:
    """The stats of the catalog's files (:func:`comercio._stamp.catalog_stamp`, as the catalog takes them),
    without importing the warehouse (which imports Ibis: 0.3 s of a report)."""
    return _stamp.catalog_stamp(settings.catalog_path)


@functools.cache
def code_digest() -> str:
    """A digest of every file of the installed ``comercio`` package, names and contents (~20 ms)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(digest_size=16)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(folder, name)
            h.update(os.path.relpath(path, root).encode())
            with open(path, "rb") as fh:
                h.update(hashlib.blake2b(fh.read(), digest_size=16).digest())
    return h.hexdigest()


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _home(settings: Settings) -> str:
    return _digest(str(settings.home.resolve()))


@dataclass(frozen=True)
class Kept:
    """The kept file of one warehouse, report and options, and the key its contents must carry."""

    path: Path
    key: str

    def load(self) -> dict[str, Any] | None:
        """What was stored under this key, or None (no file, another key, an unreadable file)."""
        try:
            with self.path.open("rb") as fh:
                if os.fstat(fh.fileno()).st_uid != os.getuid() or pickle.load(fh) != self.key:
                    return None  # another key: its facts are not even read
                payload = pickle.load(fh)
        except Exception:  # a missing, damaged or outdated file: the facts are computed again
            return None
        return payload if isinstance(payload, dict) else None

    def store(self, payload: Mapping[str, Any]) -> None:
        """Keep ``payload`` under this key (written whole, then renamed; skipped when it cannot be)."""
        with contextlib.suppress(OSError, pickle.PicklingError):
            part = self.path.with_suffix(f".{os.getpid()}.part")
            with part.open("wb") as fh:  # the key first, then the facts
                pickle.dump(self.key, fh, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(dict(payload), fh, protocol=pickle.HIGHEST_PROTOCOL)
            part.replace(self.path)


def kept(settings: Settings, report: str, options: Mapping[str, Any]) -> Kept | None:
    """The kept facts of ``report`` with ``options`` on the warehouse of ``settings``; None when there is no
    catalog (nothing loaded), its stamp cannot be read, or there is no private cache directory."""
    try:
        stamp = catalog_stamp(settings)
    except OSError:  # a catalog whose state cannot be read: nothing is served from, or kept for, it
        return None
    if stamp[0] == (0, 0, 0):  # no catalog: nothing loaded
        return None
    path = kept_file(f"{PREFIX}-{_home(settings)}-{report}-{_digest(dict(options))}.pickle")
    if path is None:
        return None
    key = _digest([stamp, code_digest(), sys.version, report, dict(options)])
    return Kept(path, key)


def forget(settings: Settings) -> int:
    """Remove every kept file of the warehouse of ``settings`` (the bench's cold runs); how many."""
    probe = kept_file(f"{PREFIX}-{_home(settings)}-")
    if probe is None:
        return 0
    removed = 0
    for p in probe.parent.glob(f"{probe.name}*.pickle"):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
            removed += 1
    return removed
