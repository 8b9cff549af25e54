"""Axis label rules shared by the chart builders: which years an ordinal axis labels and how far apart the
ticks of a monthly time axis fall, so labels never run into each other (also at phone width, where the
dashboard scales the SVG down as a whole)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

YEAR_LABEL_STEP: Final = 48  # pixels a year label needs (``2022`` over a ``(ene-nov)`` line) not to touch
MONTH_FORMAT: Final = "%b %Y"  # ``ene 2021`` / ``Jan 2021``: month names from the spec's d3 time locale
MONTH_LABELS: Final = 6  # at most this many ``ene 2021`` labels on a chart's time axis
MONTH_STEPS: Final = (1, 2, 3, 6, 12, 24, 60, 120)


def labelled_years(years: Sequence[Any], width: int) -> list[Any] | None:
    """The years an axis of ``width`` pixels labels: every ``k``-th one counted back from the last (the
    latest, possibly partial, year always keeps its label) so that labels sit :data:`YEAR_LABEL_STEP` pixels
    apart; None when every year fits."""
    stride = math.ceil(len(years) * YEAR_LABEL_STEP / width)
    if stride <= 1:
        return None
    return list(years)[::-1][::stride][::-1]


def month_ticks(months: int) -> dict[str, Any]:
    """The tick interval of a time axis over ``months`` months: the shortest of :data:`MONTH_STEPS` giving at
    most :data:`MONTH_LABELS` labels, so ticks fall on regular months (January, July …) and never crowd."""
    step = next((k for k in MONTH_STEPS if months / k <= MONTH_LABELS), MONTH_STEPS[-1])
    return {"interval": "month", "step": step}
