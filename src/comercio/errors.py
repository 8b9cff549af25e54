"""One exception hierarchy for comercio.

Every error carries the context an analyst needs to find the problem: the file, the sheet, the row, the
column and the reason, plus an optional hint saying what to do. The CLI prints ``str(error)`` without a
traceback and exits non-zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ComercioError(Exception):
    """Base class of every error comercio raises on purpose."""

    exit_code = 1

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
        return text

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
