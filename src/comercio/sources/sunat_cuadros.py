"""Read SUNAT's monthly statistical tables (cuadros): G-series exports, F-series imports, ranking tables too.

One reader for the whole family, no code per file. A cuadro workbook has one sheet a year; each sheet has
title rows (``Cuadro G 1``, ``EXPORTACIÓN DEFINITIVA SEGÚN SECTOR ECONÓMICO, 2024``, ``(Miles de US$ FOB)``),
a header row with the months and an annual ``Total`` column, a body whose hierarchy is given by the column a
label sits in, and notes below. The layout rules live in :mod:`comercio.sources._cuadro_layout`.

Rules, decided from the real G1 and F1 files (2005-2025) and written down here so they can be challenged:

* **Unit.** The header says ``Miles de US$`` but the cells are US$ (G1 2024 January total is 5 290 227 591.9,
  i.e. US$ 5.3 bn; read as thousands it would be US$ 5.3 trillion in one month). Rule: take the scale the
  header states (Miles = 1 000, Millones = 1 000 000, else 1); if the largest monthly cell in the workbook
  times that scale exceeds ``PLAUSIBLE_MONTHLY_CEILING_USD`` (US$ 100 bn, over ten times Peru's largest
  month of trade), the header is wrong and the cells are taken as US$. The decision is recorded per sheet in
  :class:`SheetInfo` (``scale``) and summarised in ``CuadroResult.unit_note``; ``scale=`` overrides it.
* **Basis.** FOB for G tables, CIF for F tables, unless the title rows name FOB or CIF.
* **Preliminary.** A sheet is preliminary when a note or title says so (``preliminar``, G1 2024 and 2025;
  a note naming only other years does not count) or its name does (``2025 (p)``, ``2025*``); a month is
  preliminary when its header is marked (``Abril*``, ``Abril (p)``); the last year of the workbook is
  preliminary when it is partial (fewer than 12 months).
* **Partial year.** Trailing month columns that are empty (or zero) in every row are the future: no rows.
* **Empty cells.** SUNAT writes zeros explicitly, so an empty cell in a month with data is a ``ParseError``,
  as is text in a number cell. Rows whose month cells are all empty are headings: they give their label to
  the paths below them but produce no rows.
* **Totals.** The grand-total row (``Total``, ``Total (I+II+III)``) gets path ``Total`` and level 0. Annual
  total columns are never rows: they are checked against the sum of the loaded months.
* **Labels.** Footnote markers (``Plomo 1/``) removed, whitespace runs collapsed, spelling kept: G1 2005
  ``Metal-Mecánica`` and G1 2024 ``Metal-mecanico`` are different paths (a reference table maps them).
* **Checks.** For every parent and month, parent vs sum of children; tolerance 1 US$ or 1e-6 relative.
  Failures are reported, never corrected: SUNAT's own G1 ``Total (I+II+III)`` exceeds I+II+III in 2015,
  2016 and January and April 2017 (by US$ 0.04 M to 60 M a month).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import python_calamine

from comercio.errors import ParseError
from comercio.sources import _cuadro_layout as layout
from comercio.sources.protocol import Check, Part, Reader, ReadOptions, ReadResult, Target
from comercio.warehouse.schema import SUNAT_CUADROS

PLAUSIBLE_MONTHLY_CEILING_USD = 1e11
CHECK_ABSOLUTE_TOLERANCE_USD = 1.0
CHECK_RELATIVE_TOLERANCE = 1e-6
FLOWS = {"G": "X", "F": "M"}
DEFAULT_BASIS = {"X": "FOB", "M": "CIF"}
_TABLE_IN_NAME = re.compile(r"cdro[_\s-]*([a-z])\s*[_-]?\s*(\d{1,2}[a-z]?)\b", re.IGNORECASE)
_TABLE_IN_TITLE = re.compile(r"\bcuadro\s+([a-z])\s*-?\s*(\d{1,2}[a-z]?)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_SHEET_PRELIMINARY = re.compile(r"(\(p\)|\*|prel)", re.IGNORECASE)
_SCALES = (("millones", 1e6), ("miles", 1e3))


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


@dataclass(frozen=True)
class SheetInfo:
    """What was decided for one sheet: year, months loaded, unit and preliminary status, and why."""

    sheet: str
    year: int
    months: tuple[date, ...]
    header_unit: str
    scale: float
    preliminary: bool
    preliminary_reason: str


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


@dataclass
class _Sheet:
    name: str
    year: int
    header_text: str
    notes: tuple[str, ...]  # text cells below the table
    header: layout.Header
    nodes: list[layout.Node]
    total: layout.Node | None
    months: list[layout.MonthColumn]


def _open(path: Path) -> python_calamine.CalamineWorkbook:
    """Open a workbook from its bytes (format sniffed from content, not from the extension)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc}", file=path) from exc
    if not data:
        raise ParseError("empty file (0 bytes), expected an Excel workbook", file=path)
    if not data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        first = data[:80].decode("latin-1").splitlines()[0] if data[:80].strip() else repr(data[:16])
        raise ParseError(
            f"not an Excel workbook: the file starts with {first!r} (a CSV or text file?)", file=path
        )
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.CalamineError as exc:
        raise ParseError(f"truncated or corrupt workbook: {exc}", file=path) from exc


