"""The layouts WTO serves its merchandise values in, found by column names (never positions).

* **bulk** (``stats.wto.org/assets/UserGuide/merchandise_values_annual_dataset.zip``): a zipped CSV with
  compact names (``IndicatorCode``, ``ReporterCode``, ``ReporterISO3A``, ``PartnerCode``, ``ProductCode``,
  ``Year``, ``ValueFlagCode``, ``Value``), often latin-1; the mirror's Parquet copy has the same columns;
* **web** (the WTO Stats query tool's CSV export): long names (``Indicator Code``, ``Reporting Economy Code``,
  ``Reporting Economy ISO3A Code``, ``Partner Economy Code``, ``Product/Sector Code``, ``Year``,
  ``Value Flag Code``, ``Value``), utf-8 or cp1252;
* **api** (``api.wto.org/timeseries/v1/data``, ``fmt=json``, ``head=M``): ``{"Dataset": [{...}, ...]}`` with
  ``IndicatorCode``, ``ReportingEconomyCode``, ``PartnerEconomyCode``, ``ProductOrSectorCode``, ``Year``,
  ``ValueFlagCode``, ``Value``.

:func:`read_raw` sniffs the file (Parquet, zip, JSON or CSV text), picks the layout whose columns are all
there, and returns the fields under one set of names with the row number of each record. An unknown layout
is a :class:`ParseError` naming the columns missing for the closest layout.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from comercio.errors import ParseError

FIELDS = ("indicator", "reporter", "reporter_iso3a", "partner", "product", "year", "value", "flag")
OPTIONAL = frozenset({"reporter_iso3a", "flag"})


@dataclass(frozen=True)
class Layout:
    """One way WTO names its columns: field → column name as the publisher writes it."""

    name: str
    description: str
    columns: Mapping[str, str]

    def missing(self, names: set[str]) -> list[str]:
        """The required columns of this layout that are not among ``names`` (compared normalised)."""
        have = {_norm(n) for n in names}
        return [c for f, c in self.columns.items() if f not in OPTIONAL and _norm(c) not in have]


BULK = Layout(
    "bulk",
    "WTO bulk download (compact column names)",
    {
        "indicator": "IndicatorCode",
        "reporter": "ReporterCode",
        "reporter_iso3a": "ReporterISO3A",
        "partner": "PartnerCode",
        "product": "ProductCode",
        "year": "Year",
        "value": "Value",
        "flag": "ValueFlagCode",
    },
)
WEB = Layout(
    "web",
    "WTO Stats query tool CSV export (long column names)",
    {
        "indicator": "Indicator Code",
        "reporter": "Reporting Economy Code",
        "reporter_iso3a": "Reporting Economy ISO3A Code",
        "partner": "Partner Economy Code",
        "product": "Product/Sector Code",
        "year": "Year",
        "value": "Value",
        "flag": "Value Flag Code",
    },
)
API = Layout(
    "api",
    "WTO time-series API JSON",
    {
        "indicator": "IndicatorCode",
        "reporter": "ReportingEconomyCode",
        "reporter_iso3a": "ReportingEconomyISO3A",
        "partner": "PartnerEconomyCode",
        "product": "ProductOrSectorCode",
        "year": "Year",
        "value": "Value",
        "flag": "ValueFlagCode",
    },
)
LAYOUTS = (BULK, WEB, API)


@dataclass(frozen=True)
class RawRows:
    """The file's records under the field names of :data:`FIELDS` (strings; ``year``/``value`` as read).

    rows: the row (CSV line, 1-based) or record number (Parquet row, JSON record) of each record.
    unit: ``"row"`` or ``"record"``, how error messages locate a record.
    file: the file name as messages show it (``zip!member`` for a zipped CSV).
    """

    table: pa.Table
    layout: Layout
    rows: pa.Array
    unit: str
    file: str

    def column_name(self, field: str) -> str:
        return self.layout.columns[field]

    def where(self, index: int) -> dict[str, Any]:
        """``row=`` or ``record=`` keyword for the record at ``index``."""
        return {self.unit: int(self.rows[index].as_py())}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def detect(names: list[str], file: str) -> Layout:
    """The layout whose required columns are all in ``names``; else an error naming what is missing."""
    have = set(names)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ParseError(f"column {dupes[0]!r} appears twice", file=file, column=dupes[0])
    for layout in LAYOUTS:
        if not layout.missing(have):
            return layout
    closest = min(LAYOUTS, key=lambda lay: len(lay.missing(have)))
    missing = closest.missing(have)
    raise ParseError(
        f"not a WTO merchandise-values layout: missing columns {', '.join(missing)} "
        f"(closest layout: {closest.description})",
        file=file,
        column=missing[0],
        hint="expected the bulk download, the Parquet copy, the query tool's CSV or the API JSON",
    )


def _select(table: pa.Table, layout: Layout) -> pa.Table:
    """The layout's columns renamed to field names; optional ones absent become nulls; codes as strings."""
    by_norm = {_norm(n): n for n in table.column_names}
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    for field in FIELDS:
        name = by_norm.get(_norm(layout.columns[field]))
        if name is None:
            out[field] = pa.nulls(table.num_rows, pa.string())
            continue
        col = table.column(name)
        if field not in ("year", "value") and not pa.types.is_string(col.type):
            col = col.cast(pa.string())
        out[field] = col
    return pa.table(out)


