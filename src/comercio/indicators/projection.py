"""Year-end projection of a monthly series from the months known, with a backtest.

Method (``seasonal-ratio-3y``): the share of the full year that the first M months usually represent is
estimated as the mean, over the three previous complete years, of (January–M value / full-year value); the
projection is this year's January–M value divided by that share. With fewer than three earlier years it uses
those available (at least one). The backtest applies the same rule to every past year that has the required
history and reports the mean absolute percentage error (MAPE) against the actual full year.

The projection is an estimate: :func:`estimate` rounds it to three significant figures (US$ 67 100 million,
not 67 079) and gives the range the method's smallest and largest backtest errors imply.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from math import floor, log10

from comercio.errors import DataNotAvailable

METHOD = "seasonal-ratio-3y"
LOOKBACK = 3
DIGITS = 3  # significant figures of a published estimate


@dataclass(frozen=True)
class Projection:
    year: int
    through_month: int
    known: float
    value: float
    ratio: float
    years_used: tuple[int, ...]
    method: str = METHOD


@dataclass(frozen=True)
class Backtest:
    through_month: int
    mape: float
    errors: tuple[tuple[int, float], ...]  # (year, signed percentage error as a fraction)
    method: str = METHOD


def _by_year(monthly: dict[date, float]) -> dict[int, dict[int, float]]:
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for d, v in monthly.items():
        out[d.year][d.month] = v
    return out


def _complete_years(years: dict[int, dict[int, float]]) -> list[int]:
    return sorted(y for y, months in years.items() if len(months) == 12)


def project(monthly: dict[date, float], year: int, through_month: int) -> Projection:
    """Project ``year``'s total from January–``through_month`` of that year."""
    years = _by_year(monthly)
    known_months = years.get(year, {})
    if any(m not in known_months for m in range(1, through_month + 1)):
        raise DataNotAvailable(f"January–{through_month:02d} of {year} is not fully loaded")
    known = sum(known_months[m] for m in range(1, through_month + 1))
    if through_month == 12:
        return Projection(year, 12, known, known, 1.0, ())
    past = [y for y in _complete_years(years) if y < year][-LOOKBACK:]
    ratios = []
    for y in past:
        full = sum(years[y].values())
        if full > 0:
            ratios.append(sum(years[y][m] for m in range(1, through_month + 1)) / full)
    if not ratios:
        raise DataNotAvailable(f"no complete year before {year} to project from")
    ratio = sum(ratios) / len(ratios)
    return Projection(year, through_month, known, known / ratio, ratio, tuple(past))


def backtest(monthly: dict[date, float], through_month: int, *, before: int | None = None) -> Backtest:
    """Project each complete year before ``before`` from its first ``through_month`` months; measure errors.

    Only years before the projected one are used, so the backtest never sees the year being projected.
    """
    years = _by_year(monthly)
    errors = []
    for y in _complete_years(years):
        if before is not None and y >= before:
            continue
        earlier = [p for p in _complete_years(years) if p < y]
        if not earlier:
            continue
        p = project(monthly, y, through_month)
        actual = sum(years[y].values())
        if actual:
            errors.append((y, p.value / actual - 1.0))
    if not errors:
        raise DataNotAvailable("not enough complete years to backtest the projection")
    mape = sum(abs(e) for _, e in errors) / len(errors)
    return Backtest(through_month, mape, tuple(errors))


def round_significant(value: float, digits: int = DIGITS) -> float:
    """``value`` rounded to ``digits`` significant figures (67 079 → 67 100)."""
    if value == 0:
        return 0.0
    return round(value, digits - 1 - floor(log10(abs(value))))


@dataclass(frozen=True)
class Estimate:
    """A projection as published: rounded, with the range its backtest errors imply."""

    value: float
    low: float
    high: float


def estimate(p: Projection, bt: Backtest) -> Estimate:
    """Round ``p`` and bound it by the backtest: had this year the smallest or the largest error of the
    earlier years (projection / actual − 1), the actual total would be ``p / (1 + error)``."""
    errors = [e for _, e in bt.errors]
    low, high = p.value / (1.0 + max(errors)), p.value / (1.0 + min(errors))
    return Estimate(round_significant(p.value), round_significant(low), round_significant(high))
