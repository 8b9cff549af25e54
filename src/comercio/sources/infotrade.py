"""Read PROMPERÚ Infotrade export detail rows (XLSX or CSV) into the canonical ``infotrade`` dataset.

Infotrade ("Descarga de información de exportaciones") serves SUNAT export lines with a region already
attached (SUNAT_LAYOUTS.md §4). One row a shipment line, columns::

    FechaEmbarque (dd/mm/yyyy) · Ruc · RazonSocial · Departamento · CodigoPartida (10 digits) · Partida ·
    DescripcionComercial · PaisDestino (Spanish country name) · Monto (FOB US$) · PesoNeto · PesoBruto ·
    Cantidad · TipoSector · Sector

The Excel export ends with a TOTAL row (blank date, RUC and partida). It is checked against the sum of
``Monto`` and then dropped, so a truncated or edited download is caught instead of silently summed. A file
without a TOTAL row (e.g. a CSV re-export) is accepted; ``total_check.declared_usd`` is then None.

What is never data is refused with file, sheet, row and column: a shipment date outside 1990 … today
(``01/01/0001``, ``31/12/2999``), a negative amount, weight or quantity, a line repeating an earlier line
cell for cell, a column named twice, a file that is not text (binary, UTF-16).

Why each mapping: ``Departamento`` goes through the shared resolver (``Lima Metropolitana`` → 15,
``Callao`` → 07) and ``region_basis`` says the region came from Infotrade; ``PaisDestino`` names become ISO
alpha-2 (reference table ``countries`` plus pycountry's Spanish catalogue); ``sector`` keeps PROMPERÚ's own
two levels as ``TipoSector > Sector``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import python_calamine

from comercio.errors import ParseError
from comercio.sources._country_names import country_code
from comercio.sources._departments import resolve_department
from comercio.sources._span import MAX_LINE_USD, outside, span_reason
from comercio.sources._text import check_file, read_text
from comercio.sources.protocol import Part, Reader, ReadOptions, ReadResult, by_stem
from comercio.warehouse.schema import INFOTRADE

COLUMNS = (
    "FechaEmbarque",
    "Ruc",
    "RazonSocial",
    "Departamento",
    "CodigoPartida",
    "Partida",
    "DescripcionComercial",
    "PaisDestino",
    "Monto",
    "PesoNeto",
    "PesoBruto",
    "Cantidad",
    "TipoSector",
    "Sector",
)
# The TOTAL row may differ from the sum of Monto by display rounding (cents) plus float noise.
TOTAL_TOLERANCE_USD = 0.01
TOTAL_RELATIVE_TOLERANCE = 1e-9
HEADER_SEARCH_ROWS = 30
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class TotalCheck:
    """The file's own TOTAL row against the sum of its Monto cells (both US$ FOB)."""

    declared_usd: float | None
    computed_usd: float
    row: int | None

    @property
    def ok(self) -> bool:
        if self.declared_usd is None:
            return True
        tolerance = max(TOTAL_TOLERANCE_USD, TOTAL_RELATIVE_TOLERANCE * abs(self.declared_usd))
        return abs(self.declared_usd - self.computed_usd) <= tolerance


@dataclass(frozen=True)
class InfotradeResult:
    """Canonical ``infotrade`` rows of one file and the check of its TOTAL row."""

    rows: pa.Table
    total_check: TotalCheck


@dataclass(frozen=True)
class _Sheet:
    file: str
    sheet: str | None
    rows: list[tuple[int, list[Any]]]  # (1-based row number in the file/sheet, cells)


