"""Names of SUNAT's microdata files: the period each covers, and the weekly files a date range calls for.

SUNAT publishes one export file (``x…``) and import files (``ma…`` format A, ``mb…`` format B) per week,
named by a date code ``DDddMMYY``: the week's first day, its last day, and the month and two-digit year of
the last day (``x15210626`` = 15–21 June 2026; ``x27020826`` = 27 July–2 August 2026, a week that crosses a
month end). Weeks run Monday to Sunday. Yearly and monthly extracts are named ``x2024`` and ``x202401``
(SUNAT_LAYOUTS.md §1). Every component that deals with file names (the downloader, the reader, the synthetic
twin) computes them here, so they can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from comercio.errors import ParseError

__all__ = ["FLOWS", "PREFIXES", "FileName", "file_name", "parse", "week_of", "weeks"]

Kind = Literal["week", "month", "year"]
PREFIXES: dict[str, str] = {"x": "X", "ma": "M", "mb": "M"}  # name prefix → flow
FLOWS: dict[str, str] = {"X": "x", "M": "ma"}  # flow → the prefix comercio reads for it
WEEK_DAYS = 7
_NAME = re.compile(r"^(?P<prefix>x|ma|mb)(?P<code>\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class FileName:
    """What a microdata file's name says: its flow, the kind of period and the period's first and last day."""

    name: str
    prefix: str
    flow: str
    kind: Kind
    first: dt.date
    last: dt.date

    @property
    def code(self) -> str:
        """The date code as SUNAT writes it (``DDddMMYY`` for a week)."""
        return date_code(self.first, self.last) if self.kind == "week" else _NAME_CODE[self.kind](self.first)


_NAME_CODE = {
    "month": lambda d: f"{d.year:04d}{d.month:02d}",
    "year": lambda d: f"{d.year:04d}",
}


def date_code(first: dt.date, last: dt.date) -> str:
    """``DDddMMYY``: first day, last day, month and two-digit year of the last day."""
    return f"{first.day:02d}{last.day:02d}{last.month:02d}{last.year % 100:02d}"


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the week holding ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=WEEK_DAYS - 1)


def file_name(flow: str, first: dt.date, last: dt.date, *, suffix: str = ".zip") -> str:
    """The weekly file's name for ``flow`` (``X``/``M``) and the week ``first`` … ``last``."""
    if flow not in FLOWS:
        raise ValueError(f"flow must be one of {', '.join(FLOWS)}, not {flow!r}")
    return f"{FLOWS[flow]}{date_code(first, last)}{suffix}"


def weeks(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Every Monday–Sunday week whose last day falls in ``start`` … ``end`` (inclusive), oldest first."""
    if end < start:
        raise ValueError(f"{end.isoformat()} is before {start.isoformat()}")
    _, sunday = week_of(start)
    out = []
    while sunday <= end:
        out.append((sunday - dt.timedelta(days=WEEK_DAYS - 1), sunday))
        sunday += dt.timedelta(days=WEEK_DAYS)
    return out


def parse(name: str | Path) -> FileName | None:
    """The period a microdata file's name gives, or None when the name carries no date code at all.

    A name that starts like one (``x``, ``ma`` or ``mb`` then digits) but whose digits are not a year
    (4), a month (6) or a week (8, ``DDddMMYY`` spanning exactly seven days) is a :class:`ParseError`
    naming the file: loading it would attach its lines to a period nobody can check.
    """
    file = Path(name).name
    match = _NAME.match(Path(name).name.split(".", 1)[0])
    if match is None:
        return None
    prefix, code = match["prefix"].lower(), match["code"]
    flow = PREFIXES[prefix]
    try:
        if len(code) == 4:
            year = int(code)
            return FileName(file, prefix, flow, "year", dt.date(year, 1, 1), dt.date(year, 12, 31))
        if len(code) == 6:
            first = dt.date(int(code[:4]), int(code[4:]), 1)
            last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
            return FileName(file, prefix, flow, "month", first, last)
        if len(code) == 8:
            return _week(file, prefix, flow, code)
    except ValueError:
        pass
    raise ParseError(
        f"the date code {code!r} in the file name does not parse: expected DDddMMYY (a week's first day, "
        "last day, month and two-digit year of the last day, e.g. x15210626), YYYYMM or YYYY",
        file=file,
    )


def _week(file: str, prefix: str, flow: str, code: str) -> FileName:
    first_day, last_day, month, year = (int(code[i : i + 2]) for i in (0, 2, 4, 6))
    last = dt.date(2000 + year, month, last_day)
    first = last - dt.timedelta(days=WEEK_DAYS - 1)
    if first.day != first_day:
        raise ValueError("not a seven-day week")
    return FileName(file, prefix, flow, "week", first, last)
