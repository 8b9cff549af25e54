"""Where a load comes from: its source files (:class:`FileRef`) and the reader that turned them into rows
(:class:`Provenance`). Public through :mod:`comercio.warehouse` and :mod:`comercio.warehouse.loads`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FileRef:
    """A source file behind a load."""

    name: str
    sha256: str
    url: str | None = None
    retrieved_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "url": self.url, "retrieved_at": self.retrieved_at}


@dataclass(frozen=True)
class Provenance:
    """Where a load comes from: the source, its files and the reader that turned them into rows."""

    source: str
    files: tuple[FileRef, ...]
    parser: str
    synthetic: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """One fingerprint for the whole input: every file's sha256 plus the parser version."""
        h = hashlib.sha256(self.parser.encode())
        for f in sorted(self.files, key=lambda f: f.name):
            h.update(f.sha256.encode())
        return h.hexdigest()

    @property
    def retrieved_at(self) -> str | None:
        stamps = [f.retrieved_at for f in self.files if f.retrieved_at]
        return max(stamps) if stamps else None
