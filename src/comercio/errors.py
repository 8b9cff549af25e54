"""One exception hierarchy for comercio.

Every error carries the context an analyst needs to find the problem: the file, the sheet, the row, the
column and the reason, plus an optional hint saying what to do. The CLI prints :meth:`ComercioError.display`
(paths relative to the working directory or by file name) without a traceback and exits 2: every error
comercio raises on purpose is about its input or its settings. Messages never show where comercio is
installed nor a process id (:func:`scrub`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

# An absolute POSIX path not inside a URL or a relative path ("https://x/y", "a/b" do not match).
_ABSOLUTE = re.compile(r"(?<![\w.:/~-])/[^\s'\"()<>,;|]+")
_PID = re.compile(r"\s*\(?\b(?:PID|pid|process id)\s*[:=]?\s*\d+\)?")


def _install_roots() -> tuple[str, ...]:
    package = Path(__file__).resolve().parent
    roots = {str(package.parent), sys.prefix, sys.base_prefix}
    return tuple(sorted((r for r in roots if r and r != "/"), key=len, reverse=True))


def show_path(path: str | Path, cwd: Path | None = None) -> str:
    """``path`` as a user should see it: relative to ``cwd`` (default: the working directory) when it lies
    inside it, else its file name; a relative path is shown as given."""
    p = Path(path)
    if not p.is_absolute():
        return str(path)
    try:
        return p.relative_to((cwd or Path.cwd()).resolve()).as_posix() or "."
    except (ValueError, OSError):
        return p.name or str(path)


def scrub(text: str, cwd: Path | None = None, *, user_paths: bool = True) -> str:
    """``text`` without install paths nor process ids; with ``user_paths``, every absolute path is shown
    by :func:`show_path`, otherwise only paths inside comercio's installation are shortened."""
    text = _PID.sub("", text)
    roots = _install_roots()

    def short(match: re.Match[str]) -> str:
        found = match.group(0)
        if user_paths or any(found.startswith(root) for root in roots):
            return show_path(found, cwd)
        return found

    return _ABSOLUTE.sub(short, text)


class ComercioError(Exception):
    """Base class of every error comercio raises on purpose."""

    exit_code = 2

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        record: int | None = None,
        field: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.row = row
        self.column = column
        self.record = record
        self.field = field
        self.url = url
        self.hint = hint
        super().__init__(self.message)

    @property
    def location(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.url:
            parts.append(self.url)
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    @property
    def message(self) -> str:
        loc = self.location
        text = f"{loc}: {self.reason}" if loc else self.reason
        if self.hint:
            text += f" ({self.hint})"
        return scrub(text, user_paths=False)

    def display(self, cwd: Path | None = None) -> str:
        """The message as the CLI prints it: one line, every path relative to ``cwd`` or by file name."""
        return scrub(self.message, cwd).replace("\n", " ")

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "reason": self.reason,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "record": self.record,
            "field": self.field,
            "url": self.url,
            "hint": self.hint,
        }


class ConfigError(ComercioError):
    """A setting or command-line option is invalid."""


class SourceError(ComercioError):
    """Something went wrong getting or reading a publisher's file."""


class DownloadError(SourceError):
    """A download failed (network, HTTP status, mirror missing the file)."""


class ParseError(SourceError):
    """A file does not have the layout its reader expects (bad cell, missing column, truncated file)."""


class ReferenceDataError(ComercioError):
    """A reference classification table is malformed or a code is unknown."""


class WarehouseError(ComercioError):
    """The warehouse cannot be opened, loaded or queried."""


class LoadError(WarehouseError):
    """A load was refused; the warehouse is left exactly as before."""


class ValidationError(ComercioError):
    """A reconciliation or validation check failed."""


class IndicatorError(ComercioError):
    """An indicator cannot be computed as specified."""


class DataNotAvailable(IndicatorError):
    """No loaded dataset can answer: missing dimension, missing window, window past the last month."""


class ReportError(ComercioError):
    """A report cannot be written."""
