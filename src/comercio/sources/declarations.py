"""Read SUNAT's declaration-consultation CSV (Aduanet DUA lookup) into the ``customs_lines`` dataset.

Layout (one row per declaration × subpartida, imports for consumption)::

    clave, dua, aduana, anio, correlativo, fecha, ruc, agente, partida, canal, n_series,
    fob, cif, peso_neto, peso_bruto

What the file does not say, and how each gap is filled (documented, never guessed):

* ``series`` — the row is one subpartida of a DUA, not a numbered series (``n_series`` is how many series
  the DUA has), so ``series`` stays null. The row key is therefore (aduana, dua, partida); a repeat is an
  error.
* ``department`` — imports carry no producer region: ``"99"`` with ``region_basis = "unattributed"``.
* ``partner``, ``quantity``, ``unit``, ``transport_mode`` — not in the file: null.
* ``freight_usd``/``insurance_usd`` — only their sum (cif − fob) is implied; they stay null rather than split.
* ``value_usd`` is the CIF value (``value_basis = "CIF"``), the basis of SUNAT's import statistics.
* ``hs_version`` — the Peruvian tariff in force on the declaration date
  (``comercio.reference.tariff_version``).

What is never data is refused with file, row and column: a date outside 1990 … today (a declaration dated
2099) or, when the file's name ends in its month (``…_2026-05.csv``), outside that month; a negative or
implausible amount, a repeated (aduana, dua, partida), a column named twice, a file that is not text, a file
without data lines.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.errors import ParseError, ReferenceDataError
from comercio.reference import tariff_version
from comercio.sources._span import MAX_LINE_USD, outside, span_reason
from comercio.sources._text import read_text, unique_header
from comercio.sources.protocol import Part, Reader, ReadOptions, ReadResult, by_stem
from comercio.warehouse.schema import CUSTOMS_LINES

REQUIRED_COLUMNS = ("dua", "aduana", "fecha", "ruc", "partida", "fob", "cif", "peso_neto")


def read_declarations(path: Path) -> pa.Table:
    """Read one declaration-consultation CSV; every bad cell raises ParseError with file, row and column."""
    path = Path(path)
    file = path.name
    reader = csv.reader(io.StringIO(read_text(path)))
    try:
        return _read_rows(reader, file, _month_of(path.stem))
    except csv.Error as exc:
        raise ParseError(f"not a readable CSV ({exc})", file=file, row=reader.line_num) from None


def _month_of(stem: str) -> date | None:
    """The month a file's name ends in (``imports_4011101000_callao_2026-05`` → 2026-05-01), if any."""
    match = re.search(r"(\d{4})-(\d{2})$", stem)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _read_rows(reader: Any, file: str, month: date | None) -> pa.Table:
    header = [h.strip() for h in next(reader, [])]
    unique_header(header, file)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ParseError(f"missing column(s) {', '.join(missing)}", file=file, row=1, column=missing[0])
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for cells in reader:
        line = reader.line_num  # physical line of the row (rows of this layout never span lines)
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ParseError(
                f"expected {len(header)} cells, found {len(cells)}", file=file, row=line, column=header[-1]
            )
        row = _Row(file, line, dict(zip(header, cells, strict=True)))
        record = _record(row)
        if month is not None and record["period"] != month:
            raise row.fail(
                "fecha", f"date {record['date']} is outside the file's month {month:%Y-%m} (from its name)"
            )
        key = (record["customs_office"], record["declaration"], record["product"])
        if key in seen:
            raise ParseError(
                f"declaration {key[1]} subpartida {key[2]} repeats row {seen[key]}",
                file=file,
                row=line,
                column="dua",
            )
        seen[key] = line
        records.append(record)
    if not records:
        raise ParseError("no data lines below the header", file=file, row=2)
    table = pa.Table.from_pylist(records, schema=CUSTOMS_LINES.schema)
    return CUSTOMS_LINES.conform(table, file=file)


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: one ``customs_lines`` slice per file, ``declarations-<stem>``."""
    return ReadResult((Part("customs_lines", f"declarations-{Path(path).stem}", read_declarations(path)),))


READER = Reader(
    read=read,
    targets=by_stem("customs_lines", "declarations-"),
    files="an Aduanet declaration-consultation CSV",
)


class _Row:
    """Typed access to one CSV row; failures name file, row (line number) and column."""

    def __init__(self, file: str, line: int, cells: dict[str, str]) -> None:
        self.file = file
        self.line = line
        self.cells = cells

    def fail(self, column: str, reason: str) -> ParseError:
        return ParseError(reason, file=self.file, row=self.line, column=column)

    def text(self, column: str, *, required: bool = True) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            raise self.fail(column, "value is empty")
        return value

    def amount(self, column: str) -> float:
        """A required non-negative number (US$ or kg)."""
        value = self.number(column, required=True)
        if value is None:  # unreachable: number() raises on an empty required cell
            raise self.fail(column, "value is empty")
        return value

    def number(self, column: str, *, required: bool = True) -> float | None:
        text = self.text(column, required=required)
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise self.fail(column, f"{text!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise self.fail(column, f"{text!r} is not a non-negative number")
        if value > MAX_LINE_USD:
            raise self.fail(column, f"{text!r} is implausible (over {MAX_LINE_USD:,.0f})")
        return value

    def digits(self, column: str, width: int, *, pad: bool) -> str:
        text = self.text(column)
        if not text.isdigit():
            raise self.fail(column, f"{text!r} is not a code of digits")
        if pad:
            text = text.zfill(width)
        elif len(text) == width - 1:  # a numeric export lost the leading zero (chapters 01-09)
            text = "0" + text
        if len(text) != width:
            raise self.fail(column, f"{text!r} does not have {width} digits")
        return text

    def date(self, column: str) -> date:
        text = self.text(column)
        for layout in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(text, layout).date()
            except ValueError:
                continue
        raise self.fail(column, f"{text!r} is not a date YYYY-MM-DD")


def _ruc(row: _Row) -> str:
    """The importer's RUC: always 11 digits (a shorter one is a damaged cell, not a code to pad)."""
    ruc = row.text("ruc")
    if not (ruc.isdigit() and len(ruc) == 11):
        raise row.fail("ruc", f"{ruc!r} is not an 11-digit RUC")
    return ruc


def _record(row: _Row) -> dict[str, Any]:
    day = row.date("fecha")
    if outside(day):
        raise row.fail("fecha", span_reason(day))
    try:
        version = tariff_version(day)
    except ReferenceDataError as exc:
        raise row.fail("fecha", f"no tariff version for {day}: {exc.reason}") from exc
    product = row.digits("partida", 10, pad=False)
    fob = row.amount("fob")
    cif = row.amount("cif")
    if cif + 0.005 < fob:
        raise row.fail("cif", f"CIF {cif} is below FOB {fob}")
    return {
        "flow": "M",
        "date": day,
        "period": day.replace(day=1),
        "declaration": row.text("dua"),
        "series": None,
        "customs_office": row.digits("aduana", 3, pad=True),
        "department": "99",
        "region_basis": "unattributed",
        "partner": None,
        "product": product,
        "hs6": product[:6],
        "hs_version": version,
        "transport_mode": None,
        "trader_id": _ruc(row),
        "value_usd": cif,
        "value_basis": "CIF",
        "fob_usd": fob,
        "freight_usd": None,
        "insurance_usd": None,
        "cif_usd": cif,
        "net_kg": row.number("peso_neto", required=False),
        "quantity": None,
        "unit": None,
        "synthetic": False,
        "source": row.file,
    }
