"""Indicators derived from a monthly series per member: values, growth, shares, contributions, ranks,
counts, records and drivers.

Inputs are :class:`~comercio.indicators.engine.Series` (already aggregated by the engine), so these are
small, exact computations in Python. Definitions follow METHODOLOGY.md: growth = value / previous − 1;
shares are of the total of all rows in the filters (which includes unattributed value); contribution to
growth = member's change / previous total; a member with no earlier full year is never a record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from comercio.errors import DataNotAvailable
from comercio.indicators.specs import Comparison, Window

if TYPE_CHECKING:  # annotations only: the report renders kept facts without importing the engine
    from comercio.indicators.engine import Series

RECORD_DEFINITIONS = ("annual", "same-window")
# One rule for "flat": a change smaller than this in absolute value (it prints as 0,0 %) is neither a rise nor
# a fall, in counts and in prose alike.
FLAT = 0.0005


def _month_label(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def check_coverage(series: Series, window: Window, *, role: str = "window") -> None:
    """Refuse a window that runs past the data or has months missing (never compare partial periods)."""
    if not series.periods:
        raise DataNotAvailable(f"dataset {series.dataset!r} has no months for these filters")
    present = set(series.periods)
    last, first = max(present), min(present)
    if window.end > last:
        raise DataNotAvailable(
            f"the {role} {_month_label(window.start)}…{_month_label(window.end)} runs past the last loaded "
            f"month of {series.dataset!r} ({_month_label(last)})",
            hint="choose an earlier month or load newer data",
        )
    missing = [m for m in window.months() if m not in present]
    if missing:
        what = "comparison window" if role == "comparison" else role
        raise DataNotAvailable(
            f"the {what} {_month_label(window.start)}…{_month_label(window.end)} has no data in "
            f"{series.dataset!r} for {len(missing)} month(s), first {_month_label(missing[0])} "
            f"(data from {_month_label(first)})"
        )


def window_values(series: Series, window: Window) -> dict[str | None, float]:
    """Sum of each member's months inside ``window`` (members with no rows are absent)."""
    start, end = window.start, window.end
    out: dict[str | None, float] = defaultdict(float)
    for member, period, value in series.triples:
        if start <= period <= end:
            out[member] += value
    return dict(out)


@dataclass(frozen=True)
class Row:
    """One member's figures for a window and its comparison window."""

    member: str
    value: float
    previous: float | None
    growth: float | None
    share: float | None
    share_previous: float | None
    contribution: float | None
    rank: int

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class WindowResult:
    """Window results for every member plus the total (all rows, members or not)."""

    window: Window
    comparison_window: Window | None
    rows: tuple[Row, ...]
    total: float
    total_previous: float | None

    @property
    def total_growth(self) -> float | None:
        return growth(self.total, self.total_previous)

    def row(self, member: str) -> Row | None:
        return next((r for r in self.rows if r.member == member), None)

    def by_member(self) -> dict[str, Row]:
        return {r.member: r for r in self.rows}


def growth(value: float | None, previous: float | None) -> float | None:
    """value / previous − 1; None when there is no positive previous value to grow from."""
    if value is None or previous is None or previous <= 0:
        return None
    return value / previous - 1.0


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def compare(series: Series, window: Window, comparison: Comparison | None = Comparison()) -> WindowResult:
    """Values, growth, shares, contributions to growth and ranks of every member."""
    check_coverage(series, window)
    current = window_values(series, window)
    prev_window = comparison.window(window) if comparison is not None else None
    previous: dict[str | None, float] | None = None
    if prev_window is not None:
        check_coverage(series, prev_window, role="comparison")
        previous = window_values(series, prev_window)
    total = sum(current.values())
    total_prev = sum(previous.values()) if previous is not None else None
    members = sorted(
        {m for m in current if m is not None}
        | ({m for m in previous if m is not None} if previous else set())
    )
    ranked = sorted(members, key=lambda m: (-current.get(m, 0.0), m))
    rank = {m: i + 1 for i, m in enumerate(ranked)}
    rows = []
    for m in ranked:
        value = current.get(m, 0.0)
        prev = previous.get(m, 0.0) if previous is not None else None
        rows.append(
            Row(
                member=m,
                value=value,
                previous=prev,
                growth=growth(value, prev),
                share=_ratio(value, total),
                share_previous=_ratio(prev, total_prev),
                contribution=_ratio(None if prev is None else value - prev, total_prev),
                rank=rank[m],
            )
        )
    return WindowResult(window, prev_window, tuple(rows), total, total_prev)


