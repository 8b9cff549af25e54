"""A small weekly export file in SUNAT's naming and a 12-field DBF layout (the fields the reader needs):
one line per declaration, every line a shipment of grapes (0806.10) from Lima to the United States. Tests
and the append benchmark write such files; :mod:`comercio.synth.weekly` writes the full calibrated twin."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from comercio.sources.weekly import file_name
from comercio.synth._dbfwrite import layout, write_dbf_zip

FIELDS = layout(
    [("CADU", "N", 3, 0), ("FANO", "N", 4, 0), ("NDCL", "N", 8, 0), ("NSER", "N", 4, 0), ("FNUM", "D", 8, 0),
     ("FEMB", "D", 8, 0), ("NDOC", "C", 11, 0), ("UBIGEO", "N", 6, 0), ("PART_NANDI", "N", 10, 0),
     ("CPAIDES", "C", 2, 0), ("VFOBSERDOL", "N", 15, 2), ("SYNTH", "C", 1, 0)]
)  # fmt: skip


def _column(value: Any, n: int, dtype: Any) -> np.ndarray:
    return np.full(n, value, dtype) if np.ndim(value) == 0 else np.asarray(value, dtype)


def write_export_week(
    folder: Path,
    monday: dt.date,
    sunday: dt.date,
    numbers: np.ndarray,
    *,
    office: Any = 118,
    fob: Any = 1000.5,
) -> Path:
    """The export zip of the week ``monday``–``sunday`` in ``folder``: one line per declaration number of
    ``numbers`` (year of ``sunday``, dated ``monday``), at customs ``office`` worth ``fob`` US$ (each a value
    or one per line)."""
    n = len(numbers)
    day = (monday - dt.date(1970, 1, 1)).days
    columns = {
        "CADU": _column(office, n, np.int64),
        "FANO": np.full(n, sunday.year),
        "NDCL": np.asarray(numbers),
        "NSER": np.ones(n, dtype=np.int64),
        "FNUM": np.full(n, day),
        "FEMB": np.full(n, day),
        "NDOC": ["20100000001"] * n,
        "UBIGEO": np.full(n, 150101),
        "PART_NANDI": np.full(n, 806100000),
        "CPAIDES": ["US"] * n,
        "VFOBSERDOL": _column(fob, n, np.float64),
        "SYNTH": ["S"] * n,
    }
    name = file_name("X", monday, sunday)
    folder.mkdir(parents=True, exist_ok=True)
    return write_dbf_zip(folder / name, name.replace(".zip", ".dbf"), FIELDS, n, [columns])
