"""SUNAT's microdata file names: the date code, the period it gives and the weeks a range calls for."""

from __future__ import annotations

import datetime as dt

import pytest

from comercio.errors import ParseError
from comercio.sources import weekly

D = dt.date


@pytest.mark.parametrize(
    ("name", "flow", "kind", "first", "last"),
    [
        ("x15210626.zip", "X", "week", D(2026, 6, 15), D(2026, 6, 21)),
        ("x27020826.zip", "X", "week", D(2026, 7, 27), D(2026, 8, 2)),  # crosses a month end
        ("ma29040126.zip", "M", "week", D(2025, 12, 29), D(2026, 1, 4)),  # crosses a year end
        ("MB15210626.ZIP", "M", "week", D(2026, 6, 15), D(2026, 6, 21)),
        ("x2024.zip", "X", "year", D(2024, 1, 1), D(2024, 12, 31)),
        ("x202402.zip", "X", "month", D(2024, 2, 1), D(2024, 2, 29)),
    ],
)
def test_names_give_their_period(name: str, flow: str, kind: str, first: dt.date, last: dt.date) -> None:
    got = weekly.parse(name)
    assert got is not None
    assert (got.flow, got.kind, got.first, got.last) == (flow, kind, first, last)


@pytest.mark.parametrize(
    "name", ["x15220626.zip", "x1521062.zip", "x32380626.zip", "ma202413.zip", "x123.zip"]
)
def test_a_date_code_that_does_not_parse_is_a_clear_error(name: str) -> None:
    with pytest.raises(ParseError, match="date code") as err:
        weekly.parse(name)
    assert err.value.file == name


def test_names_without_a_date_code_say_nothing() -> None:
    assert weekly.parse("sample.zip") is None
    assert weekly.parse("lines.parquet") is None


def test_weeks_run_monday_to_sunday_and_round_trip_through_their_names() -> None:
    got = weekly.weeks(D(2022, 1, 3), D(2025, 11, 30))
    assert got[0] == (D(2022, 1, 3), D(2022, 1, 9)) and got[-1] == (D(2025, 11, 24), D(2025, 11, 30))
    assert len(got) == 204 and all(a.weekday() == 0 and b.weekday() == 6 for a, b in got)
    for first, last in got:
        for flow in ("X", "M"):
            parsed = weekly.parse(weekly.file_name(flow, first, last))
            assert parsed is not None and (parsed.flow, parsed.first, parsed.last) == (flow, first, last)
    assert weekly.file_name("X", D(2026, 7, 27), D(2026, 8, 2)) == "x27020826.zip"
