"""The XLSX of a check (openpyxl): the claims, the figures not checked, and what the check was about.

Numbers are stored as numbers: money in US$ and fractions as fractions, each cell with the number format
:meth:`comercio.reports.fmt.Formatter.number_format` gives its figure, so the sheet shows what the HTML and
Markdown print and a spreadsheet user can compute with it. Codes (ubigeo, customs office, dataset, vintage)
and windows are text.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

import comercio
from comercio.check._describe import (
    OUTCOMES,
    datasets_text,
    figure_kind,
    printed_decimals,
    published_text,
    rows,
    source_text,
    window_text,
)
from comercio.check.model import CheckReport, Claim
from comercio.i18n import Messages
from comercio.reports.figures import stored
from comercio.reports.fmt import Formatter

HEAD_FILL = PatternFill("solid", fgColor="EEF2F6")
FILLS = {
    "consistent": "DCF5E3",
    "close": "FFF1C2",
    "differs": "FFDCD8",
    "not_checkable": "E8E8E8",
}
CLAIM_COLUMNS = (
    "n", "printed", "value", "unit", "qualifier", "subject", "subject_kind", "code", "basket", "flow",
    "measure", "window", "start", "end", "computed", "verdict", "variant", "reason", "dataset", "vintage",
    "fact",
)  # fmt: skip
TEXT_WIDTH = {"printed": 22, "subject": 24, "reason": 60, "variant": 24, "window": 16, "dataset": 18}


def _head(ws: Worksheet, labels: list[str]) -> None:
    ws.append(labels)
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"


def _number(ws: Worksheet, column: int, value: float | None, claim: Claim, fmt: Formatter) -> None:
    """A figure of the claim as a number, shown at the printed figure's precision (912,5 millones keeps
    its decimal), in the format the formatter gives that figure."""
    kind, decimals = figure_kind(claim), printed_decimals(claim)
    cell = ws.cell(row=ws.max_row, column=column)
    cell.value = stored(value, kind)
    cell.number_format = fmt.number_format(value, kind, decimals=decimals)


def _claim_row(n: int, c: Claim, lang: str, msg: Messages) -> list[Any]:
    s, w = c.subject, c.window
    return [
        n,
        c.number.printed,
        None,  # the value read and the computed value are written with their number formats
        msg(f"check.unit.{c.number.unit}"),
        msg(f"check.qualifier.{c.number.qualifier}"),
        s.label if s else None,
        msg(f"check.kind.{s.kind}") if s else None,
        s.code if s else None,
        s.basket if s else None,
        msg(f"check.flow.{s.flow}") if s else None,
        msg(f"check.measure.{c.measure}") if c.measure else None,
        window_text(w.start, w.end, lang) if w else None,
        w.start if w else None,
        w.end if w else None,
        None,
        msg(f"check.verdict.{c.verdict}"),
        c.variant,
        c.reason,
        c.dataset,
        c.vintage,
        c.fact,
    ]


def _claims(ws: Worksheet, report: CheckReport, lang: str, msg: Messages) -> None:
    fmt = Formatter(lang)
    _head(ws, [msg(f"check.column.{h}") for h in CLAIM_COLUMNS])
    value_col, computed_col = CLAIM_COLUMNS.index("value") + 1, CLAIM_COLUMNS.index("computed") + 1
    verdict_col = CLAIM_COLUMNS.index("verdict") + 1
    for row in rows(report, lang):
        if not isinstance(row.item, Claim):
            continue
        claim = row.item
        ws.append(_claim_row(row.n, claim, lang, msg))
        _number(ws, value_col, claim.number.value, claim, fmt)
        _number(ws, computed_col, claim.computed, claim, fmt)
        for j, value in enumerate(ws[ws.max_row], start=1):
            if isinstance(value.value, str):
                value.number_format = "@"  # codes such as "06" stay text
                value.alignment = Alignment(wrap_text=j - 1 == CLAIM_COLUMNS.index("reason"), vertical="top")
        fill = FILLS[claim.verdict]
        ws.cell(row=ws.max_row, column=verdict_col).fill = PatternFill("solid", fgColor=fill)
    for j, name in enumerate(CLAIM_COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = TEXT_WIDTH.get(name, 13)


def _skipped(ws: Worksheet, report: CheckReport, lang: str, msg: Messages) -> None:
    _head(ws, [msg(f"check.column.{h}") for h in ("n", "printed", "kind", "reason")])
    for row in rows(report, lang):
        if not row.is_claim:
            ws.append([row.n, row.printed, row.label, row.reason])
            for cell in ws[ws.max_row][1:]:
                cell.number_format = "@"
    for letter, width in zip("ABCD", (6, 22, 18, 70), strict=True):
        ws.column_dimensions[letter].width = width


def _about(ws: Worksheet, report: CheckReport, lang: str, msg: Messages) -> None:
    ws.append([msg("check.title_source", source=source_text(report, lang))])
    ws["A1"].font = Font(bold=True, size=13, color="9B1C1C" if report.synthetic else "1F4E79")
    if report.synthetic:
        ws.append([msg("check.synthetic.notice")])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="9B1C1C")
    ws.append([])
    data = datasets_text(report, lang) or [msg("check.meta.no_data")]
    pairs: list[tuple[str, Any]] = [
        (msg("check.meta.source"), source_text(report, lang)),
        (msg("check.meta.published"), published_text(report, lang)),
        (msg("check.meta.lang"), report.lang),
        (msg("check.meta.data"), "; ".join(data)),
        (msg("check.meta.seconds"), msg("check.meta.seconds_value", seconds=f"{report.seconds:.1f}")),
        (msg("check.meta.version"), comercio.__version__),
        (msg("check.meta.total"), len(report.claims) + len(report.skipped)),
    ]
    for label, value in pairs:
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([])
    _section(ws, [msg("check.meta.counts"), msg("check.column.count"), msg("check.column.definition")])
    counts = report.counts
    for o in OUTCOMES:
        ws.append([msg(f"check.verdict.{o}"), counts[o], msg(f"check.definition.{o}")])
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 90


def _section(ws: Worksheet, labels: list[str]) -> None:
    ws.append(labels)
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL


def xlsx_bytes(report: CheckReport, lang: str) -> bytes:
    """The workbook: sheets "Claims", "Not checked", "About" (names from the catalogue)."""
    msg = Messages(lang)
    wb = Workbook()
    claims = wb.active
    assert claims is not None
    claims.title = msg("check.xlsx.claims")
    _claims(claims, report, lang, msg)
    _skipped(wb.create_sheet(msg("check.xlsx.skipped")), report, lang, msg)
    _about(wb.create_sheet(msg("check.xlsx.about")), report, lang, msg)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