def read_infotrade(path: Path) -> InfotradeResult:
    """Read one Infotrade download (``.xlsx``/``.xls`` via calamine, anything else as CSV)."""
    path = Path(path)
    sheet = _load_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"} else _load_csv(path)
    header_row, index = _find_header(sheet)
    body = [(n, cells) for n, cells in sheet.rows if n > header_row and any(_text(c) for c in cells)]
    records: list[dict[str, Any]] = []
    total: tuple[int, float] | None = None
    seen: dict[tuple[str, ...], int] = {}
    for position, (number, cells) in enumerate(body):
        cell = _Cells(sheet, number, cells, index)
        line = tuple(_text(c) for c in cells)
        if line in seen:
            raise _sheet_error(
                sheet, number, "FechaEmbarque", f"the line repeats row {seen[line]} cell for cell"
            )
        seen[line] = number
        if _is_total_row(cell):
            if position != len(body) - 1:
                raise _sheet_error(
                    sheet,
                    number,
                    "FechaEmbarque",
                    "a TOTAL row (blank date, RUC, partida) appears before the last row",
                )
            total = (number, cell.number("Monto", required=True) or 0.0)
            continue
        records.append(_record(cell, sheet.file))
    if not records:
        raise ParseError(
            "no data lines below the header", file=sheet.file, sheet=sheet.sheet, row=header_row + 1
        )
    computed = math.fsum(r["value_usd"] for r in records)
    check = TotalCheck(
        declared_usd=total[1] if total else None, computed_usd=computed, row=total[0] if total else None
    )
    if not check.ok:
        raise _sheet_error(
            sheet,
            check.row,
            "Monto",
            f"TOTAL row says {check.declared_usd:,.2f} US$ but the rows add up to {computed:,.2f} US$",
        )
    table = pa.Table.from_pylist(records, schema=INFOTRADE.schema)
    return InfotradeResult(rows=INFOTRADE.conform(table, file=sheet.file), total_check=check)


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: one ``infotrade`` slice per file (its stem); a bad TOTAL row already raised."""
    return ReadResult((Part("infotrade", Path(path).stem, read_infotrade(path).rows),))


READER = Reader(
    read=read, targets=by_stem("infotrade"), files="a PROMPERÚ Infotrade download (.xlsx or .csv)"
)


def _sheet_error(sheet: _Sheet, row: int | None, column: str, reason: str) -> ParseError:
    """A ParseError located at ``row``/``column`` of ``sheet``."""
    return ParseError(reason, file=sheet.file, sheet=sheet.sheet, row=row, column=column)


# --- loading ---------------------------------------------------------------------------------------------


def _load_xlsx(path: Path) -> _Sheet:
    check_file(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        data = workbook.get_sheet_by_index(0)
        cells = data.to_python(skip_empty_area=False)
    except (OSError, python_calamine.CalamineError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ParseError(f"cannot read workbook: {why}", file=path.name) from exc
    return _Sheet(path.name, data.name, [(i, list(row)) for i, row in enumerate(cells, start=1)])


def _load_csv(path: Path) -> _Sheet:
    text = read_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    start = 1
    for cells in reader:
        rows.append((start, list(cells)))
        start = reader.line_num + 1
    return _Sheet(path.name, None, rows)


def _key(name: Any) -> str:
    return re.sub(r"[^a-z]", "", _text(name).lower())


def _find_header(sheet: _Sheet) -> tuple[int, dict[str, int]]:
    """Locate the header row (it may follow title rows) and map each expected column to its position."""
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        keys = [_key(c) for c in cells]
        if "fechaembarque" in keys:
            twice = next(
                (_text(c) for c, k in zip(cells, keys, strict=True) if k and keys.count(k) > 1), None
            )
            if twice is not None:
                raise _sheet_error(sheet, number, twice, f"column {twice!r} appears twice")
            index = {name: keys.index(_key(name)) for name in COLUMNS if _key(name) in keys}
            missing = [name for name in COLUMNS if name not in index]
            if missing:
                raise _sheet_error(sheet, number, missing[0], f"missing column(s) {', '.join(missing)}")
            return number, index
    raise ParseError(
        f"no header row with 'FechaEmbarque' in the first {HEADER_SEARCH_ROWS} rows",
        file=sheet.file,
        sheet=sheet.sheet,
    )


# --- cells -----------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class _Cells:
    """Typed access to the cells of one row; every failure names file, sheet, row and column."""

    sheet: _Sheet
    row: int
    cells: list[Any]
    index: dict[str, int]

    def raw(self, column: str) -> Any:
        position = self.index[column]
        return self.cells[position] if position < len(self.cells) else None

    def text(self, column: str) -> str:
        return _text(self.raw(column))

    def fail(self, column: str, reason: str) -> ParseError:
        return _sheet_error(self.sheet, self.row, column, reason)

    def number(self, column: str, *, required: bool = False) -> float | None:
        value = self.raw(column)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise self.fail(column, f"{value!r} is not a finite number")
            return self._plausible(column, float(value), repr(value))
        text = _text(value).replace(" ", "")
        if not text:
            if required:
                raise self.fail(column, "value is empty")
            return None
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            parsed = float(text)
        except ValueError:
            raise self.fail(column, f"{text!r} is not a number") from None
        if not math.isfinite(parsed):
            raise self.fail(column, f"{text!r} is not a finite number")
        return self._plausible(column, parsed, repr(text))

    def _plausible(self, column: str, value: float, shown: str) -> float:
        """Amounts, weights and quantities are never negative, and no line reaches :data:`MAX_LINE_USD`."""
        if value < 0:
            raise self.fail(column, f"{shown} is negative")
        if value > MAX_LINE_USD:
            raise self.fail(column, f"{shown} is implausible (over {MAX_LINE_USD:,.0f})")
        return value

    def date(self, column: str) -> date:
        value = self.raw(column)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        for layout in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, layout).date()
            except ValueError:
                continue
        raise self.fail(column, f"{text!r} is not a date dd/mm/yyyy")

    def digits(self, column: str, width: int) -> str:
        text = self.text(column)
        if not text.isdigit():
            raise self.fail(column, f"{text!r} is not a code of digits")
        if len(text) == width - 1:  # a numeric cell lost its leading zero (chapters 01-09)
            text = "0" + text
        if len(text) != width:
            raise self.fail(column, f"{text!r} does not have {width} digits")
        return text


def _is_total_row(cell: _Cells) -> bool:
    """The closing TOTAL row: no RUC and no partida, and a blank date (or the word TOTAL in its place)."""
    date_text = cell.text("FechaEmbarque").lower()
    return date_text in {"", "total"} and not cell.text("Ruc") and not cell.text("CodigoPartida")


def _record(cell: _Cells, source: str) -> dict[str, Any]:
    shipped = cell.date("FechaEmbarque")
    if outside(shipped):
        raise cell.fail("FechaEmbarque", span_reason(shipped))
    ruc = cell.text("Ruc")
    if not ruc.isdigit():
        raise cell.fail("Ruc", f"{ruc!r} is not a RUC (digits)")
    label = cell.text("Departamento")
    department = resolve_department(label)
    if department is None:
        raise cell.fail("Departamento", f"unknown department {label!r}")
    product = cell.digits("CodigoPartida", 10)
    country = cell.text("PaisDestino")
    partner = country_code(country)
    if partner is None:
        raise cell.fail("PaisDestino", f"unknown country {country!r}")
    levels = [t for t in (cell.text("TipoSector"), cell.text("Sector")) if t]
    return {
        "flow": "X",
        "date": shipped,
        "period": shipped.replace(day=1),
        "trader_id": ruc,
        "department": department,
        "region_basis": "infotrade",
        "product": product,
        "hs6": product[:6],
        "partner": partner,
        "sector": " > ".join(levels) if levels else None,
        "value_usd": cell.number("Monto", required=True),
        "value_basis": "FOB",
        "net_kg": cell.number("PesoNeto"),
        "quantity": cell.number("Cantidad"),
        "source": source,
    }
