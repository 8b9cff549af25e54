"""The plausible span of a publisher's dates, and the largest amount one line can carry, for every reader.

Peru's trade series start in the 1990s (BCRP's departmental series in 1990, SUNAT's microdata later);
nothing a publisher releases is dated after today. A date outside the span is a damaged cell or a hostile
file (``1800-01``, ``2099-12``, ``01/01/0001``, ``2999-12-31``), never data, so every reader refuses it
naming file, row and column. Likewise no customs line or shipment is worth US$ 100 billion (Peru exports
about 70 billion a year): a larger amount (``1e300``, ``1e308``) is damage.
"""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(1990, 1, 1)
MAX_LINE_USD = 1e11


def today() -> dt.date:
    """Today's date (UTC), the latest day any published figure can carry."""
    return dt.datetime.now(dt.UTC).date()


def current_month() -> dt.date:
    """The first day of the current month."""
    return today().replace(day=1)


def outside(day: dt.date, earliest: dt.date = EARLIEST, latest: dt.date | None = None) -> bool:
    """Whether ``day`` falls before ``earliest`` or after ``latest`` (default: today)."""
    return day < earliest or day > (latest or today())


def span_reason(day: dt.date, earliest: dt.date = EARLIEST, latest: dt.date | None = None) -> str:
    """The error text for a date outside the span."""
    last = latest or today()
    return f"date {day.isoformat()} is outside the plausible span {earliest.isoformat()} … {last.isoformat()}"


__all__ = ["EARLIEST", "MAX_LINE_USD", "current_month", "outside", "span_reason", "today"]
