"""The periods of a query: months, quarters, years, years to date or rolling twelve months between two months.

A period is a label and the months it spans. ``month``, ``quarter`` and ``year`` are the calendar periods that
overlap the query's months (cut to them: a year asked from March holds March to December only); ``ytd`` and
``rolling12`` are one window a year, each ending at the query's last calendar month, for every year whose
window ends inside the query's months. Which months the data hold is not known here: the caller marks a
period partial when some of its months are missing (:func:`held_part`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from babel.dates import get_month_names

from comercio.i18n import t
from comercio.indicators.specs import add_months, month_start

_BABEL = {"es": "es_PE", "en": "en"}


@dataclass(frozen=True)
class Period:
    """One period of a result: its label and the months it spans (first days, in order)."""

    label: str
    months: tuple[date, ...]
    year: int  # the year the period belongs to (of its last month): a base year compares with it

    @property
    def first(self) -> date:
        return self.months[0]

    @property
    def last(self) -> date:
        return self.months[-1]

    def shifted(self, years: int) -> tuple[date, ...]:
        """The same months ``years`` earlier (negative) or later."""
        return tuple(add_months(m, 12 * years) for m in self.months)


def month_label(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


@cache
def short_month(m: int, lang: str) -> str:
    """``ene`` / ``Jan``: the abbreviated month name (lower case in Spanish, no final dot)."""
    name = str(get_month_names("abbreviated", locale=_BABEL[lang])[m]).rstrip(".")
    return name.lower() if lang == "es" else name


def span(first: date, last: date, lang: str) -> str:
    """``ene–nov 2025``, ``dic 2024–nov 2025`` (one month: ``nov 2025``)."""
    a, b = short_month(first.month, lang), short_month(last.month, lang)
    if first == last:
        return f"{b} {last.year}"
    if first.year == last.year:
        return f"{a}–{b} {last.year}"
    return f"{a} {first.year}–{b} {last.year}"


def _months(first: date, last: date) -> tuple[date, ...]:
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    return tuple(add_months(first, i) for i in range(n))


def periods(start: str, end: str, freq: str, lang: str) -> list[Period]:
    """The periods of ``freq`` between the months ``start`` and ``end`` (``YYYY-MM``), in order."""
    first, last = month_start(start), month_start(end)
    if freq in ("ytd", "rolling12"):
        out = []
        for year in range(first.year, last.year + 1):
            stop = date(year, last.month, 1)
            if stop < first:
                continue
            begin = date(year, 1, 1) if freq == "ytd" else add_months(stop, -11)
            out.append(Period(span(begin, stop, lang), _months(begin, stop), year))
        return out
    months = _months(first, last)
    if freq == "month":
        return [Period(month_label(m), (m,), m.year) for m in months]
    groups: dict[str, list[date]] = {}
    for m in months:
        if freq == "quarter":
            key = t("query_run.period.quarter", lang, year=m.year, quarter=(m.month - 1) // 3 + 1)
        else:
            key = str(m.year)
        groups.setdefault(key, []).append(m)
    return [Period(label, tuple(ms), ms[-1].year) for label, ms in groups.items()]


def whole(period: Period, freq: str) -> int:
    """How many months a whole period of ``freq`` spans."""
    return {"month": 1, "quarter": 3, "year": 12}.get(freq, len(period.months))