def read_raw(path: Path) -> RawRows:
    """Sniff ``path`` (Parquet, zip, JSON or CSV) and return its records by field name."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}", file=path.name) from None
    if head == b"PAR1":
        return _read_parquet(path)
    if head.startswith(b"PK"):
        return _read_zip(path)
    data = path.read_bytes()
    if not data.strip():
        raise ParseError("empty file", file=path.name)
    if data.lstrip()[:1] in (b"{", b"["):
        return _read_json(data, path.name)
    return _read_csv(data, path.name)


def _read_parquet(path: Path) -> RawRows:
    try:
        pf = pq.ParquetFile(path)
        layout = detect(pf.schema_arrow.names, path.name)
        by_norm = {_norm(n): n for n in pf.schema_arrow.names}
        wanted = [by_norm[_norm(c)] for c in layout.columns.values() if _norm(c) in by_norm]
        table = pf.read(columns=wanted)
    except ParseError:
        raise
    except (OSError, pa.ArrowException) as exc:
        raise ParseError(f"not a readable Parquet file ({exc})", file=path.name) from None
    rows = pa.array(range(1, table.num_rows + 1), pa.int64())
    return RawRows(_select(table, layout), layout, rows, "record", path.name)


def _read_zip(path: Path) -> RawRows:
    try:
        with zipfile.ZipFile(path) as zf:
            if "[Content_Types].xml" in zf.namelist():
                raise ParseError(
                    "a spreadsheet (Office Open XML), not a WTO merchandise-values file",
                    file=path.name,
                    hint="give the bulk zip, the Parquet copy, the query tool's CSV or the API JSON",
                )
            members = [n for n in zf.namelist() if n.lower().endswith(".csv")]
            if len(members) != 1:
                raise ParseError(
                    f"expected one CSV in the zip, found {len(members)}: {', '.join(members) or 'none'}",
                    file=path.name,
                )
            data = zf.read(members[0])
    except (zipfile.BadZipFile, OSError) as exc:
        raise ParseError(
            f"not a readable zip ({exc}); the download may be truncated", file=path.name
        ) from None
    return _read_csv(data, f"{path.name}!{members[0]}")


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes, else cp1252 (WTO's exports from Windows tools)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(data: bytes, file: str) -> RawRows:
    text = _decode(data)
    if "\x00" in text:
        raise ParseError("not a text CSV (binary content)", file=file)
    first = text.split("\n", 1)[0].rstrip("\r")
    names = next(csv.reader([first]), [])
    layout = detect(names, file)
    wanted = [n for n in names if _norm(n) in {_norm(c) for c in layout.columns.values()}]
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={n: pa.string() for n in wanted},
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise ParseError(f"malformed CSV ({_short(exc)})", file=file) from None
    rows = pa.array(range(2, table.num_rows + 2), pa.int64())
    return RawRows(_select(table, layout), layout, rows, "row", file)


def _read_json(data: bytes, file: str) -> RawRows:
    try:
        payload = json.loads(_decode(data))
    except ValueError as exc:
        raise ParseError(f"not valid JSON ({exc})", file=file) from None
    records = payload.get("Dataset", payload.get("dataset")) if isinstance(payload, dict) else payload
    if not isinstance(records, list):
        raise ParseError("no 'Dataset' list in the JSON", file=file, field="Dataset")
    if not records:
        raise ParseError("the JSON's 'Dataset' is empty (no records)", file=file, field="Dataset")
    if not all(isinstance(r, dict) for r in records):
        raise ParseError("'Dataset' holds something other than records", file=file, field="Dataset")
    names = list(dict.fromkeys(k for r in records for k in r))
    layout = detect(names, file)
    columns: dict[str, list[Any]] = {}
    for field in FIELDS:
        key = next((k for k in names if _norm(k) == _norm(layout.columns[field])), None)
        values = [r.get(key) if key else None for r in records]
        columns[field] = [None if v is None else str(v) for v in values]
    table = pa.table({f: pa.array(v, pa.string()) for f, v in columns.items()})
    rows = pa.array(range(1, len(records) + 1), pa.int64())
    return RawRows(table, layout, rows, "record", file)


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200]


__all__ = ["API", "BULK", "FIELDS", "LAYOUTS", "WEB", "Layout", "RawRows", "detect", "read_raw"]
