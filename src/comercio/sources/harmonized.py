"""Harmonized System 2022 nomenclature CSV (datasets/harmonized-system) → the ``ref_hs2022`` table.

Every column is kept as text, as published (codes keep their leading zeros).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from comercio.errors import ParseError
from comercio.sources.protocol import Part, Reader, ReadOptions, ReadResult, fixed

DATASET = "ref_hs2022"
SLICE = "hs2022"


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The nomenclature as one text table (not conformed: a reference table keeps its own columns)."""
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    except (OSError, pa.ArrowInvalid) as exc:
        raise ParseError(f"not a readable CSV ({exc})", file=path) from exc
    table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
    return ReadResult((Part(DATASET, SLICE, table, conform=False),))


READER = Reader(read=read, targets=fixed((DATASET, SLICE)), files="the HS 2022 nomenclature CSV")
