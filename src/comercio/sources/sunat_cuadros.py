"""Read SUNAT's monthly statistical tables (cuadros): G-series exports, F-series imports, ranking tables too.

The ingest reads G6 (exports by destination country) into ``sunat_destinations``
(:mod:`comercio.sources._cuadro_destinations`) and every other cuadro into the ``sunat_cuadros`` tree.

One reader for the whole family, no code per file. A cuadro workbook has one sheet a year; each sheet has
title rows (``Cuadro G 1``, ``EXPORTACIÓN DEFINITIVA SEGÚN SECTOR ECONÓMICO, 2024``, ``(Miles de US$ FOB)``),
a header row with the months and an annual ``Total`` column, a body whose hierarchy is given by the column a
label sits in, and notes below. The layout rules live in :mod:`comercio.sources._cuadro_layout`.

Rules, decided from the real G1 and F1 files (2005-2025) and written down here so they can be challenged:

* **Identity.** The table is what the title says (``Cuadro G 1``), never the file name; a workbook whose
  name says another table is refused (:mod:`comercio.sources._cuadro_workbook`).
* **Unit.** The header says ``Miles de US$`` but the cells are US$ (G1 2024 January total is 5 290 227 591.9,
  i.e. US$ 5.3 bn; read as thousands it would be US$ 5.3 trillion in one month). Rule: take the scale the
  header states (Miles = 1 000, Millones = 1 000 000, else 1); if the largest monthly cell in the workbook
  times that scale exceeds ``PLAUSIBLE_MONTHLY_CEILING_USD`` (US$ 100 bn, over ten times Peru's largest
  month of trade), the header is wrong and the cells are taken as US$. The decision is recorded per sheet in
  :class:`SheetInfo` (``scale``) and summarised in ``CuadroResult.unit_note``; ``scale=`` overrides it.
* **Values.** Text, NaN, negative values and cells of US$ 1e12 or more are refused with file, sheet, row and
  column; so are sheets of a year before 2005 or after the current one.
* **Basis.** FOB for G tables, CIF for F tables, unless the title rows name FOB or CIF.
* **Preliminary.** A sheet is preliminary when a note or title says so (``preliminar``, G1 2024 and 2025;
  a note naming only other years does not count) or its name does (``2025 (p)``, ``2025*``); a month is
  preliminary when its header is marked (``Abril*``, ``Abril (p)``); the last year of the workbook is
  preliminary when it is partial (fewer than 12 months).
* **Partial year.** Trailing month columns that are empty (or zero) in every row are the future: no rows.
* **Empty cells.** SUNAT writes zeros explicitly, so an empty cell in a month with data is a ``ParseError``,
  as is text in a number cell. Rows whose month cells are all empty are headings: they give their label to
  the paths below them but produce no rows.
* **Totals.** The grand-total row (``Total``, ``Total (I+II+III)``) is required on every sheet; it gets path
  ``Total`` and level 0. Annual
  total columns are never rows: they are checked against the sum of the loaded months.
* **Labels.** Footnote markers (``Plomo 1/``) removed, whitespace runs collapsed, spelling kept: G1 2005
  ``Metal-Mecánica`` and G1 2024 ``Metal-mecanico`` are different paths (a reference table maps them).
* **Checks.** For every parent and month, parent vs sum of children; tolerance 1 US$ or 1e-6 relative.
  Failures are reported, never corrected: SUNAT's own G1 ``Total (I+II+III)`` exceeds I+II+III in 2015,
  2016 and January and April 2017 (by US$ 0.04 M to 60 M a month). Those are the only differences in the
  published G1 and F1: the ingest refuses a file whose other subtotals or annual cells do not add up (a row
  lost or changed, e.g. the Cobre row deleted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.errors import ParseError, ValidationError
from comercio.sources import _cuadro_destinations as destinations
from comercio.sources import _cuadro_layout as layout
from comercio.sources._country_names import Spelling, spellings
from comercio.sources._cuadro_destinations import DestinationsResult, read_destinations
from comercio.sources._cuadro_workbook import (
    PLAUSIBLE_MONTHLY_CEILING_USD,
    Sheet,
    SheetInfo,
    Workbook,
    iter_sheets,
    parse_workbook,
    table_from_name,
    within,
)
from comercio.sources.protocol import Check, Part, Reader, ReadOptions, ReadResult, Target
from comercio.warehouse.schema import SUNAT_CUADROS

__all__ = [
    "PLAUSIBLE_MONTHLY_CEILING_USD",
    "CuadroResult",
    "DestinationsResult",
    "SheetInfo",
    "Spelling",
    "SubtotalCheck",
    "iter_sheets",
    "read_cuadro",
    "read_destinations",
    "spellings",
    "table_from_name",
]


@dataclass(frozen=True)
class SubtotalCheck:
    """A parent value against the sum of its children (``kind="children"``) for one month, or an annual
    total cell against the sum of the row's loaded months (``kind="annual"``, ``period`` = 1 January)."""

    table: str
    sheet: str
    path: str
    period: date
    parent: float
    children_sum: float
    difference: float
    ok: bool
    kind: str = "children"
    row: int | None = None  # 1-based row of the parent (or of the annual cell)
    column: str | None = None  # column letter of the month (or of the annual total)

    @property
    def publisher(self) -> bool:
        """A difference SUNAT prints itself: only the grand total may differ from its children."""
        return self.kind == "children" and self.path == "Total"


