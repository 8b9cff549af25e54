"""The real files' quirks, measured on SUNAT's weekly files (SUNAT_LAYOUTS.md §1), as random draws.

- **Regularisation lag**: a declaration numbered on day d is published in the file of the week holding
  d + lag, the lag drawn from a piecewise-linear quantile function through median 11 days, p90 24, p99 30
  (max 45), so a month's lines spill into the weeks after it ends.
- **UBIGEO coverage** (share of FOB with a producer UBIGEO, per year): 2022 follows BCRP's "No registrado"
  marginal (those lines are written blank); 100 % in 2023–2024, 58.9 % in 2025, 2.3 % in 2026 and after.
  Whole declarations are blanked, chosen at random until their value reaches the uncovered share.
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


def blank_declarations(rng: np.random.Generator, value: np.ndarray, share: float) -> np.ndarray:
    """Declarations (by their value) to leave without UBIGEO so that ``share`` of the value is blank."""
    m = value.shape[0]
    if share <= 0 or m == 0:
        return np.zeros(m, dtype=bool)
    order = rng.permutation(m)
    cum = np.cumsum(value[order]) - value[order] / 2  # midpoint: unbiased on average
    out = np.zeros(m, dtype=bool)
    out[order] = cum <= share * value.sum()
    return out


def masked_declarations(rng: np.random.Generator, value: np.ndarray) -> np.ndarray:
    """Small declarations (below the median value) of natural persons: about MASKED_SHARE of them."""
    if value.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    small = value < np.median(value)
    return small & (rng.random(value.shape[0]) < 2 * MASKED_SHARE)


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
