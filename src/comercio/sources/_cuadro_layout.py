"""Layout of one SUNAT cuadro sheet: find the month header, walk the body, rebuild the hierarchy.

A cuadro sheet (G-series exports, F-series imports) is a grid: title rows, a header row with the month names
(``Enero`` … ``Diciembre``, then ``Total``), a body in which the *column* a label sits in gives its depth in
the tree, and notes at the bottom (``Nota:``, ``1/ …``, ``Fuente: …``). Ranking tables (G6 by destination
country …) add a rank column before the label; numbers in the label zone are ranks and are ignored.

This module works on the grid only (a list of rows of Python cell values as python-calamine returns them); it
knows nothing about workbooks, units or Arrow. :mod:`comercio.sources.sunat_cuadros` drives it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from comercio.errors import ParseError

MONTHS: dict[str, int] = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "setiembre": 9,
    "septiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
MONTH_NAMES = ("Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Setiembre",
               "Octubre", "Noviembre", "Diciembre")  # fmt: skip
_ABBREVIATIONS = {name[:3]: number for name, number in MONTHS.items()}
# Marks a publisher puts on a month header to flag it as preliminary: ``Abril*``, ``Abril (p)``, ``Abril p/``.
_PRELIMINARY_MARK = re.compile(r"\s*(\*+|\(p\)|p/|\(\*\))$")
_TOTAL_HEADER = re.compile(r"^(total|acumulado)\b")
_GRAND_TOTAL = re.compile(r"^total( general)?\s*(\(.*\))?$")
# Footnote markers at the end of a label: ``Plomo 1/``, ``Estaño  2/``, ``Cobre (1)/``, ``Oro *``.
_FOOTNOTE = re.compile(r"(?:\s*(?:\(?\d{1,2}\)?/|\(\*+\)|\*+))+\s*$")
# First cell of a note row below the table.
_FOOTER = re.compile(r"^(nota|notas|fuente|elaboraci|\(?\d{1,2}\)?/|\*|-(\s|$)|\(\*\))")
_RANK = re.compile(r"^\d{1,3}\s*[.°º]?$")
# No cell of a cuadro can reach US$ 1e12 (Peru's yearly exports are under US$ 0.1e12).
CELL_CEILING = 1e12


def normalize(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for matching headers and notes."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def clean_label(text: str) -> str:
    """The publisher's label without footnote markers and with whitespace runs collapsed to one space."""
    return _FOOTNOTE.sub("", " ".join(text.split()))


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_month(cell: Any) -> tuple[int, bool] | None:
    """``(month, preliminary_mark)`` if ``cell`` is a Spanish month header, else ``None``."""
    if not isinstance(cell, str):
        return None
    text = normalize(cell)
    marked = bool(_PRELIMINARY_MARK.search(text))
    text = _FOOTNOTE.sub("", _PRELIMINARY_MARK.sub("", text)).rstrip(".")
    if text in MONTHS:
        return MONTHS[text], marked
    if len(text) == 3 and text in _ABBREVIATIONS:
        return _ABBREVIATIONS[text], marked
    return None


def _text(cell: Any) -> str:
    return cell.strip() if isinstance(cell, str) else ""


@dataclass(frozen=True)
class MonthColumn:
    """A month column of the header: its 0-based column index, month number and preliminary mark."""

    col: int
    month: int
    marked_preliminary: bool


@dataclass(frozen=True)
class Header:
    """The header row (0-based index), its month columns in order and the annual total column if any."""

    row: int
    months: tuple[MonthColumn, ...]
    total_col: int | None

    @property
    def first_value_col(self) -> int:
        return self.months[0].col


@dataclass(frozen=True)
class Rank:
    """The rank a ranking table prints before a label: its 0-based column and value."""

    col: int
    value: float


@dataclass
class Node:
    """One labelled body row; ``values`` maps month → cell (``None`` if empty); a heading has no values."""

    label: str
    row: int  # 0-based
    col: int  # column of the label: its depth in the tree
    values: dict[int, float | None]
    annual: float | None
    rank: Rank | None = None
    is_total: bool = False
    path: str = ""
    level: int = 0
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)

    @property
    def is_heading(self) -> bool:
        return all(v is None for v in self.values.values()) and self.annual is None