@dataclass(frozen=True)
class CuadroResult:
    """Canonical ``sunat_cuadros`` rows of one cuadro workbook plus the checks and decisions behind them."""

    table: str
    flow: str
    value_basis: str
    rows: pa.Table
    checks: tuple[SubtotalCheck, ...]
    months: tuple[date, ...]
    sheets: tuple[SheetInfo, ...]
    unit_note: str

    @property
    def failed_checks(self) -> tuple[SubtotalCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)


def _value(node: layout.Node, month: int) -> float:
    """A node's value, or the sum of its children's for a heading."""
    if not node.is_heading:
        return node.values[month] or 0.0
    return sum(_value(child, month) for child in node.children)


def _checks(table: str, sheet: Sheet, scale: float) -> list[SubtotalCheck]:
    checks: list[SubtotalCheck] = []

    def check(node: layout.Node, period: date, a: float, b: float, kind: str, col: int) -> None:
        ok, letter = within(a, b), layout.column_letter(col)
        checks.append(
            SubtotalCheck(table, sheet.name, node.path, period, a, b, a - b, ok, kind, node.row + 1, letter)
        )

    for node in (n for n in sheet.nodes if not n.is_heading):
        for m in sheet.months if node.children else []:
            parent = (node.values[m.month] or 0.0) * scale
            kids = sum(_value(c, m.month) for c in node.children) * scale
            check(node, date(sheet.year, m.month, 1), parent, kids, "children", m.col)
        if node.annual is not None and sheet.header.total_col is not None:
            months_sum = sum(node.values[m.month] or 0.0 for m in sheet.months) * scale
            jan = date(sheet.year, 1, 1)
            check(node, jan, node.annual * scale, months_sum, "annual", sheet.header.total_col)
    return checks


def _refuse_lost_rows(wb: Workbook, result: CuadroResult) -> None:
    """A subtotal below the grand total, or an annual cell, that its rows do not reproduce means a row was
    lost or changed: SUNAT's own differences are only between the grand total and its children."""
    for c in result.failed_checks:
        if c.publisher:
            continue
        what = (
            f"{c.path!r} for {layout.MONTH_NAMES[c.period.month - 1]} {c.period.year}"
            if c.kind == "children"
            else f"the annual Total of {c.path!r}"
        )
        below = "the rows below it sum to" if c.kind == "children" else "its months sum to"
        raise ValidationError(
            f"{what} is {c.parent:,.2f} but {below} {c.children_sum:,.2f} (difference {c.difference:,.2f}): "
            "a row lost or changed? (SUNAT's own differences are only in the grand total)",
            file=wb.file,
            sheet=c.sheet,
            row=c.row,
            column=c.column,
        )


