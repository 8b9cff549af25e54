"""Reference lookups the SUNAT microdata reader validates against, as vectorised numpy tables.

Customs offices (with their validity window: Chancay 370 only from 2024-10-21) and tariff versions come from
:mod:`comercio.reference`. If that package cannot be imported (a partial install), a clearly-marked temporary
copy of SUNAT_LAYOUTS.md §2 and §5 is used instead so that the reader still works.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

EPOCH = dt.date(1970, 1, 1)

# TEMPORARY fallback (only used when comercio.reference is not importable): SUNAT_LAYOUTS.md §2 and §5.
_TEMP_OFFICES = [
    f"{c:03d}"
    for c in (
        0,
        19,
        28,
        37,
        46,
        55,
        64,
        73,
        82,
        91,
        109,
        118,
        127,
        136,
        145,
        154,
        163,
        172,
        181,
        190,
        217,
        226,
        235,
        244,
        253,
        262,
        271,
        280,
        299,
        370,
    )
]
_TEMP_TARIFF = (("2002", "2002-01-01"), ("2007", "2007-04-01"), ("2012", "2012-01-01"),
                ("2017", "2017-01-01"), ("2022", "2022-01-01"))  # fmt: skip


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
    try:
        from comercio.reference import load

        table = load("customs_offices")
        codes = [int(c) for c in table.column("code").to_pylist()]
        cols = table.column_names
        first = table.column("valid_from").to_pylist() if "valid_from" in cols else [None] * len(codes)
        last = table.column("valid_to").to_pylist() if "valid_to" in cols else [None] * len(codes)
        source = "comercio.reference customs_offices"
    except ImportError:  # pragma: no cover - only on a partial install
        codes = [int(c) for c in _TEMP_OFFICES]
        first = [dt.date(2024, 10, 21) if c == 370 else None for c in codes]
        last = [None] * len(codes)
        source = "temporary list (SUNAT_LAYOUTS.md §2)"
    return OfficeTable(
        np.array(codes, dtype=np.int64),
        np.array([_days(d, lo) for d in first], dtype=np.int64),
        np.array([_days(d, hi) for d in last], dtype=np.int64),
        source,
    )


@lru_cache(maxsize=1)
def tariff_versions() -> tuple[np.ndarray, tuple[str, ...]]:
    """(start day of each version, sorted; version labels)."""
    try:
        from comercio.reference import load

        table = load("tariff_versions").sort_by("in_force_from")
        pairs = list(
            zip(table.column("version").to_pylist(), table.column("in_force_from").to_pylist(), strict=True)
        )
    except ImportError:  # pragma: no cover
        pairs = [(v, dt.date.fromisoformat(s)) for v, s in _TEMP_TARIFF]
    starts = np.array([(d - EPOCH).days for _, d in pairs], dtype=np.int64)
    return starts, tuple(str(v) for v, _ in pairs)


def hs_version_index(day: np.ndarray) -> np.ndarray:
    """Index into :func:`tariff_versions` labels of the version in force on ``day``; -1 before the first."""
    starts, _ = tariff_versions()
    return np.searchsorted(starts, day, side="right") - 1
