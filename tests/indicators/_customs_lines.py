"""Hand-made customs lines for the maturity and coverage tests: a warehouse of a few rows, any engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.config import Settings
from comercio.warehouse import FileRef, Provenance, Warehouse, schema

# flow, date, file_date (None: a monthly extract), department, region_basis, value
Line = tuple[str, date, date | None, str, str, float]


BASE: dict[str, Any] = {
    "series": 1,
    "customs_office": "118",
    "partner": "US",
    "product": "0806100000",
    "hs6": "080610",
    "hs_version": "2022",
    "value_basis": "FOB",
    "trader_masked": False,
    "synthetic": False,
}
"""What every hand-made line shares unless a test gives it (one table grape line to the United States)."""


def line_table(lines: list[dict[str, Any]]) -> pa.Table:
    """A ``customs_lines`` table of ``lines`` (each: :data:`BASE` with its own fields; ``period`` from
    ``date``), in the dataset's columns and types; columns no line gives are null."""
    spec = schema.CUSTOMS_LINES
    rows = [BASE | {"period": line["date"].replace(day=1)} | line for line in lines]
    return pa.Table.from_pylist([{c: r.get(c) for c in spec.columns} for r in rows], schema=spec.schema)


def load_lines(
    home: Path, lines: list[Line], *, slice_: str = "all", source: str = "hand.csv", first: int = 0
) -> Path:
    """A warehouse in ``home`` holding ``lines`` as customs_lines (the slice ``slice_``, read from
    ``source``; declarations numbered from ``first``)."""
    wh = Warehouse(Settings(home=home))
    prov = Provenance("test", (FileRef(source, "c" * 64),), "test/1")
    table = line_table(
        [
            {"flow": f, "date": d, "declaration": str(first + i), "department": dept, "region_basis": basis,
             "value_usd": v, "file_date": filed, "source": source}
            for i, (f, d, filed, dept, basis, v) in enumerate(lines)
        ]
    )  # fmt: skip
    wh.load("customs_lines", slice_, table, prov)
    return home
