"""Reference lookups the SUNAT microdata reader validates against, as vectorised numpy tables.

Customs offices (with their validity window: Chancay 370 only from 2024-10-21) and tariff versions come from
:mod:`comercio.reference`; the days a file's lines may carry come from its name
(:mod:`comercio.sources.weekly`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from comercio import reference
from comercio.sources import _span, weekly

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


WEEKLY_BACKLOG_DAYS = 366  # a weekly file's lines were numbered at most a year before the week


@dataclass(frozen=True)
class FileSpan:
    """The days (since epoch, inclusive) a file's lines may carry, how to say it in an error, and the
    last day of the file's period (``file_date``; None when the name gives no period)."""

    first_day: int
    last_day: int
    text: str
    file_date: dt.date | None = None


def file_span(name: str) -> FileSpan:
    """The span a microdata file's lines must fall in, from its name (:func:`comercio.sources.weekly.parse`).

    A weekly file (``x15210626``) holds the lines *regularised* that week: numbered up to a year before the
    week, never after its last day. A monthly (``x202101``) or yearly (``x2021``) file holds its period's
    lines. A name without a date code allows the plausible span 1990 … today; a date code that does not
    parse is the ParseError of :func:`~comercio.sources.weekly.parse`.
    """
    lo, hi = _span.EARLIEST, _span.today()
    period = weekly.parse(name)
    if period is None:
        return FileSpan(_days(lo, 0), _days(hi, 0), f"outside the plausible span {lo} … {hi}")
    if period.kind == "week":
        lo, hi = max(lo, period.first - dt.timedelta(days=WEEKLY_BACKLOG_DAYS)), min(hi, period.last)
        text = (
            f"outside the weekly file's window {lo} … {hi} ({period.name} holds the lines regularised in the "
            f"week {period.first} … {period.last}: numbered up to a year before it, never after its last day)"
        )
    else:
        lo, hi = max(lo, period.first), min(hi, period.last)
        text = f"outside the file's period (from its name {period.name}) {lo} … {hi}"
    return FileSpan(_days(lo, 0), _days(hi, 0), text, period.last)
