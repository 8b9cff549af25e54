"""Harmonized System 2022 nomenclature CSV (datasets/harmonized-system) → the ``ref_hs2022`` table.

Every column is kept as text, as published (codes keep their leading zeros). A reference table is validated
like data before it replaces the current one: the columns ``section, hscode, description, parent, level``,
each code once, a code of 2, 4 or 6 digits matching its level, its parent the code's chapter or heading in
the table (the root row ``TOTAL`` for chapters), and at least :data:`MIN_ROWS` rows (the 2022 edition has
6 939: 97 chapters, 1 229 headings, 5 613 subheadings). An empty file, another table or a cut one is
refused, naming the row and the column.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from comercio.errors import ParseError
from comercio.sources._text import read_text, unique_header
from comercio.sources.protocol import Part, Reader, ReadOptions, ReadResult, fixed

DATASET = "ref_hs2022"
SLICE = "hs2022"
COLUMNS = ("section", "hscode", "description", "parent", "level")
MIN_ROWS = 6000
LEVELS = {"2": 2, "4": 4, "6": 6}
ROOT = "TOTAL"  # the row of all commodities, parent of the chapters


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The nomenclature as one text table (not conformed: a reference table keeps its own columns)."""
    path = Path(path)
    text = read_text(path)
    if not text.strip():
        raise ParseError("empty file", file=path.name)
    header = next(iter(text.splitlines()), "")
    names = [n.strip().strip('"') for n in header.split(",")]
    unique_header(names, path.name)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ParseError(
            f"not the HS nomenclature: missing column(s) {', '.join(missing)} (header: {header[:120]})",
            file=path.name,
            row=1,
            column=missing[0],
        )
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False, column_types={n: pa.string() for n in names}
            ),
        )
    except (OSError, pa.ArrowInvalid) as exc:
        raise ParseError(f"not a readable CSV ({exc})", file=path.name) from None
    table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
    check_nomenclature(table, path.name)
    return ReadResult((Part(DATASET, SLICE, table, conform=False),))


def check_nomenclature(table: pa.Table, file: str) -> None:
    """Refuse a table that is not a whole, coherent HS nomenclature (row numbers count the header as 1)."""
    if table.num_rows < MIN_ROWS:
        raise ParseError(
            f"only {table.num_rows} rows; the HS 2022 nomenclature has about 6 939 (at least {MIN_ROWS:,})",
            file=file,
            hint="the file may be cut short or another table",
        )
    codes = table.column("hscode").to_pylist()
    levels = table.column("level").to_pylist()
    parents = table.column("parent").to_pylist()
    seen: dict[str, int] = {}
    for row, (code, level) in enumerate(zip(codes, levels, strict=True), start=2):
        code = code.strip()
        if code == ROOT:
            continue
        if not code.isdigit() or LEVELS.get(level.strip()) != len(code):
            raise ParseError(
                f"code {code!r} is not a {level.strip() or '?'}-digit HS code of its level",
                file=file,
                row=row,
                column="hscode",
            )
        if code in seen:
            raise ParseError(f"code {code} repeats row {seen[code]}", file=file, row=row, column="hscode")
        seen[code] = row
    for row, (code, parent) in enumerate(zip(codes, parents, strict=True), start=2):
        code, parent = code.strip(), parent.strip()
        if code == ROOT:
            continue
        expected = ROOT if len(code) <= 2 else code[:-2]
        if parent != expected or (expected != ROOT and expected not in seen):
            raise ParseError(
                f"parent {parent!r} of code {code} is not its chapter or heading in the table",
                file=file,
                row=row,
                column="parent",
            )


READER = Reader(read=read, targets=fixed((DATASET, SLICE)), files="the HS 2022 nomenclature CSV")
