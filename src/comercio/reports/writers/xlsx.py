"""XLSX writer: one sheet per table (and per data table behind the report), numbers stored as numbers with
a display format (openpyxl).

Money columns are stored in US$ (``millions`` columns in US$ millions, as their header says) and fractions
stay fractions with a percent format, so a spreadsheet user can compute with every cell. Each cell's number
format comes from the formatter rule for that value (:meth:`Column.number_format`), so the sheet displays
the figure the prose and the HTML table print (``100``, not ``100.0``, for US$ 99.96 million; ``0.0%``,
never ``+0.0%``). Every sheet: its title, the header and the data as an Excel table (members in their own
columns, subtotal and total rows in bold), then, below and apart from the data, the table's note and the
source line. Sheet names come from the catalogue (``presentation.xlsx.sheet.<table id>``) within Excel's
31 characters. The first sheet describes the report (title, period, sources, synthetic flag).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.table import Table as SheetTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from comercio.i18n import has, t
from comercio.reports.writers._model import Report, Table

_BAD = re.compile(r"[\[\]:*?/\\]")
MAX_NAME = 31  # Excel's limit on sheet names
NOTE = Font(italic=True, color="555555", size=9)


def sheet_title(table: Table, lang: str) -> str:
    """The catalogue's sheet name of a table, else its title cut at a word within 31 characters."""
    key = f"presentation.xlsx.sheet.{table.id}"
    title = t(key, lang) if has(key) else table.title
    title = _BAD.sub(" ", title).strip()
    if len(title) <= MAX_NAME:
        return title or t("presentation.xlsx.table_sheet", lang)
    words = title[: MAX_NAME + 1].rsplit(" ", 1)[0].rstrip(" ,;-").split(" ")
    while len(words) > 1 and len(words[-1]) <= 3 and words[-1].islower():  # no dangling "en", "de la"
        words.pop()
    return " ".join(words)


def _sheet_name(title: str, used: set[str]) -> str:
    name, n = title[:MAX_NAME], 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = title[: MAX_NAME - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _write_table(ws: Worksheet, report: Report, table: Table) -> None:
    ws.append([table.title])
    ws["A1"].font = Font(bold=True)
    ws.append([c.label for c in table.columns])
    header_fill = PatternFill("solid", fgColor="EEF2F6")
    for cell in ws[2]:
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(wrap_text=True)
    fmt = report.fmt
    for row in table.rows:
        ws.append([c.stored(row.get(c.key)) for c in table.columns])
        bold = table.kind(row) != "member"
        for j, column in enumerate(table.columns, start=1):
            cell = ws.cell(row=ws.max_row, column=j)
            number_format = column.number_format(fmt, row.get(column.key))
            if number_format is not None:
                cell.number_format = number_format
            if bold:
                cell.font = Font(bold=True)
    last = ws.max_row
    for j, column in enumerate(table.columns, start=1):
        letter = ws.cell(row=2, column=j).column_letter
        ws.column_dimensions[letter].width = 34 if column.kind == "text" else 14
    if table.rows:
        ref = f"A2:{ws.cell(row=last, column=len(table.columns)).coordinate}"
        data = SheetTable(displayName=re.sub(r"\W", "_", f"t_{table.id}"), ref=ref)
        data.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        ws.add_table(data)
    ws.append([])
    notes = [table.note, report.source, report.synthetic_notice]
    for text in (n for n in notes if n):
        ws.append([text])
        ws.cell(row=ws.max_row, column=1).font = NOTE
    ws.freeze_panes = "A3"


def write(report: Report, out: Path) -> Path:
    path = Path(out) / f"{report.stem}.xlsx"
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = t("presentation.xlsx.about_sheet", report.lang)
    used = {about.title.lower()}
    rows: list[str] = [report.title, report.subtitle, report.source]
    if report.synthetic_notice:
        rows.insert(0, report.synthetic_notice)
    for text in rows:
        about.append([text])
    if report.omitted_sections():  # what the data could not support, said once, as in the PDF
        about.append([])
        about.append([t("presentation.report.left_out", report.lang)])
        about.cell(row=about.max_row, column=1).font = Font(bold=True)
        for section in report.omitted_sections():
            about.append([f"{section.title}. {' '.join(section.paragraphs)}"])
    about["A1"].font = Font(bold=True, color="9B1C1C" if report.synthetic else "1F4E79")
    about.column_dimensions["A"].width = 100
    for table in (*report.tables(), *report.data):
        name = _sheet_name(sheet_title(table, report.lang), used)
        _write_table(wb.create_sheet(name), report, table)
    wb.save(path)
    return path
