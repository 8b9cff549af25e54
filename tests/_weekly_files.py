"""Small weekly export files in SUNAT's naming and DBF layout, written into a mirror folder, for the archive,
fetch and update tests (:mod:`comercio.synth.small_week` writes them; a few lines a week)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from comercio.sources.weekly import week_of
from comercio.synth.small_week import write_export_week

MICRODATA = "sunat/microdata"


def write_week(
    mirror: Path, sunday: dt.date, *, lines: int = 3, first_number: int = 1, fob: float = 1000.5
) -> Path:
    """The export file of the week ending ``sunday`` in ``mirror/sunat/microdata``: ``lines`` declarations
    numbered from ``first_number``, each one line of grapes to the US worth ``fob``, numbered on the
    week's Monday."""
    monday, last = week_of(sunday)
    numbers = np.arange(first_number, first_number + lines)
    return write_export_week(mirror / MICRODATA, monday, last, numbers, fob=fob)


SUNDAYS = [dt.date(2025, 3, 2) + dt.timedelta(weeks=i) for i in range(6)]
"""Six consecutive Sundays (2 March … 6 April 2025): x24020325.zip, x03090325.zip, …"""