def read_cuadro(
    path: Path,
    *,
    table: str | None = None,
    sheets: Sequence[str] | None = None,
    scale: float | None = None,
) -> CuadroResult:
    """Read a SUNAT cuadro workbook into canonical ``sunat_cuadros`` rows, subtotal checks and decisions.

    The table comes from the title (``Cuadro G 1``); ``table`` names it when the workbook has no title and
    must agree with the title when it has one; ``sheets`` restricts the sheets read (default: all, and every
    one must be a year table); ``scale`` overrides the unit decision (1 = cells are US$). Raises
    :class:`ParseError` naming file, sheet, row and column for anything that does not fit the layout.
    """
    return _tree(parse_workbook(Path(path), table=table, sheets=sheets, scale=scale))


def _tree(wb: Workbook) -> CuadroResult:
    """The ``sunat_cuadros`` rows and subtotal checks of a parsed workbook."""
    checks: list[SubtotalCheck] = []
    columns: dict[str, list[Any]] = {c: [] for c in SUNAT_CUADROS.columns}
    for sheet, info in zip(wb.sheets, wb.infos, strict=True):
        if sheet.total is None:
            raise ParseError(
                "no grand-total row ('Total', 'Total (I+II+III)'): the table cannot be checked",
                file=wb.file,
                sheet=sheet.name,
            )
        checks.extend(_checks(wb.table, sheet, info.scale))
        for node in sheet.nodes:
            if node.is_heading:
                continue
            for m in sheet.months:
                value = node.values[m.month]
                columns["table"].append(wb.table)
                columns["flow"].append(wb.flow)
                columns["path"].append(node.path)
                columns["level"].append(node.level)
                columns["sector"].append(node.path)
                columns["period"].append(date(sheet.year, m.month, 1))
                columns["value_usd"].append((value or 0.0) * info.scale)
                columns["value_basis"].append(wb.value_basis)
                columns["preliminary"].append(info.preliminary or m.marked_preliminary)
                columns["source"].append(wb.path.name)
    rows = SUNAT_CUADROS.conform(pa.table(columns), file=wb.file)
    return CuadroResult(
        wb.table, wb.flow, wb.value_basis, rows, tuple(checks), wb.periods, wb.infos, wb.unit_note
    )


def _read_tree(wb: Workbook) -> ReadResult:
    result = _tree(wb)
    _refuse_lost_rows(wb, result)
    subtotals = [c for c in result.checks if c.kind == "children"]
    differences = [
        {"path": c.path, "period": c.period.isoformat(), "difference_usd": c.difference}
        for c in subtotals
        if not c.ok
    ]
    failed = len(result.failed_checks)
    detail = (
        f"{len(result.checks):,} subtotal checks, {failed} differences reported (see `comercio validate`)"
    )
    return ReadResult(
        parts=(Part("sunat_cuadros", result.table, result.rows),),
        checks=(Check(result.table, failed == 0, detail, hard=False),),
        extra={
            "table": result.table,
            "subtotal_checks": len(subtotals),
            "publisher_differences": differences,
        },
    )


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: one slice per table (G1, F1…; G6 feeds ``sunat_destinations``).

    The publisher's own subtotal differences go into the vintage's provenance, so that `comercio validate`
    can tell a difference of SUNAT's table from a row our load lost or changed. The table is told by the
    workbook's title, so a file named after one table but holding another is refused before anything loads.
    """
    wb = parse_workbook(Path(path))
    if wb.table in destinations.TABLES:
        return destinations.read_result(wb)
    return _read_tree(wb)


def _targets(path: Path) -> tuple[Target, ...] | None:
    # The file name is only a hint for skipping a file already loaded (same bytes as that slice's vintage);
    # the table loaded is always the one the title names.
    table = table_from_name(path)
    if table is None:
        return None
    dataset = destinations.DATASET if table in destinations.TABLES else "sunat_cuadros"
    return ((dataset, table),)


READER = Reader(
    read=read, targets=_targets, files="a SUNAT cuadro workbook (cdro_G1.xlsx, cdro_F1.xlsx, cdro_G6.xlsx…)"
)
