"""XLSX writer: one sheet per table, numbers stored as numbers with a display format (openpyxl).

Money columns are stored in US$ (``millions`` columns in US$ millions, as their header says) and fractions
stay fractions with a percent format, so a spreadsheet user can compute with every cell. Each cell's number
format comes from the formatter rule for that value (:meth:`Column.number_format`), so the sheet displays
the figure the prose and the HTML table print (``100``, not ``100.0``, for US$ 99.96 million; ``0.0%``,
never ``+0.0%``). The first sheet describes the report (title, period, sources, synthetic flag).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from comercio.i18n import t
from comercio.reports.writers._model import Report

_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str], lang: str) -> str:
    base = _BAD.sub(" ", title).strip()[:31] or t("presentation.xlsx.table_sheet", lang)
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def write(report: Report, out: Path) -> Path:
    path = Path(out) / f"{report.stem}.xlsx"
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = t("presentation.xlsx.about_sheet", report.lang)
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
        ws = wb.create_sheet(_sheet_name(table.title, used, report.lang))
        ws.append([table.title])
        ws["A1"].font = Font(bold=True)
        ws.append([c.label for c in table.columns])
        for cell in ws[2]:
            cell.font, cell.fill = Font(bold=True), header_fill
            cell.alignment = Alignment(wrap_text=True)
        fmt = report.fmt
        for row in table.rows:
            ws.append([c.stored(row.get(c.key)) for c in table.columns])
            for j, column in enumerate(table.columns, start=1):
                number_format = column.number_format(fmt, row.get(column.key))
                if number_format is not None:
                    ws.cell(row=ws.max_row, column=j).number_format = number_format
        for j, column in enumerate(table.columns, start=1):
            letter = ws.cell(row=2, column=j).column_letter
            ws.column_dimensions[letter].width = 34 if column.kind == "text" else 16
        if table.note:
            ws.append([])
            ws.append([table.note])
        if report.synthetic_notice:
            ws.append([report.synthetic_notice])
        ws.freeze_panes = "A3"
    wb.save(path)
    return path
