"""The real files' quirks, measured on SUNAT's weekly files (SUNAT_LAYOUTS.md §1), as random draws.

- **Regularisation lag**: a declaration numbered on day d is published in the file of the week holding
  d + lag, the lag drawn from a piecewise-linear quantile function through median 11 days, p90 24, p99 30
  (max 45), so a month's lines spill into the weeks after it ends.
- **UBIGEO coverage** (share of FOB with a producer UBIGEO, per year): 2022 follows BCRP's "No registrado"
  marginal (those lines are written blank); 100 % in 2023–2024, 58.9 % in 2025, 2.3 % in 2026 and after.
  Each department × sector × month cell is split into a part with and a part without UBIGEO, in cents, so
  the coverage holds exactly over all lines generated (cells of a single line go blank whole at random).
- **Masked exporters**: about 3 % of export lines, from small declarations, belong to natural persons
  whose name reads ``No Disponible`` (their RUC starts with 10).
- **Corrections**: about 0.5 % of lines appear first with another value and again, corrected, in a later
  week's file (same CADU+FANO+NDCL+NSER); the *later* version carries the calibrated value, so once the
  warehouse keeps the latest version the marginals hold exactly. A correction that would fall after the
  range is not made (the line is published once, calibrated).
- **Deleted records**: about 0.1 % of lines have a deleted copy (``*`` flag) in the same file.
"""

from __future__ import annotations

import numpy as np

LAG_QUANTILES = np.array([0.0, 0.5, 0.9, 0.99, 1.0])
LAG_DAYS = np.array([1.0, 11.0, 24.0, 30.0, 45.0])
COVERAGE = {2025: 0.589, 2026: 0.023}  # share of FOB with a producer UBIGEO; 1.0 before, 2026 after
MASKED_SHARE = 0.03
CORRECTED_SHARE = 0.005
CORRECTION_WEEKS = (1, 6)  # a correction comes 1 … 6 weeks after the first version
DELETED_SHARE = 0.001


def lag_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days from numbering to regularisation (median 11, p90 24, p99 30)."""
    return np.rint(np.interp(rng.random(n), LAG_QUANTILES, LAG_DAYS)).astype(np.int64)


def coverage(year: int) -> float:
    """Share of the year's FOB with a producer UBIGEO (years BCRP covers are handled by its marginal)."""
    if year < min(COVERAGE):
        return 1.0
    return COVERAGE.get(year, COVERAGE[max(COVERAGE)])


def coverage_parts(
    rng: np.random.Generator, cents: int, lines: int, blank: float
) -> list[tuple[int, int, bool]]:
    """A cell split into (lines, cents, without UBIGEO) parts so that ``blank`` of its value (in cents)
    has no producer UBIGEO; a cell too small to split goes blank whole with probability ``blank``."""
    if blank <= 0:
        return [(lines, cents, False)]
    if blank >= 1:
        return [(lines, cents, True)]
    blank_lines, blank_cents = round(lines * blank), round(cents * blank)
    if 0 < blank_lines < lines and blank_cents >= blank_lines and cents - blank_cents >= lines - blank_lines:
        return [(lines - blank_lines, cents - blank_cents, False), (blank_lines, blank_cents, True)]
    return [(lines, cents, bool(rng.random() < blank))]


def masked_declarations(rng: np.random.Generator, value: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Small declarations (below the median value) of natural persons, about MASKED_SHARE of the lines."""
    if value.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    small = value < np.median(value)
    in_small = int(lines[small].sum())
    chance = min(1.0, MASKED_SHARE * int(lines.sum()) / in_small) if in_small else 0.0
    return small & (rng.random(value.shape[0]) < chance)


def natural_persons(rng: np.random.Generator, n: int) -> np.ndarray:
    """RUC numbers of natural persons: 10, an 8-digit DNI and a check digit."""
    return 10_000_000_000 + rng.integers(10**7, 10**8, size=n) * 10 + rng.integers(0, 10, size=n)


def corrections(rng: np.random.Generator, week: np.ndarray, last_week: int) -> np.ndarray:
    """Week of each line's corrected version (-1: not corrected); never after ``last_week``."""
    n = week.shape[0]
    later = week + rng.integers(CORRECTION_WEEKS[0], CORRECTION_WEEKS[1] + 1, size=n)
    chosen = (rng.random(n) < CORRECTED_SHARE) & (later <= last_week)
    return np.where(chosen, later, -1)


def first_values(rng: np.random.Generator, cents: np.ndarray) -> np.ndarray:
    """The value a line carried before its correction (±40 %, at least a cent, never the same)."""
    changed = np.rint(cents * rng.uniform(0.6, 1.4, size=cents.shape[0])).astype(np.int64)
    return np.maximum(1, np.where(changed == cents, cents + 1, changed))


def deleted(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n) < DELETED_SHARE
