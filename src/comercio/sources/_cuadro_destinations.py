"""SUNAT cuadro G 6 (exports by destination country, all products) as ``sunat_destinations`` rows.

G6 has one sheet a year: a ``Total general`` row, then one row per destination with its rank (column C) and
SUNAT's Spanish upper-case name (column D), months found by their header text. Rules:

* **Countries.** Each name maps to ISO 3166 alpha-2 through the table of SUNAT's spellings
  (:mod:`comercio.sources._country_names`); a name it does not know refuses the file, naming file, sheet, row
  and the spelling. Destinations that are not countries (international waters, not declared, Peru's free
  zones) keep a user-assigned code and stay in the data. Two spellings of one country in one sheet (G6 2014
  prints ``FRANCIA`` and ``FRANCE, METROPOLITAN``) are summed into one row and reported.
* **Totals.** ``Total general`` is not stored: for every month it must equal the sum of the countries (hard
  check, US$ 1 or 1e-6 relative), and every annual ``Total`` cell the sum of its row's months.
* **Unit, years, preliminary status** as for every cuadro (:mod:`comercio.sources._cuadro_workbook`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from comercio.errors import ParseError, ValidationError
from comercio.sources._country_names import SPELLINGS_TABLE, country_code
from comercio.sources._cuadro_layout import MONTH_NAMES, Node, column_letter
from comercio.sources._cuadro_workbook import Sheet, SheetInfo, Workbook, parse_workbook, within
from comercio.sources.protocol import Check, Part, ReadResult
from comercio.warehouse.schema import SUNAT_DESTINATIONS

DATASET = SUNAT_DESTINATIONS.name
TABLES = frozenset({"G6"})  # cuadros whose rows are destination countries


@dataclass(frozen=True)
class DestinationsResult:
    """The ``sunat_destinations`` rows of one G6 workbook, what was checked and what was merged."""

    table: str
    rows: pa.Table
    months: tuple[date, ...]
    sheets: tuple[SheetInfo, ...]
    unit_note: str
    total_checks: int  # months and annual cells checked against the countries
    merged: tuple[str, ...]  # "2014: FR = FRANCIA + FRANCE, METROPOLITAN"


def _partner(node: Node, sheet: Sheet, file: str) -> str:
    code = country_code(node.label)
    if code is None:
        raise ParseError(
            f"unknown country spelling {node.label!r}",
            file=file,
            sheet=sheet.name,
            row=node.row + 1,
            column=column_letter(node.col),
            hint=f"add the spelling and its ISO 3166 code to the reference table {SPELLINGS_TABLE}",
        )
    return code


def _check_sheet(sheet: Sheet, countries: list[Node], file: str) -> int:
    """Total general against the countries for every month, annual cells against their months."""
    total = sheet.total
    if total is None:
        raise ParseError(
            "no 'Total general' row: the countries cannot be checked against the table's total",
            file=file,
            sheet=sheet.name,
        )
    checks = 0
    for m in sheet.months:
        published = total.values[m.month] or 0.0
        summed = sum(n.values[m.month] or 0.0 for n in countries)
        if not within(published, summed):
            raise ValidationError(
                f"Total general for {MONTH_NAMES[m.month - 1]} {sheet.year} is {published:,.2f} but the "
                f"{len(countries)} countries sum to {summed:,.2f} (difference {published - summed:,.2f})",
                file=file,
                sheet=sheet.name,
                row=total.row + 1,
                column=column_letter(m.col),
            )
        checks += 1
    for node in (total, *countries):
        if node.annual is None or sheet.header.total_col is None:
            continue
        months_sum = sum(node.values[m.month] or 0.0 for m in sheet.months)
        if not within(node.annual, months_sum):
            raise ValidationError(
                f"the annual Total of {node.label!r} is {node.annual:,.2f} but its months sum to "
                f"{months_sum:,.2f}",
                file=file,
                sheet=sheet.name,
                row=node.row + 1,
                column=column_letter(sheet.header.total_col),
            )
        checks += 1
    return checks


def _countries(sheet: Sheet, file: str) -> list[Node]:
    """The country rows: one level, and when ranks are printed, ranked 1, 2, 3 … down the table."""
    nodes = [n for n in sheet.nodes if n is not sheet.total]
    ranked = any(n.rank is not None for n in nodes)
    for i, node in enumerate(nodes, start=1):
        if node.is_heading or node.children:
            raise ParseError(
                f"{node.label!r} heads other rows: a ranking table has one row per country",
                file=file,
                sheet=sheet.name,
                row=node.row + 1,
                column=column_letter(node.col),
            )
        if ranked and (node.rank is None or node.rank.value != i):
            found = "no rank" if node.rank is None else f"rank {node.rank.value:g}"
            raise ParseError(
                f"{found} for {node.label!r}: expected {i} (ranks run 1, 2, 3 … down the table)",
                file=file,
                sheet=sheet.name,
                row=node.row + 1,
                column=column_letter(node.rank.col if node.rank else max(node.col - 1, 0)),
            )
    return nodes


def destinations(wb: Workbook) -> DestinationsResult:
    """The destination rows of a parsed G6 workbook (checked; the Total general row left out)."""
    file = wb.file
    if wb.table not in TABLES or wb.flow != "X":
        raise ParseError(f"table {wb.table} is not a table of export destinations", file=file)
    values: dict[tuple[date, str], float] = {}
    preliminary: dict[date, bool] = {}
    checks = 0
    merged: list[str] = []
    for sheet, info in zip(wb.sheets, wb.infos, strict=True):
        countries = _countries(sheet, file)
        checks += _check_sheet(sheet, countries, file)
        spelled: dict[str, list[str]] = {}
        for node in countries:
            code = _partner(node, sheet, file)
            spelled.setdefault(code, []).append(node.label)
            for m in sheet.months:
                period = date(sheet.year, m.month, 1)
                key = (period, code)
                values[key] = values.get(key, 0.0) + (node.values[m.month] or 0.0) * info.scale
                preliminary[period] = info.preliminary or m.marked_preliminary
        merged += [f"{sheet.year}: {c} = {' + '.join(n)}" for c, n in spelled.items() if len(n) > 1]
    keys = sorted(values)
    rows = pa.table(
        {
            "flow": [wb.flow] * len(keys),
            "period": [p for p, _ in keys],
            "year": [p.year for p, _ in keys],
            "partner": [c for _, c in keys],
            "value_usd": [values[k] for k in keys],
            "preliminary": [preliminary[p] for p, _ in keys],
            "table": [wb.table] * len(keys),
            "synthetic": [False] * len(keys),
        }
    )
    rows = SUNAT_DESTINATIONS.conform(rows, file=file)
    return DestinationsResult(wb.table, rows, wb.periods, wb.infos, wb.unit_note, checks, tuple(merged))


def read_destinations(
    path: Path, *, sheets: Sequence[str] | None = None, scale: float | None = None
) -> DestinationsResult:
    """Read a G6 workbook into ``sunat_destinations`` rows (see the module's rules)."""
    return destinations(parse_workbook(Path(path), sheets=sheets, scale=scale))


def read_result(wb: Workbook) -> ReadResult:
    """The ingest protocol's result for a parsed destinations workbook: one slice named after the table."""
    result = destinations(wb)
    detail = f"Total general = sum of the countries in {result.total_checks:,} months and annual cells"
    if result.merged:
        detail += f"; spellings summed: {'; '.join(result.merged)}"
    return ReadResult(
        parts=(Part(DATASET, result.table, result.rows),),
        checks=(Check(result.table, True, detail, hard=True),),
        extra={
            "table": result.table,
            "total_checks": result.total_checks,
            "merged_spellings": list(result.merged),
            "unit": result.unit_note,
        },
        notes=tuple(f"{result.table}: spellings summed into one partner: {m}" for m in result.merged),
    )
