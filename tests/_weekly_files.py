"""Small weekly export files in SUNAT's naming and DBF layout, written into a mirror folder, for the archive,
fetch and update tests (``comercio.synth._dbfwrite`` writes the DBF; a few lines a week)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from comercio.sources.weekly import file_name, week_of
from comercio.synth._dbfwrite import layout, write_dbf_zip

FIELDS = layout(
    [("CADU", "N", 3, 0), ("FANO", "N", 4, 0), ("NDCL", "N", 8, 0), ("NSER", "N", 4, 0), ("FNUM", "D", 8, 0),
     ("FEMB", "D", 8, 0), ("NDOC", "C", 11, 0), ("UBIGEO", "N", 6, 0), ("PART_NANDI", "N", 10, 0),
     ("CPAIDES", "C", 2, 0), ("VFOBSERDOL", "N", 15, 2), ("SYNTH", "C", 1, 0)]
)  # fmt: skip
MICRODATA = "sunat/microdata"


def write_week(
    mirror: Path, sunday: dt.date, *, lines: int = 3, first_number: int = 1, fob: float = 1000.5
) -> Path:
    """The export file of the week ending ``sunday`` in ``mirror/sunat/microdata``: ``lines`` declarations
    numbered from ``first_number``, each one line of grapes to the US worth ``fob``, numbered on the
    week's Monday."""
    monday, last = week_of(sunday)
    name = file_name("X", monday, last)
    day = (monday - dt.date(1970, 1, 1)).days
    n = lines
    columns = {
        "CADU": np.full(n, 118),
        "FANO": np.full(n, last.year),
        "NDCL": np.arange(first_number, first_number + n),
        "NSER": np.ones(n, dtype=np.int64),
        "FNUM": np.full(n, day),
        "FEMB": np.full(n, day),
        "NDOC": ["20100000001"] * n,
        "UBIGEO": np.full(n, 150101),
        "PART_NANDI": np.full(n, 806100000),
        "CPAIDES": ["US"] * n,
        "VFOBSERDOL": np.full(n, fob),
        "SYNTH": ["S"] * n,
    }
    folder = mirror / MICRODATA
    folder.mkdir(parents=True, exist_ok=True)
    return write_dbf_zip(folder / name, name.replace(".zip", ".dbf"), FIELDS, n, [columns])


SUNDAYS = [dt.date(2025, 3, 2) + dt.timedelta(weeks=i) for i in range(6)]
"""Six consecutive Sundays (2 March … 6 April 2025): x24020325.zip, x03090325.zip, …"""
