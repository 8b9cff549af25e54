"""Regressions found by a methodology review on the real BCRP series (each once produced a wrong figure)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from comercio.indicators import engine as eng
from comercio.indicators import measures
from comercio.indicators.engine import Series
from comercio.indicators.regional import regional_facts
from comercio.indicators.specs import Filters, Grouping, Window, add_months


@pytest.fixture
def duck(built_home):  # type: ignore[no-untyped-def]
    from comercio.config import Settings
    from comercio.warehouse import Warehouse

    return Warehouse(Settings(home=built_home), read_only=True)


def test_rolling_window_records_compare_with_the_previous_twelve_months(duck) -> None:  # type: ignore[no-untyped-def]
    s = eng.series(duck, Grouping("department"), Filters())
    window = Window.rolling12("2022-11")
    previous = measures.window_values(s, window.shifted(-1))
    current = measures.window_values(s, window)
    full_2021 = measures.window_values(s, Window.year(2021))
    for r in measures.records(s, window, "same-window"):
        assert current[r.member] > previous[r.member], r.member
    for r in measures.records(s, window, "annual"):  # above every earlier full year, 2021 included
        assert current[r.member] > full_2021[r.member], r.member
    # Áncash fell from 6 444 M to 6 174 M: never a record
    assert "02" not in {r.member for r in measures.records(s, window, "same-window")}


def test_fastest_growing_regions_all_grew(duck) -> None:  # type: ignore[no-untyped-def]
    f = regional_facts(duck, "2015-04").facts
    for m in f.value("regions.fastest.members"):
        assert f.value("region.{department}.growth", department=m) > 0


def test_region_growing_from_zero_is_counted(duck) -> None:  # type: ignore[no-untyped-def]
    f = regional_facts(duck, "2009-01").facts
    assert f.value("regions.growing.count") + f.value("regions.declining.count") == 23
    assert "03" in f.value("regions.growing.members")  # Apurímac: 0 → US$ 0.06 M


def test_rolling_section_needs_no_comparison_year(duck) -> None:  # type: ignore[no-untyped-def]
    rf = regional_facts(duck, "2006-03")
    assert rf.facts.value("rolling12.{position}.member", position="leader") is not None


def test_december_is_not_projected(duck) -> None:  # type: ignore[no-untyped-def]
    rf = regional_facts(duck, "2022-12")
    assert not rf.facts.has("projection.national.value")
    assert "complete" in rf.omitted["projection"]


def test_growth_needs_a_positive_previous_value() -> None:
    assert measures.growth(10.0, -5.0) is None
    assert measures.growth(10.0, 0.0) is None
    assert measures.growth(15.0, 10.0) == pytest.approx(0.5)


def test_drivers_of_a_decline_are_the_largest_falls() -> None:
    start = date(2021, 1, 1)
    rows = {"oro": (100.0, 40.0), "cafe": (60.0, 62.0)}  # monthly value in 2021, in 2022
    members, periods, values = [], [], []
    for m, (v21, v22) in rows.items():
        for i in range(24):
            members.append(m)
            periods.append(add_months(start, i))
            values.append(v21 if i < 12 else v22)
    table = pa.table({"member": members, "period": pa.array(periods, pa.date32()), "value": values})
    s = Series(table, "t", (), False, tuple(sorted(set(periods))), Grouping("product_group"), Filters())
    w = Window.ytd("2022-06")
    assert [d["member"] for d in measures.drivers(s, w, 960.0, declining=True)] == ["oro"]
    assert [d["member"] for d in measures.drivers(s, w, 960.0)] == ["cafe"]


def test_interior_share_history_ends_at_the_report_year(warehouse) -> None:  # type: ignore[no-untyped-def]
    """Issue 12 item 1: a 2019-07 report once filled 2020-2022 with the 2019 year-to-date share."""
    f = regional_facts(warehouse, "2019-07", engine=warehouse.settings.engine).facts
    years = {int(x.parts["year"]): x for x in f.each("interior.share.{year}")}
    assert max(years) == 2019 and min(years) == 2005
    partial = years[2019]
    assert partial.window["kind"] == "ytd"
    assert (partial.window["start"], partial.window["end"]) == ("2019-01-01", "2019-07-01")
    assert partial.value == pytest.approx(f.value("{region_group}.share", region_group="interior"))
    assert all(years[y].window["kind"] == "year" for y in years if y < 2019)
    assert years[2018].value != pytest.approx(partial.value)
