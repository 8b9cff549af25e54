"""Read the user's exporter → department table (``exporter_regions``): a basis for lines without UBIGEO.

SUNAT's weekly microdata carry a producer UBIGEO on less and less of the value (59 % in 2025, 2 % in 2026,
SUNAT_LAYOUTS.md §1). A user who has another basis — each exporter's department in SUNAT's RUC register,
PROMPERÚ Infotrade … — gives it as a CSV (UTF-8)::

    trader_id,department,basis
    20100000001,15,ruc_register

``trader_id`` is the exporter's RUC (11 digits), ``department`` its 2-digit ubigeo (01–25; a leading zero a
spreadsheet dropped is restored), ``basis`` a short lower-case name saying where the department comes from
(``ruc_register``, ``infotrade``); other columns (a name …) are ignored. The whole file is one table: loading
another file replaces it. The gateway then gives an export line without producer UBIGEO (department ``99``,
``region_basis = unattributed``) whose exporter is listed the table's department, with ``region_basis`` = the
table's basis; it never overrides a filled UBIGEO (decision 0017 §6).

What is not such a table is refused with file, row and column: not UTF-8 text, a missing column, a RUC that is
not 11 digits, a department outside 01–25, a basis that is not a short name (or is one of the names the
warehouse uses itself), an exporter listed twice.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.errors import ParseError
from comercio.sources._text import read_text, unique_header
from comercio.sources.protocol import Part, Reader, ReadOptions, ReadResult, fixed
from comercio.warehouse.schema import EXPORTER_REGIONS

COLUMNS = ("trader_id", "department", "basis")
SLICE = "table"
DEPARTMENTS = frozenset(f"{n:02d}" for n in range(1, 26))
RESERVED = frozenset({"producer_ubigeo", "unattributed", "source_table", "synthetic"})
_BASIS = re.compile(r"[a-z][a-z0-9_]{0,31}")
_RUC = re.compile(r"[0-9]{11}")


def read_exporter_regions(path: Path) -> pa.Table:
    """The canonical ``exporter_regions`` rows of one CSV."""
    path = Path(path)
    text = read_text(path, latin1=False)  # an exporter table is written by the user: UTF-8 only
    delimiter = max(",;\t", key=text.split("\n", 1)[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise ParseError("the file is empty: expected a header trader_id,department,basis", file=path.name)
    names = [h.strip().lower() for h in header]
    unique_header(names, path.name)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ParseError(
            f"missing column(s) {', '.join(missing)} (the header must name trader_id, department, basis)",
            file=path.name,
            row=1,
            column=missing[0],
        )
    index = {c: names.index(c) for c in COLUMNS}
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    row = 1
    for cells in reader:
        row = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        record = _record(path.name, row, cells, index)
        first = seen.setdefault(record["trader_id"], row)
        if first != row:
            raise ParseError(
                f"exporter {record['trader_id']} is already listed on row {first}",
                file=path.name,
                row=row,
                column="trader_id",
            )
        records.append(record)
    if not records:
        raise ParseError("no rows below the header", file=path.name, row=2)
    return pa.Table.from_pylist(records, schema=EXPORTER_REGIONS.schema)


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: the file is the whole ``exporter_regions`` table (one slice)."""
    table = read_exporter_regions(path)
    bases = sorted(set(table["basis"].to_pylist()))
    note = f"{Path(path).name}: {table.num_rows:,} exporters, basis {', '.join(bases)}"
    return ReadResult((Part(EXPORTER_REGIONS.name, SLICE, table),), notes=(note,))


READER = Reader(
    read=read,
    targets=fixed((EXPORTER_REGIONS.name, SLICE)),
    files="a CSV trader_id,department,basis (UTF-8)",
)


def _record(file: str, row: int, cells: list[str], index: dict[str, int]) -> dict[str, Any]:
    def cell(column: str) -> str:
        position = index[column]
        return cells[position].strip() if position < len(cells) else ""

    def fail(column: str, reason: str) -> ParseError:
        return ParseError(reason, file=file, row=row, column=column)

    trader = cell("trader_id")
    if not _RUC.fullmatch(trader):
        raise fail("trader_id", f"{trader!r} is not a RUC (11 digits)")
    department = cell("department")
    if department.isdigit() and len(department) == 1:  # a spreadsheet dropped the leading zero
        department = "0" + department
    if department not in DEPARTMENTS:
        raise fail("department", f"{department!r} is not a department ubigeo (01 to 25)")
    basis = cell("basis")
    if not _BASIS.fullmatch(basis):
        raise fail("basis", f"{basis!r} is not a short lower-case name such as ruc_register")
    if basis in RESERVED:
        raise fail("basis", f"{basis!r} is a name comercio uses itself; name your basis (e.g. ruc_register)")
    return {"trader_id": trader, "department": department, "basis": basis, "source": file}


__all__ = ["READER", "read", "read_exporter_regions"]
