"""A SUNAT cuadro workbook as parsed year sheets: which table it is, the year, unit and status of each sheet.

Shared by the two readings of a cuadro: the tree of :mod:`comercio.sources.sunat_cuadros` (G1, F1 …) and the
destinations of :mod:`comercio.sources._cuadro_destinations` (G6). The grid of one sheet is read by
:mod:`comercio.sources._cuadro_layout`.

* **Identity.** The table is what its title says (``Cuadro G 1`` on every sheet), never what the file is
  called: a G1 workbook saved as ``cdro_F1.xlsx`` is refused naming both. A workbook without a title is
  read only when the caller names the table.
* **Years.** A sheet's year comes from its name or title and must lie in ``FIRST_YEAR`` .. this year (SUNAT's
  cuadros start in 2005); no month may lie after the current month.
* **Unit.** See :func:`decide_units`: the header says thousands but the cells are US$.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import python_calamine

from comercio.errors import ParseError
from comercio.sources import _cuadro_layout as layout

PLAUSIBLE_MONTHLY_CEILING_USD = 1e11
CHECK_ABSOLUTE_TOLERANCE_USD = 1.0
CHECK_RELATIVE_TOLERANCE = 1e-6
FIRST_YEAR = 2005  # the first year of SUNAT's monthly cuadros
FLOWS = {"G": "X", "F": "M"}
DEFAULT_BASIS = {"X": "FOB", "M": "CIF"}
_TABLE_IN_NAME = re.compile(r"cdro[_\s-]*([a-z])\s*[_-]?\s*(\d{1,2}[a-z]?)\b", re.IGNORECASE)
_TABLE_IN_TITLE = re.compile(r"\bcuadro\s+(?:n[°º.]?\s*)?([a-z])\s*-?\s*(\d{1,2}[a-z]?)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_SHEET_YEAR = re.compile(r"\s*(\d{4})\D{0,6}")
_SHEET_PRELIMINARY = re.compile(r"(\(p\)|\*|prel)", re.IGNORECASE)
_SCALES = (("millones", 1e6), ("miles", 1e3))


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


@dataclass
class Sheet:
    """One parsed year sheet: its grid's header, body nodes, grand total and loaded months."""

    name: str
    year: int
    header_text: str
    notes: tuple[str, ...]  # text cells below the table
    header: layout.Header
    nodes: list[layout.Node]
    total: layout.Node | None
    months: list[layout.MonthColumn]


@dataclass(frozen=True)
class Workbook:
    """A parsed cuadro: its table (from the title), flow, basis, sheets and the unit decision per sheet."""

    path: Path
    table: str
    flow: str
    value_basis: str
    sheets: tuple[Sheet, ...]
    infos: tuple[SheetInfo, ...]
    unit_note: str

    @property
    def file(self) -> str:
        return str(self.path)

    @property
    def periods(self) -> tuple[date, ...]:
        return tuple(sorted(d for info in self.infos for d in info.months))


def within(parent: float, other: float) -> bool:
    """Whether a published total and a sum agree: within US$ 1 or one part in a million."""
    diff = abs(parent - other)
    return diff <= CHECK_ABSOLUTE_TOLERANCE_USD or diff <= CHECK_RELATIVE_TOLERANCE * abs(parent)


def _open(path: Path) -> python_calamine.CalamineWorkbook:
    """Open a workbook from its bytes (format sniffed from content, not from the extension)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}", file=path) from exc
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
    """``cdro_G1.xlsx`` → ``G1``; ``None`` when the file name does not say (a hint, never the identity)."""
    match = _TABLE_IN_NAME.search(Path(path).name)
    return f"{match.group(1).upper()}{match.group(2).upper()}" if match else None


def table_from_title(text: str) -> str | None:
    """``Cuadro G 1`` (also ``CUADRO N° G-1``) in a sheet's title rows → ``G1``; else ``None``."""
    match = _TABLE_IN_TITLE.search(text)
    return f"{match.group(1).upper()}{match.group(2).upper()}" if match else None


def _title(table: str) -> str:
    return f"Cuadro {table[0]} {table[1:]}"


def _read_sheet(wb: python_calamine.CalamineWorkbook, name: str, *, file: str) -> Sheet:
    try:
        grid: list[list[Any]] = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except python_calamine.CalamineError as exc:
        raise ParseError(f"cannot read the sheet: {exc}", file=file, sheet=name) from exc
    header = layout.find_header(grid, file=file, sheet=name)
    header_text = " ".join(str(c) for row in grid[: header.row] for c in row if isinstance(c, str))
    year = _sheet_year(name, header_text, file=file)
    nodes = layout.read_body(grid, header, file=file, sheet=name)
    last_row = nodes[-1].row
    notes = tuple(c for row in grid[last_row + 1 :] for c in row if isinstance(c, str) and c.strip())
    total = layout.link_tree(nodes, file=file, sheet=name)
    months = layout.loaded_months(nodes, header, file=file, sheet=name)
    today = date.today()
    if year == today.year and months and months[-1].month > today.month:
        raise ParseError(
            f"{layout.MONTH_NAMES[months[-1].month - 1]} {year} has data but has not happened yet",
            file=file,
            sheet=name,
            row=header.row + 1,
            column=layout.column_letter(months[-1].col),
        )
    return Sheet(name, year, header_text, notes, header, nodes, total, months)