def find_header(grid: list[list[Any]], *, file: str, sheet: str) -> Header:
    """Locate the month header row and check the months are complete and in order."""
    for r, row in enumerate(grid):
        cols = [c for c, cell in enumerate(row) if parse_month(cell) is not None]
        if cols:
            return _read_header(r, row, cols[0], file=file, sheet=sheet)
    raise ParseError(
        "no month header (Enero … Diciembre) found: not a cuadro year table, or its header was renamed",
        file=file,
        sheet=sheet,
    )


def _read_header(r: int, row: list[Any], first: int, *, file: str, sheet: str) -> Header:
    months: list[MonthColumn] = []
    total_col: int | None = None
    pending: list[int] = []  # blank or unknown header cells after the last month seen
    for c in range(first, len(row)):
        cell = row[c]
        parsed = parse_month(cell)
        if parsed is None:
            if _TOTAL_HEADER.match(normalize(_text(cell))):
                total_col = c
                break
            pending.append(c)
            continue
        month, marked = parsed
        expected = months[-1].month + 1 if months else 1
        if month != expected or pending:
            where = pending[0] if pending else c
            found = _text(row[where]) or "an empty cell"
            raise ParseError(
                f"missing month column: expected {MONTH_NAMES[expected - 1]!r} in the header, "
                f"found {found!r}",
                file=file,
                sheet=sheet,
                row=r + 1,
                column=column_letter(where),
            )
        months.append(MonthColumn(c, month, marked))
    return Header(r, tuple(months), total_col)


def _number(cell: Any, *, r: int, c: int, file: str, sheet: str) -> float | None:
    """A value cell as a float: empty is None; text, NaN/infinite, negative or absurd values are refused."""
    if cell == "" or cell is None:
        return None
    reason = None
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        reason = f"text {cell!r} in a number cell"
    elif not math.isfinite(cell):
        reason = f"{cell!r} in a number cell (not a finite number)"
    elif cell < 0:
        reason = f"negative value {cell!r}: trade values cannot be negative"
    elif cell >= CELL_CEILING:
        reason = f"value {cell:.6g} is not plausible for one cell (US$ {CELL_CEILING:,.0f} or more)"
    if reason is not None:
        raise ParseError(reason, file=file, sheet=sheet, row=r + 1, column=column_letter(c))
    return float(cell)


def _label_cells(row: list[Any], stop: int) -> tuple[int | None, str, Rank | None]:
    """First label column, the label (text cells of the label zone joined) and the rank cell, if any."""
    first: int | None = None
    parts: list[str] = []
    rank: Rank | None = None
    for c in range(min(stop, len(row))):
        cell = row[c]
        if isinstance(cell, bool) or cell == "" or cell is None:
            continue
        if isinstance(cell, int | float):
            if float(cell).is_integer() and abs(cell) < 1000:
                rank = Rank(c, float(cell))
                continue
            cell = str(int(cell)) if float(cell).is_integer() else str(cell)
        text = str(cell).strip()
        if text and _RANK.match(text):
            rank = Rank(c, float(text.rstrip(".°º ")))
            continue
        if not text:
            continue
        first = c if first is None else first
        parts.append(text)
    return first, " ".join(parts), rank