def iter_sheets(path: Path) -> list[str]:
    """Names of the sheets of a cuadro workbook, in the publisher's order."""
    return list(_open(Path(path)).sheet_names)


def table_from_name(path: Path) -> str | None:
    """``cdro_G1.xlsx`` → ``G1``; ``None`` when the file name does not say."""
    match = _TABLE_IN_NAME.search(Path(path).name)
    return f"{match.group(1).upper()}{match.group(2).upper()}" if match else None


def _read_sheet(wb: python_calamine.CalamineWorkbook, name: str, *, file: str) -> _Sheet:
    try:
        grid: list[list[Any]] = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except python_calamine.CalamineError as exc:
        raise ParseError(f"cannot read the sheet: {exc}", file=file, sheet=name) from exc
    header = layout.find_header(grid, file=file, sheet=name)
    header_text = " ".join(str(c) for row in grid[: header.row] for c in row if isinstance(c, str))
    nodes = layout.read_body(grid, header, file=file, sheet=name)
    last_row = nodes[-1].row
    notes = tuple(c for row in grid[last_row + 1 :] for c in row if isinstance(c, str) and c.strip())
    year = _sheet_year(name, header_text, file=file)
    total = layout.link_tree(nodes, file=file, sheet=name)
    months = layout.loaded_months(nodes, header, file=file, sheet=name)
    return _Sheet(name, year, header_text, notes, header, nodes, total, months)


def _sheet_year(name: str, header_text: str, *, file: str) -> int:
    in_name = re.fullmatch(r"\s*(\d{4})\D{0,6}", name)
    in_title = _YEAR.findall(header_text)
    if in_name and in_title and int(in_title[-1]) != int(in_name.group(1)):
        raise ParseError(
            f"sheet name says {in_name.group(1)} but its title says {in_title[-1]}", file=file, sheet=name
        )
    if in_name:
        return int(in_name.group(1))
    if in_title:
        return int(in_title[-1])
    raise ParseError(
        "not a year table: neither the sheet name nor its title gives a year", file=file, sheet=name
    )


def _header_scale(header_text: str) -> tuple[str, float]:
    text = layout.normalize(header_text)
    unit = next((m.group(0) for m in [re.search(r"\((?:miles|millones)?[^()]*us\$[^()]*\)", text)] if m), "")
    for word, scale in _SCALES:
        if word in text:
            return unit or word, scale
    return unit or "US$", 1.0


def _preliminary(sheet: _Sheet, *, last_year: int) -> tuple[bool, str]:
    if _SHEET_PRELIMINARY.search(sheet.name):
        return True, f"sheet name {sheet.name!r}"
    for text in (sheet.header_text, *sheet.notes):
        years = {int(y) for y in _YEAR.findall(text)}
        if "preliminar" in layout.normalize(text) and (not years or sheet.year in years):
            return True, "a note or title says the figures are preliminary"
    if sheet.year == last_year and len(sheet.months) < 12:
        return True, f"last year of the workbook, partial ({len(sheet.months)} months)"
    return False, ""


def _value(node: layout.Node, month: int) -> float:
    """A node's value, or the sum of its children's for a heading."""
    if not node.is_heading:
        return node.values[month] or 0.0
    return sum(_value(child, month) for child in node.children)


def _dates(sheet: _Sheet) -> tuple[date, ...]:
    return tuple(date(sheet.year, m.month, 1) for m in sheet.months)


def _within(parent: float, other: float) -> bool:
    diff = abs(parent - other)
    return diff <= CHECK_ABSOLUTE_TOLERANCE_USD or diff <= CHECK_RELATIVE_TOLERANCE * abs(parent)


def _check(table: str, sheet: str, path: str, period: date, a: float, b: float, kind: str) -> SubtotalCheck:
    return SubtotalCheck(table, sheet, path, period, a, b, a - b, _within(a, b), kind)


def _checks(table: str, sheet: _Sheet, scale: float) -> list[SubtotalCheck]:
    checks: list[SubtotalCheck] = []
    for node in (n for n in sheet.nodes if not n.is_heading):
        for m in sheet.months if node.children else []:
            parent = (node.values[m.month] or 0.0) * scale
            kids = sum(_value(c, m.month) for c in node.children) * scale
            period = date(sheet.year, m.month, 1)
            checks.append(_check(table, sheet.name, node.path, period, parent, kids, "children"))
        if node.annual is not None:
            months_sum = sum(node.values[m.month] or 0.0 for m in sheet.months) * scale
            jan = date(sheet.year, 1, 1)
            checks.append(
                _check(table, sheet.name, node.path, jan, node.annual * scale, months_sum, "annual")
            )
    return checks