def trend(growth: float) -> str:
    """``up``, ``down`` or ``flat`` for a growth rate (flat: smaller than :data:`FLAT` in absolute value)."""
    if abs(growth) < FLAT:
        return "flat"
    return "up" if growth > 0 else "down"


def direction(row: Row) -> str | None:
    """``up``, ``down`` or ``flat`` (|growth| < :data:`FLAT`); growth from zero is ``up``, to zero ``down``.

    None for a member with nothing in either window (or no comparison window): it is not counted.
    """
    if row.growth is not None:
        return trend(row.growth)
    if row.previous is not None and row.previous <= 0 and row.value > 0:
        return "up"
    return None


def grew(row: Row) -> bool:
    """Growth of at least :data:`FLAT`, or exports where the comparison window had none."""
    return direction(row) == "up"


def count_changes(result: WindowResult, members: set[str] | None = None) -> dict[str, int]:
    """How many members grew (from zero too), declined or stayed flat (one threshold, :data:`FLAT`);
    members with nothing in either window are not counted."""
    rows = [r for r in result.rows if members is None or r.member in members]
    ways = [direction(r) for r in rows]
    up, down, flat = (sum(1 for w in ways if w == k) for k in ("up", "down", "flat"))
    return {"growing": up, "declining": down, "flat": flat, "counted": up + down + flat}


@dataclass(frozen=True)
class Record:
    member: str
    value: float
    previous_max: float
    previous_max_year: int
    definition: str


def records(series: Series, window: Window, definition: str = "annual") -> list[Record]:
    """Members whose value in ``window`` beats every earlier year.

    ``annual``: above every earlier *complete calendar year* (12 months loaded). ``same-window``: above the
    same window in every earlier year whose months are all loaded. A member with no earlier year is never a
    record.
    """
    if definition not in RECORD_DEFINITIONS:
        raise DataNotAvailable(f"unknown record definition {definition!r}; use annual or same-window")
    check_coverage(series, window)
    current = window_values(series, window)
    present = set(series.periods)
    earliest = min(present)
    history: dict[str, dict[int, float]] = defaultdict(dict)
    if definition == "annual":  # every complete calendar year before the window's last year
        pasts = [Window.year(y) for y in range(earliest.year, window.end.year)]
    else:  # the same window one, two, … years back, as far as the data reach
        pasts, k = [], 1
        while window.shifted(-k).start >= earliest:
            pasts.append(window.shifted(-k))
            k += 1
    for past in pasts:
        if not all(m in present for m in past.months()):
            continue
        for member, value in window_values(series, past).items():
            if member is not None:
                history[member][past.end.year] = value
    out = []
    for member, value in current.items():
        if member is None or not history.get(member):
            continue
        best_year, best = max(history[member].items(), key=lambda kv: kv[1])
        if value > best:
            out.append(Record(member, value, best, best_year, definition))
    return sorted(out, key=lambda r: -r.value)


def drivers(
    children: Series, window: Window, parent_previous: float, *, top: int = 3, declining: bool = False
) -> list[dict[str, Any]]:
    """The children (e.g. products of a region) whose change contributed most to the parent's change:
    the largest increases for a member that grew, the largest falls (``declining``) for one that shrank.

    contribution = (child value − child previous) / parent previous (METHODOLOGY.md §1, Drivers).
    """
    check_coverage(children, window)
    check_coverage(children, Comparison().window(window), role="comparison")
    current = window_values(children, window)
    previous = window_values(children, Comparison().window(window))
    changes: list[tuple[float, str]] = []
    for m in set(current) | set(previous):
        if m is not None:
            changes.append((current.get(m, 0.0) - previous.get(m, 0.0), m))
    sign = -1.0 if declining else 1.0
    changes.sort(key=lambda cm: (-sign * cm[0], cm[1]))
    return [
        {
            "member": m,
            "change": change,
            "contribution": change / parent_previous if parent_previous else None,
            "value": current.get(m, 0.0),
        }
        for change, m in changes
        if sign * change > 0
    ][:top]
