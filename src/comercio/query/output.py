"""Downloads of a query result: CSV, JSON and XLSX, in long or wide form.

``render(result, fmt)`` returns the file's bytes, ``write(result, fmt, out)`` writes them to a path or an
open binary file. ``wide`` (default: the query's own ``wide``) puts the periods in columns, like SUNAT's
tables (see :mod:`comercio.query._grid`). Headers are in the query's language with the unit in the header
(``Valor FOB (US$)``, ``Net weight (kg)``), as the result's columns name them; a period with months missing
is marked (``2025 (ene–may)``); on synthetic data every measure header says so.

Formats, and why:

- **CSV**: UTF-8 *with* a byte-order mark by default, because the CSV is meant to be opened in Excel, which
  reads a BOM-less UTF-8 file as the local code page and garbles ``Año``, ``Región``, ``Perú``; readers that
  do not want the mark decode with ``utf-8-sig`` (``render(..., bom=False)`` omits it; the CLI does so when
  printing to a terminal or pipe). Comma-separated with ``.`` as decimal mark, which is what Excel expects
  under Peruvian regional settings (es-PE writes 1,234.5; a Spain-configured Excel wants ``;``, hence the
  XLSX). One header row and nothing else: no comment line, no sidecar, because either breaks CSV readers;
  the query, sources and vintages travel in the JSON and XLSX downloads (and the stable URL rebuilds the
  query). Growth, share and contribution are
  written as percentages (``12.5`` under ``Variación (%)``), codes as text as published (a spreadsheet that
  reads ``04`` as a number needs the XLSX instead).
- **JSON**: ``{query, url, dataset, vintages, synthetic, periods, partial, coverage, truncated, notes,
  comercio_version, asked_at, form, columns, rows}``; ``columns`` give key, header, kind and unit, rows are
  objects keyed by column key with the period as computed (``2025``; ``period_labels`` gives the reader's
  ``2025 (ene–abr)``) in the long form, lists in the column order in the wide form. Growth, share and
  contribution are fractions (0.125 = 12.5 %), as their unit ``fraction`` says; US$ are rounded to cents and
  kg to grams in CSV and JSON (no binary noise such as ``3777697491.7229996``).
- **XLSX**: the data sheet and the query sheet (see :mod:`comercio.query._xlsx`); fractions stored as
  fractions under a percent format.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from comercio.errors import ConfigError
from comercio.query._about import header
from comercio.query._grid import Grid, grid, period_label
from comercio.query._xlsx import workbook
from comercio.query.model import QueryResult

Format = Literal["csv", "json", "xlsx"]
FORMATS: tuple[str, ...] = ("csv", "json", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
DECIMALS = {"usd": 2, "kg": 3, "usd_per_kg": 6, "fraction": 8, "position": 0}

__all__ = ["FORMATS", "MEDIA_TYPES", "Grid", "filename", "grid", "period_label", "render", "write"]


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r}; choose {', '.join(FORMATS)}", field="format")


def render(
    result: QueryResult,
    fmt: str,
    *,
    wide: bool | None = None,
    bom: bool = True,
    asked_at: datetime | None = None,
) -> bytes:
    """The download's bytes in ``fmt`` (csv, json or xlsx); ``wide`` defaults to the query's."""
    _check(fmt)
    wide = result.query.wide if wide is None else wide
    asked_at = asked_at or datetime.now(UTC)
    if fmt == "json":
        return _json(result, wide, asked_at).encode("utf-8")
    g = grid(result, wide)
    if fmt == "xlsx":
        return workbook(result, g, wide=wide, asked_at=asked_at)
    return ((BOM if bom else "") + _csv(g)).encode("utf-8")


def write(
    result: QueryResult,
    fmt: str,
    out: Path | BinaryIO,
    *,
    wide: bool | None = None,
    bom: bool = True,
) -> None:
    """Write the download to ``out``: a path (written whole, then renamed into place) or a binary file."""
    data = render(result, fmt, wide=wide, bom=bom)
    if isinstance(out, str | Path):
        path = Path(out)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
    else:
        out.write(data)


def filename(result: QueryResult, fmt: str) -> str:
    """A file name for the download: ``comercio_X_2024-01_2025-11[_wide][_sintetico].xlsx``."""
    _check(fmt)
    q = result.query
    parts = ["comercio", q.flow, q.start, q.end, *q.by]
    if q.wide:
        parts.append("wide")
    if result.synthetic:
        parts.append("sintetico" if q.lang == "es" else "synthetic")
    return "_".join(parts) + f".{fmt}"


def _plain(value: Any, unit: str | None) -> Any:
    """A figure as CSV and JSON write it: cents for US$, grams for kg, six decimals otherwise (binary
    floating-point noise such as ``3777697491.7229996`` never reaches a file); None for a missing figure."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if not isinstance(value, float):
        return value
    return round(value, DECIMALS.get(unit or "", 6))


def _csv_cell(unit: str | None) -> Callable[[Any], Any]:
    """How one column's figures are written in CSV: rounded, fractions as percentages, missing as empty."""
    scale = 100 if unit == "fraction" else 1  # percentages under "(%)"

    def cell(value: Any) -> Any:
        if isinstance(value, float):
            return round(value * scale, DECIMALS.get(unit or "", 6)) if math.isfinite(value) else ""
        if value is None:
            return ""
        return (
            value * scale if scale != 1 and isinstance(value, int) and not isinstance(value, bool) else value
        )

    return cell


def _text(value: Any) -> Any:
    return "" if value is None else value


def _csv(g: Grid) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(g.headers)
    cells = [
        _csv_cell(u) if k == "number" else (lambda v: "" if v is None else v)
        for k, u in zip(g.kinds, g.units, strict=True)
    ]
    w.writerows([f(v) for f, v in zip(cells, row, strict=True)] for row in g.rows)
    return buf.getvalue()


def _json(result: QueryResult, wide: bool, asked_at: datetime) -> str:
    payload: dict[str, Any] = header(result, asked_at=asked_at)
    payload["form"] = "wide" if wide else "long"
    if wide:
        g = grid(result, True)
        payload["columns"] = [
            {"header": h, "kind": k, "unit": u} for h, k, u in zip(g.headers, g.kinds, g.units, strict=True)
        ]
        payload["rows"] = [[_plain(v, u) for v, u in zip(row, g.units, strict=True)] for row in g.rows]
    else:
        payload["columns"] = [
            {"key": c.key, "header": c.header, "kind": c.kind, "unit": c.unit} for c in result.columns
        ]
        payload["rows"] = [{c.key: _plain(r.get(c.key), c.unit) for c in result.columns} for r in result.rows]
        payload["period_labels"] = {p: period_label(result, p) for p in result.periods}
    return json.dumps(payload, ensure_ascii=False, indent=1, default=str)