def read_cuadro(
    path: Path,
    *,
    table: str | None = None,
    sheets: Sequence[str] | None = None,
    scale: float | None = None,
) -> CuadroResult:
    """Read a SUNAT cuadro workbook into canonical ``sunat_cuadros`` rows, subtotal checks and decisions.

    ``table`` defaults from the file name (``cdro_G1.xlsx`` → ``G1``) or the title (``Cuadro G 1``);
    ``sheets`` restricts the sheets read (default: all, and every one must be a year table); ``scale``
    overrides the unit decision (1 = cells are US$). Raises :class:`ParseError` naming file, sheet, row and
    column for anything that does not fit the layout.
    """
    path = Path(path)
    file = str(path)
    wb = _open(path)
    names = list(wb.sheet_names) if sheets is None else list(sheets)
    missing = [n for n in names if n not in wb.sheet_names]
    if missing:
        raise ParseError(f"no sheet named {missing[0]!r} (sheets: {wb.sheet_names})", file=file)
    if not names:
        raise ParseError("the workbook has no sheets", file=file)
    parsed = [_read_sheet(wb, name, file=file) for name in names]

    table = table or table_from_name(path)
    if table is None:
        found = _TABLE_IN_TITLE.search(parsed[0].header_text)
        table = f"{found.group(1).upper()}{found.group(2).upper()}" if found else None
    if table is None or table[0].upper() not in FLOWS:
        raise ParseError(f"cannot tell the table (G… or F…) from {table!r}; pass table=", file=file)
    table = table.upper()
    flow = FLOWS[table[0]]
    header_all = layout.normalize(" ".join(s.header_text for s in parsed))
    stated_basis = {b for b in ("FOB", "CIF") if re.search(rf"\b{b.lower()}\b", header_all)}
    basis = stated_basis.pop() if len(stated_basis) == 1 else DEFAULT_BASIS[flow]

    cells = (n.values[m.month] for s in parsed for n in s.nodes for m in s.months if not n.is_heading)
    largest = max((abs(v or 0.0) for v in cells), default=0.0)
    last_year = max(s.year for s in parsed)
    infos: list[SheetInfo] = []
    checks: list[SubtotalCheck] = []
    columns: dict[str, list[Any]] = {c: [] for c in SUNAT_CUADROS.columns}
    notes: set[str] = set()
    for sheet in parsed:
        unit, stated = _header_scale(sheet.header_text)
        if scale is not None:
            used, note = scale, f"scale {scale:g} given by the caller"
        elif largest * stated > PLAUSIBLE_MONTHLY_CEILING_USD:
            used = 1.0
            note = (
                f"header says {unit!r} but the largest monthly cell ({largest:,.0f}) would mean more than "
                f"US$ {PLAUSIBLE_MONTHLY_CEILING_USD:,.0f} a month: cells taken as US$ (scale 1)"
            )
        else:
            used, note = stated, f"header says {unit!r}: cells multiplied by {stated:g}"
        notes.add(note)
        preliminary, reason = _preliminary(sheet, last_year=last_year)
        infos.append(SheetInfo(sheet.name, sheet.year, _dates(sheet), unit, used, preliminary, reason))
        checks.extend(_checks(table, sheet, used))
        for node in sheet.nodes:
            if node.is_heading:
                continue
            for m in sheet.months:
                value = node.values[m.month]
                columns["table"].append(table)
                columns["flow"].append(flow)
                columns["path"].append(node.path)
                columns["level"].append(node.level)
                columns["sector"].append(node.path)
                columns["period"].append(date(sheet.year, m.month, 1))
                columns["value_usd"].append((value or 0.0) * used)
                columns["value_basis"].append(basis)
                columns["preliminary"].append(preliminary or m.marked_preliminary)
                columns["source"].append(path.name)
    periods = sorted({d for info in infos for d in info.months})
    if len(periods) != sum(len(i.months) for i in infos):
        raise ParseError("two sheets carry the same year", file=file)
    rows = SUNAT_CUADROS.conform(pa.table(columns), file=file)
    return CuadroResult(
        table, flow, basis, rows, tuple(checks), tuple(periods), tuple(infos), "; ".join(sorted(notes))
    )


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: one slice per table (G1, F1…).

    The publisher's own subtotal differences go into the vintage's provenance, so that `comercio validate`
    can tell a difference of SUNAT's table from a row our load lost or changed.
    """
    result = read_cuadro(path)
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


def _targets(path: Path) -> tuple[Target, ...] | None:
    # When the file name does not tell the table, its title does: only reading knows the slice.
    table = table_from_name(path)
    return None if table is None else (("sunat_cuadros", table),)


READER = Reader(read=read, targets=_targets, files="a SUNAT cuadro workbook (cdro_G1.xlsx, cdro_F1.xlsx…)")
