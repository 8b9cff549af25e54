"""Reference lookups the SUNAT microdata reader validates against, as vectorised numpy tables.

Customs offices (with their validity window: Chancay 370 only from 2024-10-21) and tariff versions come from
:mod:`comercio.reference`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from comercio import reference
from comercio.sources import _span

EPOCH = dt.date(1970, 1, 1)


def _days(d: dt.date | None, default: int) -> int:
    return default if d is None else (d - EPOCH).days


@dataclass(frozen=True)
class OfficeTable:
    """Valid office codes (int) with the first and last day (days since epoch) each may appear on."""

    codes: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    source: str

    def valid(self, code: np.ndarray, day: np.ndarray) -> np.ndarray:
        """True where ``code`` is a known office open on ``day`` (vectorised)."""
        lookup_first = np.full(1000, np.iinfo(np.int32).max, dtype=np.int64)
        lookup_last = np.full(1000, np.iinfo(np.int32).min, dtype=np.int64)
        lookup_first[self.codes] = self.first_day
        lookup_last[self.codes] = self.last_day
        c = np.clip(code, 0, 999)
        inside = (code >= 0) & (code <= 999)
        return inside & (day >= lookup_first[c]) & (day <= lookup_last[c])


@lru_cache(maxsize=1)
def offices() -> OfficeTable:
    lo, hi = np.iinfo(np.int32).min, np.iinfo(np.int32).max
    table = reference.load("customs_offices")
    codes = [int(c) for c in table.column("code").to_pylist()]
    cols = table.column_names
    first = table.column("valid_from").to_pylist() if "valid_from" in cols else [None] * len(codes)
    last = table.column("valid_to").to_pylist() if "valid_to" in cols else [None] * len(codes)
    return OfficeTable(
        np.array(codes, dtype=np.int64),
        np.array([_days(d, lo) for d in first], dtype=np.int64),
        np.array([_days(d, hi) for d in last], dtype=np.int64),
        "comercio.reference customs_offices",
    )


@lru_cache(maxsize=1)
def tariff_versions() -> tuple[np.ndarray, tuple[str, ...]]:
    """(start day of each version, sorted; version labels)."""
    table = reference.load("tariff_versions").sort_by("in_force_from")
    pairs = list(
        zip(table.column("version").to_pylist(), table.column("in_force_from").to_pylist(), strict=True)
    )
    starts = np.array([(d - EPOCH).days for _, d in pairs], dtype=np.int64)
    return starts, tuple(str(v) for v, _ in pairs)


def hs_version_index(day: np.ndarray) -> np.ndarray:
    """Index into :func:`tariff_versions` labels of the version in force on ``day``; -1 before the first."""
    starts, _ = tariff_versions()
    return np.searchsorted(starts, day, side="right") - 1


_NAME_PERIOD = re.compile(r"^(?:x|ma)(\d{4})(\d{2})?(\d{2})?(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class FileSpan:
    """The days (since epoch, inclusive) a file's lines may carry, and how to say it in an error."""

    first_day: int
    last_day: int
    text: str


def file_span(name: str) -> FileSpan:
    """The span a microdata file's lines must fall in: the period its name gives, inside 1990 … today.

    SUNAT names files by period: ``x2021.zip`` a year, ``x202101.zip`` a month, ``ma20240510.zip`` a week
    (its lines within seven days of that day, whether the name gives the week's first or last day). A name
    without a period allows the plausible span.
    """
    lo, hi = _span.EARLIEST, _span.today()
    match = _NAME_PERIOD.match(Path(name).stem)
    what = "the plausible span"
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            if month is None:
                start, end = dt.date(year or 1, 1, 1), dt.date(year or 1, 12, 31)
            elif day is None:
                start = dt.date(year or 1, month, 1)
                end = (start + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
            else:
                named = dt.date(year or 1, month, day)
                start, end = named - dt.timedelta(days=7), named + dt.timedelta(days=7)
        except ValueError:
            start, end = lo, hi  # digits that are not a date: no period to hold the lines to
        else:
            lo, hi, what = max(lo, start), min(hi, end), f"the file's period (from its name {name})"
    text = f"outside {what} {lo.isoformat()} … {hi.isoformat()}"
    return FileSpan(_days(lo, 0), _days(hi, 0), text)