def _sheet_year(name: str, header_text: str, *, file: str) -> int:
    in_name = _SHEET_YEAR.fullmatch(name)
    in_title = _YEAR.findall(header_text)
    if in_name and in_title and int(in_title[-1]) != int(in_name.group(1)):
        raise ParseError(
            f"sheet name says {in_name.group(1)} but its title says {in_title[-1]}", file=file, sheet=name
        )
    if in_name:
        year = int(in_name.group(1))
    elif in_title:
        year = int(in_title[-1])
    else:
        raise ParseError(
            "not a year table: neither the sheet name nor its title gives a year", file=file, sheet=name
        )
    last = date.today().year
    if not FIRST_YEAR <= year <= last:
        raise ParseError(
            f"year {year} is outside SUNAT's cuadros ({FIRST_YEAR}..{last})", file=file, sheet=name
        )
    return year


def _identify(sheets: list[Sheet], path: Path, asked: str | None) -> str:
    """The table the sheets' titles name; the file name and ``asked`` must agree with it."""
    file = str(path)
    titled = {s.name: table_from_title(s.header_text) for s in sheets}
    found = sorted({t for t in titled.values() if t})
    if len(found) > 1:
        where = ", ".join(f"sheet {n!r} says {_title(t)!r}" for n, t in titled.items() if t)
        raise ParseError(f"the sheets are titled as different tables ({where})", file=file)
    if not found:
        if asked is None:
            raise ParseError(
                "no 'Cuadro <letter> <number>' title above the month header: cannot tell which table this "
                "is (the file name is not trusted)",
                file=file,
                hint="pass the table explicitly",
            )
        return asked.upper()
    table = found[0]
    untitled = [n for n, t in titled.items() if t is None]
    if untitled:
        raise ParseError(f"no {_title(table)!r} title as on the other sheets", file=file, sheet=untitled[0])
    named = table_from_name(path)
    if named is not None and named != table:
        raise ParseError(
            f"the file name says {named} ({path.name}) but its title says {_title(table)!r}: "
            "a workbook saved under another table's name is refused",
            file=file,
            sheet=sheets[0].name,
        )
    if asked is not None and asked.upper() != table:
        raise ParseError(f"table {asked.upper()} was asked but the title says {_title(table)!r}", file=file)
    return table


def _header_scale(header_text: str) -> tuple[str, float]:
    text = layout.normalize(header_text)
    unit = next((m.group(0) for m in [re.search(r"\((?:miles|millones)?[^()]*us\$[^()]*\)", text)] if m), "")
    for word, scale in _SCALES:
        if word in text:
            return unit or word, scale
    return unit or "US$", 1.0


def _preliminary(sheet: Sheet, *, last_year: int) -> tuple[bool, str]:
    if _SHEET_PRELIMINARY.search(sheet.name):
        return True, f"sheet name {sheet.name!r}"
    for text in (sheet.header_text, *sheet.notes):
        years = {int(y) for y in _YEAR.findall(text)}
        if "preliminar" in layout.normalize(text) and (not years or sheet.year in years):
            return True, "a note or title says the figures are preliminary"
    if sheet.year == last_year and len(sheet.months) < 12:
        return True, f"last year of the workbook, partial ({len(sheet.months)} months)"
    return False, ""


def _decide_units(sheets: list[Sheet], scale: float | None) -> tuple[list[SheetInfo], str]:
    """Per sheet: the scale its cells are multiplied by and its preliminary status.

    The header says ``Miles de US$`` but the cells are US$ (G1 2024 January total is 5 290 227 591.9): take
    the scale the header states unless the largest monthly cell times it would exceed
    ``PLAUSIBLE_MONTHLY_CEILING_USD`` (US$ 100 bn, over ten times Peru's largest month), in which case the
    cells are US$; ``scale`` overrides the decision.
    """
    cells = (n.values[m.month] for s in sheets for n in s.nodes for m in s.months if not n.is_heading)
    largest = max((abs(v or 0.0) for v in cells), default=0.0)
    last_year = max(s.year for s in sheets)
    infos: list[SheetInfo] = []
    notes: set[str] = set()
    for sheet in sheets:
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
        months = tuple(date(sheet.year, m.month, 1) for m in sheet.months)
        infos.append(SheetInfo(sheet.name, sheet.year, months, unit, used, preliminary, reason))
    return infos, "; ".join(sorted(notes))


def parse_workbook(
    path: Path,
    *,
    table: str | None = None,
    sheets: Sequence[str] | None = None,
    scale: float | None = None,
) -> Workbook:
    """Parse every year sheet of a cuadro workbook (or ``sheets``), identify the table by its title."""
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
    seen: dict[int, str] = {}
    for sheet in parsed:
        if sheet.year in seen:
            raise ParseError(
                f"two sheets carry the year {sheet.year} ({seen[sheet.year]!r} and {sheet.name!r})",
                file=file,
                sheet=sheet.name,
            )
        seen[sheet.year] = sheet.name
    found = _identify(parsed, path, table)
    if found[0] not in FLOWS:
        raise ParseError(f"cannot tell the flow of table {found!r} (G… exports or F… imports)", file=file)
    flow = FLOWS[found[0]]
    header_all = layout.normalize(" ".join(s.header_text for s in parsed))
    stated_basis = {b for b in ("FOB", "CIF") if re.search(rf"\b{b.lower()}\b", header_all)}
    basis = stated_basis.pop() if len(stated_basis) == 1 else DEFAULT_BASIS[flow]
    infos, unit_note = _decide_units(parsed, scale)
    return Workbook(path, found, flow, basis, tuple(parsed), tuple(infos), unit_note)