def read_body(grid: list[list[Any]], header: Header, *, file: str, sheet: str) -> list[Node]:
    """Body rows from below the header to the first note row, as nodes (hierarchy not yet linked)."""
    value_cols = [m.col for m in header.months] + ([header.total_col] if header.total_col is not None else [])
    nodes: list[Node] = []
    for r in range(header.row + 1, len(grid)):
        row = grid[r]
        raw = [row[c] if c < len(row) else "" for c in value_cols]
        has_number = any(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)
        has_text = any(isinstance(v, str) and v.strip() for v in raw)
        col, label, rank = _label_cells(row, header.first_value_col)
        first_cell = next((_text(x) or str(x) for x in row if x not in ("", None)), "")
        if nodes and not has_number and (_FOOTER.match(normalize(first_cell)) or (col is None and has_text)):
            break  # notes below the table (a note, or text without a label under the month columns)
        if col is None:
            if has_number:
                raise ParseError(
                    "numbers in a row without a label",
                    file=file,
                    sheet=sheet,
                    row=r + 1,
                    column=column_letter(header.first_value_col),
                )
            continue  # blank row, or a second header row without labels
        if not nodes and not has_number and not has_text and _FOOTER.match(normalize(first_cell)):
            continue
        values = {
            m.col: _number(row[m.col] if m.col < len(row) else "", r=r, c=m.col, file=file, sheet=sheet)
            for m in header.months
        }
        annual = None
        if header.total_col is not None:
            cell = row[header.total_col] if header.total_col < len(row) else ""
            annual = _number(cell, r=r, c=header.total_col, file=file, sheet=sheet)
        by_month = {m.month: values[m.col] for m in header.months}
        nodes.append(Node(clean_label(label), r, col, by_month, annual, rank=rank))
    # A heading with nothing under it at the end is a stray note, not part of the tree.
    while nodes and nodes[-1].is_heading:
        nodes.pop()
    if not any(not n.is_heading for n in nodes):
        raise ParseError("no data rows below the month header", file=file, sheet=sheet, row=header.row + 1)
    return nodes


def link_tree(nodes: list[Node], *, file: str, sheet: str) -> Node | None:
    """Give every node its parent, level and path from the label columns; return the grand total if any.

    The grand total is the first (or, in ranking tables, the last) row labelled ``Total``,
    ``Total (I+II+III)`` or ``Total general``; its path is ``Total`` and its level 0. It often sits in the
    same column as the top-level groups, so the depth of the other rows is the rank of their label column
    among the columns in use, plus one.
    """
    total: Node | None = None
    for candidate in (nodes[0], nodes[-1]):
        if _GRAND_TOTAL.match(normalize(candidate.label)) and not candidate.is_heading:
            total = candidate
            break
    if total is not None:
        total.is_total, total.path, total.level = True, "Total", 0
    columns = sorted({n.col for n in nodes if n is not total})
    depth = {c: i + 1 for i, c in enumerate(columns)}
    stack: list[Node] = []
    seen: dict[str, Node] = {}
    for node in nodes:
        if node is total:
            continue
        while stack and stack[-1].col >= node.col:
            stack.pop()
        node.parent = stack[-1] if stack else total
        node.level = depth[node.col]
        node.path = f"{node.parent.path} > {node.label}" if stack and node.parent else node.label
        if node.parent is not None:
            node.parent.children.append(node)
        if node.path in seen:
            raise ParseError(
                f"label path {node.path!r} repeats the one in row {seen[node.path].row + 1}",
                file=file,
                sheet=sheet,
                row=node.row + 1,
                column=column_letter(node.col),
            )
        seen[node.path] = node
        stack.append(node)
    return total


def loaded_months(nodes: list[Node], header: Header, *, file: str, sheet: str) -> list[MonthColumn]:
    """Month columns that carry data; trailing empty ones (the future of a partial year) are dropped.

    SUNAT writes zeros explicitly (``0.0`` cells in G1 2005 *Gas Natural*), so an empty cell in a month that
    has data is an error, and so is an empty month column followed by months with data.
    """
    data = [n for n in nodes if not n.is_heading]

    def empty(m: MonthColumn) -> bool:
        return all(not n.values[m.month] for n in data)  # blank or zero everywhere

    months = list(header.months)
    while months and empty(months[-1]):
        months.pop()
    for m in months:
        for n in data:
            if n.values[m.month] is None:
                raise ParseError(
                    f"empty cell for {MONTH_NAMES[m.month - 1]} in a row that has other values "
                    "(SUNAT writes zeros explicitly)",
                    file=file,
                    sheet=sheet,
                    row=n.row + 1,
                    column=column_letter(m.col),
                )
    return months
