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


def load_lines(
    home: Path, lines: list[Line], *, slice_: str = "all", source: str = "hand.csv", first: int = 0
) -> Path:
    """A warehouse in ``home`` holding ``lines`` as customs_lines (the slice ``slice_``, read from
    ``source``; declarations numbered from ``first``)."""
    wh = Warehouse(Settings(home=home))
    prov = Provenance("test", (FileRef(source, "c" * 64),), "test/1")
    rows: list[dict[str, Any]] = [
        {
            "flow": f,
            "date": d,
            "period": d.replace(day=1),
            "declaration": str(first + i),
            "series": 1,
            "customs_office": "118",
            "department": dept,
            "region_basis": basis,
            "partner": "US",
            "product": "0806100000",
            "hs6": "080610",
            "hs_version": "2022",
            "value_usd": v,
            "value_basis": "FOB",
            "file_date": filed,
            "trader_masked": False,
            "synthetic": False,
            "source": source,
        }
        for i, (f, d, filed, dept, basis, v) in enumerate(lines)
    ]
    spec = schema.CUSTOMS_LINES
    table = pa.Table.from_pylist([{c: r.get(c) for c in spec.columns} for r in rows], schema=spec.schema)
    wh.load("customs_lines", slice_, table, prov)
    return home
