"""A query result as an XLSX workbook: the data sheet and the "Consulta"/"Query" sheet.

Data sheet: one header row (frozen, bold, filtered), then the rows. Codes are text cells (``04`` and
``0804400000`` keep their zeros), figures are numbers with a number format for their unit: US$ and kg with
thousands separators, US$/kg with two decimals, growth, share and contribution stored as fractions under a
percent format (a cell holding 0.125 shows 12.5%), rank a whole number. Columns are as wide as their
longest text (within a limit). The query sheet lists every parameter in words, the stable URL, dataset,
vintages, the synthetic flag, incomplete periods, notes, the comercio version and the time of the query.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from comercio.errors import ConfigError
from comercio.i18n import t
from comercio.query._about import describe
from comercio.query._grid import Grid
from comercio.query.model import QueryResult

NUMBER_FORMATS = {
    "usd": "#,##0",
    "kg": "#,##0",
    "usd_per_kg": "#,##0.00",
    "fraction": "0.0%",
    "position": "0",
}
DEFAULT_FORMAT = "#,##0.##"
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # an Excel sheet's limits (the header takes a row)
MAX_WIDTH = 60
HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")
WARNING = Font(bold=True, color="9C0006")


def _styled(ws: Worksheet, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _data_sheet(ws: Worksheet, grid: Grid) -> None:
    """Written in streaming mode (openpyxl's write-only sheets): widths, frozen header and filter first."""
    _widths(ws, grid)
    ws.freeze_panes = "A2"
    if grid.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(grid.headers))}{len(grid.rows) + 1}"
    head = {
        "font": Font(bold=True),
        "fill": HEADER_FILL,
        "alignment": Alignment(wrap_text=True, vertical="top"),
    }
    ws.append([_styled(ws, h, **head) for h in grid.headers])
    formats = [
        NUMBER_FORMATS.get(unit or "", DEFAULT_FORMAT) if kind == "number" else "@"  # "@": "04" stays text
        for kind, unit in zip(grid.kinds, grid.units, strict=True)
    ]
    numbers = [kind == "number" for kind in grid.kinds]
    for row in grid.rows:
        cells: list[WriteOnlyCell | None] = []
        for value, number, fmt in zip(row, numbers, formats, strict=True):
            if value is None:
                cells.append(None)
                continue
            cell = WriteOnlyCell(
                ws,
                value=(value if isinstance(value, int | float) else float(value)) if number else str(value),
            )
            cell.number_format = fmt
            cells.append(cell)
        ws.append(cells)


def _widths(ws: Worksheet, grid: Grid) -> None:
    for j, head in enumerate(grid.headers):
        texts = [str(r[j]) for r in grid.rows[:500] if r[j] is not None and grid.kinds[j] != "number"]
        longest = max([len(x) for x in texts] + [12 if grid.kinds[j] == "number" else 6])
        width = max(min(len(head), 28), longest) + 2
        ws.column_dimensions[get_column_letter(j + 1)].width = min(width, MAX_WIDTH)


def _query_sheet(
    ws: Worksheet, result: QueryResult, wide: bool, rows: int, asked_at: datetime | None
) -> None:
    lang = result.query.lang
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 90
    ws.append([_styled(ws, t("query.about.title", lang), font=Font(bold=True, size=13))])
    if result.synthetic:
        ws.append([_styled(ws, t("query.about.synthetic_notice", lang), font=WARNING)])
    ws.append([])
    head = {"font": Font(bold=True), "fill": HEADER_FILL}
    ws.append(
        [_styled(ws, t("query.about.field", lang), **head), _styled(ws, t("query.about.value", lang), **head)]
    )
    top, wrap = Alignment(vertical="top"), Alignment(wrap_text=True, vertical="top")
    for label, text in describe(result, wide=wide, n_rows=rows, asked_at=asked_at):
        ws.append([_styled(ws, label, alignment=top), _styled(ws, text, alignment=wrap, number_format="@")])


def workbook(result: QueryResult, grid: Grid, *, wide: bool, asked_at: datetime | None = None) -> bytes:
    """The workbook's bytes: the data first (the sheet a reader opens), then the query."""
    if len(grid.rows) + 1 > MAX_ROWS or len(grid.headers) > MAX_COLUMNS:
        raise ConfigError(
            f"{len(grid.rows):,} rows × {len(grid.headers):,} columns do not fit an Excel sheet "
            f"({MAX_ROWS - 1:,} rows × {MAX_COLUMNS:,} columns at most)",
            field="format",
            hint="download CSV or narrow the query",
        )
    lang = result.query.lang
    wb = Workbook(write_only=True)
    data = wb.create_sheet(
        t("query.about.synthetic_sheet" if result.synthetic else "query.about.data_sheet", lang)
    )
    _data_sheet(data, grid)
    _query_sheet(wb.create_sheet(t("query.about.sheet", lang)), result, wide, len(grid.rows), asked_at)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
