"""XLSX writer: one sheet per table, numbers stored as numbers with a display format (openpyxl).

Money columns are stored in US$ (``millions`` columns in US$ millions, as their header says) and fractions
stay fractions with a percent format, so a spreadsheet user can compute with every cell. The first sheet
describes the report (title, period, sources, synthetic flag).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from comercio.reports.writers._model import Column, Report

_NUMBER_FORMATS = {
    "money": "#,##0",
    "millions": "#,##0.0",
    "pct": "0.0%",
    "pct_signed": "+0.0%;-0.0%;0.0%",
    "count": "0",
    "number": "#,##0.0",
}
_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD.sub(" ", title).strip()[:31] or "tabla"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _value(column: Column, value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if column.kind == "text":
        return str(value)
    if column.kind == "millions":
        return float(value) / 1e6
    return float(value) if column.kind != "count" else int(value)


def write(report: Report, out: Path) -> Path:
    path = Path(out) / f"{report.stem}.xlsx"
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = "info" if report.lang == "en" else "informe"
    used = {about.title}
    rows: list[tuple[str, str]] = [("", report.title), ("", report.subtitle), ("", report.source)]
    if report.synthetic_notice:
        rows.insert(0, ("", report.synthetic_notice))
    for _, text in rows:
        about.append([text])
    about["A1"].font = Font(bold=True, color="9B1C1C" if report.synthetic else "1F4E79")
    about.column_dimensions["A"].width = 100
    header_fill = PatternFill("solid", fgColor="EEF2F6")
    for table in report.tables():
        ws = wb.create_sheet(_sheet_name(table.title, used))
        ws.append([table.title])
        ws["A1"].font = Font(bold=True)
        ws.append([c.label for c in table.columns])
        for cell in ws[2]:
            cell.font, cell.fill = Font(bold=True), header_fill
            cell.alignment = Alignment(wrap_text=True)
        for row in table.rows:
            ws.append([_value(c, row.get(c.key)) for c in table.columns])
        for j, column in enumerate(table.columns, start=1):
            letter = ws.cell(row=2, column=j).column_letter
            ws.column_dimensions[letter].width = 34 if column.kind == "text" else 16
            if column.kind in _NUMBER_FORMATS:
                for r in range(3, ws.max_row + 1):
                    ws.cell(row=r, column=j).number_format = _NUMBER_FORMATS[column.kind]
        if table.note:
            ws.append([])
            ws.append([table.note])
        if report.synthetic_notice:
            ws.append([report.synthetic_notice])
        ws.freeze_panes = "A3"
    wb.save(path)
    return path
