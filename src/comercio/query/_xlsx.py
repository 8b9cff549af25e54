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
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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
MAX_WIDTH = 60
HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")
WARNING = Font(bold=True, color="9C0006")


def _data_sheet(ws: Worksheet, grid: Grid) -> None:
    ws.append(list(grid.headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in grid.rows:
        ws.append([_value(v, kind) for v, kind in zip(row, grid.kinds, strict=True)])
    for j, (kind, unit) in enumerate(zip(grid.kinds, grid.units, strict=True), start=1):
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            assert isinstance(cell, Cell)
            if kind == "number":
                cell.number_format = NUMBER_FORMATS.get(unit or "", DEFAULT_FORMAT)
            else:
                cell.number_format = "@"  # text: Excel must not read "04" as the number 4
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    if grid.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(grid.headers))}{len(grid.rows) + 1}"
    _widths(ws, grid)


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "number":
        return value if isinstance(value, int | float) else float(value)
    return str(value)


def _widths(ws: Worksheet, grid: Grid) -> None:
    for j, head in enumerate(grid.headers):
        texts = [str(r[j]) for r in grid.rows[:500] if r[j] is not None and grid.kinds[j] != "number"]
        longest = max([len(x) for x in texts] + [12 if grid.kinds[j] == "number" else 6])
        width = max(min(len(head), 28), longest) + 2
        ws.column_dimensions[get_column_letter(j + 1)].width = min(width, MAX_WIDTH)


def _query_sheet(ws: Worksheet, result: QueryResult, wide: bool, asked_at: datetime | None) -> None:
    lang = result.query.lang
    ws.append([t("query.about.title", lang)])
    ws["A1"].font = Font(bold=True, size=13)
    if result.synthetic:
        ws.append([t("query.about.synthetic_notice", lang)])
        ws.cell(ws.max_row, 1).font = WARNING
    ws.append([])
    ws.append([t("query.about.field", lang), t("query.about.value", lang)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for label, text in describe(result, wide=wide, asked_at=asked_at):
        ws.append([label, text])
        ws.cell(ws.max_row, 2).data_type = "s"
        ws.cell(ws.max_row, 2).number_format = "@"
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(ws.max_row, 1).alignment = Alignment(vertical="top")
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 90


def workbook(result: QueryResult, grid: Grid, *, wide: bool, asked_at: datetime | None = None) -> bytes:
    """The workbook's bytes: the data first (the sheet a reader opens), then the query."""
    lang = result.query.lang
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = t("query.about.synthetic_sheet" if result.synthetic else "query.about.data_sheet", lang)
    _data_sheet(data, grid)
    _query_sheet(wb.create_sheet(t("query.about.sheet", lang)), result, wide, asked_at)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
