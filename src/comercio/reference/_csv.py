"""Reader for reference CSV files: metadata comment lines, an exact header, then typed, validated rows.

A reference file looks like::

    # title: Departamentos del Perú
    # source: INEI, ...
    # notes: optional free text
    ubigeo,name,...
    01,Amazonas,...

Rows are numbered as lines of the file (1 = first line), so an error message points at the line to edit.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from comercio.errors import ReferenceDataError
from comercio.reference._schemas import ColumnSpec, TableSpec

__all__ = ["ParsedFile", "read_reference_csv"]

_META_KEYS = ("title", "source", "notes")
_TRUE, _FALSE = frozenset({"true"}), frozenset({"false"})


@dataclass(frozen=True)
class ParsedFile:
    """A reference file read and checked: its metadata and its typed Arrow table."""

    path: Path
    meta: dict[str, str]
    table: pa.Table
    lines: list[int]  # file line number of each table row, for later cross-row checks


def _convert(raw: str, col: ColumnSpec, path: Path, line: int) -> object:
    value = raw.strip()
    if value == "":
        if col.required:
            raise ReferenceDataError("empty value in a required column", file=path, row=line, column=col.name)
        return None
    reason = col.check(value)
    if reason is not None:
        raise ReferenceDataError(reason, file=path, row=line, column=col.name)
    if pa.types.is_boolean(col.type):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ReferenceDataError(
            f"value {value!r} is not true or false", file=path, row=line, column=col.name
        )
    if pa.types.is_date32(col.type):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ReferenceDataError(
                f"value {value!r} is not an ISO date (YYYY-MM-DD)", file=path, row=line, column=col.name
            ) from None
    if pa.types.is_integer(col.type):
        return int(value)
    return value


def _split_meta(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    """Read the leading ``# key: value`` lines; return the metadata and the index of the header line."""
    meta: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        key, sep, value = lines[i][1:].partition(":")
        key = key.strip()
        if not sep or key not in _META_KEYS:
            raise ReferenceDataError(
                f"comment line must be '# title: …', '# source: …' or '# notes: …', got {lines[i][:40]!r}",
                file=path,
                row=i + 1,
            )
        meta[key] = value.strip()
        i += 1
    for key in ("title", "source"):
        if not meta.get(key):
            raise ReferenceDataError(f"missing '# {key}: …' line before the header", file=path, row=1)
    return meta, i


def read_reference_csv(path: Path, spec: TableSpec) -> ParsedFile:
    """Read ``path`` as table ``spec``; a bad cell raises ReferenceDataError naming file, row and column."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ReferenceDataError(f"reference table {spec.name!r} has no data file", file=path) from None
    meta, start = _split_meta(lines, path)
    reader = csv.reader(lines[start:])
    header = next(reader, None)
    if header != spec.header:
        raise ReferenceDataError(
            f"header is {header!r}, expected {spec.header!r}",
            file=path,
            row=start + 1,
            column=_first_difference(header or [], spec.header),
        )
    columns: list[list[object]] = [[] for _ in spec.columns]
    row_lines: list[int] = []
    for offset, record in enumerate(reader, start=start + 2):
        if not record:
            continue
        if len(record) != len(spec.columns):
            raise ReferenceDataError(
                f"row has {len(record)} fields, expected {len(spec.columns)}", file=path, row=offset
            )
        for values, raw, col in zip(columns, record, spec.columns, strict=True):
            values.append(_convert(raw, col, path, offset))
        row_lines.append(offset)
    table = pa.table(
        {col.name: pa.array(values, type=col.type) for col, values in zip(spec.columns, columns, strict=True)}
    )
    return ParsedFile(path=path, meta=meta, table=table, lines=row_lines)


def _first_difference(got: list[str], expected: list[str]) -> str | None:
    for a, b in zip(got, expected, strict=False):
        if a != b:
            return b
    if len(got) != len(expected):
        return expected[len(got)] if len(got) < len(expected) else got[len(expected)]
    return None
