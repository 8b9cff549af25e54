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


# -- issue 12, items 2-7 (each on both engines through the `warehouse` fixture) ---------------------------
_ISSUE12: dict[tuple[str, str], object] = {}


def _facts12(warehouse, month: str):  # type: ignore[no-untyped-def]
    """regional_facts once per engine and month (Spark queries cost seconds each)."""
    key = (warehouse.settings.engine, month)
    if key not in _ISSUE12:
        _ISSUE12[key] = regional_facts(warehouse, month, engine=warehouse.settings.engine).facts
    return _ISSUE12[key]


def test_one_flat_rule_for_counts_and_lists(warehouse) -> None:  # type: ignore[no-untyped-def]
    """Item 3: Ica at −0,02 % in 2022 was counted as falling and described as flat."""
    f = _facts12(warehouse, "2022-12")
    assert f.value("regions.flat.threshold") == measures.FLAT
    assert f.value("regions.flat.members") == ["11"]  # Ica
    assert (f.value("regions.growing.count"), f.value("regions.declining.count")) == (14, 8)
    assert f.value("regions.flat.count") == 1
    assert "11" not in f.value("regions.declining.members")
    lists = {
        way: set(f.value(family))
        for way, family in (
            ("up", "regions.growing.members"),
            ("down", "regions.declining.members"),
            ("flat", "regions.flat.members"),
        )
    }
    for member, growth in ((x.member, x.value) for x in f.each("region.{department}.growth")):
        if member in set().union(*lists.values()):
            assert member in lists[measures.trend(growth)], member


def test_trend_threshold() -> None:
    assert measures.trend(-0.0002) == measures.trend(0.0004) == "flat"
    assert measures.trend(-measures.FLAT) == "down" and measures.trend(measures.FLAT) == "up"


def test_fastest_regions_have_a_minimum_size(warehouse) -> None:  # type: ignore[no-untyped-def]
    """Item 7: Loreto +393 % from US$ 54 M and Huánuco from US$ 7 M led the 2022 ranking."""
    from comercio.indicators.regional import MIN_SHARE

    f = _facts12(warehouse, "2022-12")
    floor = MIN_SHARE * f.value("national.previous")
    fastest = f.value("regions.fastest.members")
    assert fastest and all(f.value("region.{department}.previous", department=m) >= floor for m in fastest)
    assert f.value("regions.fastest.min_share") == MIN_SHARE
    small = f.value("regions.fastest_small.members")
    assert small[:2] == ["16", "10"]  # Loreto, Huánuco: named apart
    assert all(f.value("region.{department}.previous", department=m) < floor for m in small)
    assert not set(small) & set(fastest)


def test_projection_is_a_rounded_estimate_with_a_range(warehouse) -> None:  # type: ignore[no-untyped-def]
    """Item 5: never "US$ 67 079 millones"."""
    f = _facts12(warehouse, "2022-11")
    p = f.get("projection.national.value")
    assert p is not None and p.value == 67_100e6
    assert p.extra["unrounded"] == pytest.approx(67_079e6, abs=1e6)
    low, high = f.value("projection.national.low"), f.value("projection.national.high")
    assert low < p.value < high
    for v in (p.value, low, high):
        assert v == float(f"{v:.3g}")  # three significant figures
    assert p.extra["method"] == "seasonal-ratio-3y"


def test_sources_and_the_unregistered_break(warehouse) -> None:  # type: ignore[no-untyped-def]
    """Item 2: the vintage is a date with the months it covers; the 2020 break of "No registrado"."""
    from datetime import date as _date

    f = _facts12(warehouse, "2022-12")
    v = f.get("source.{dataset}.vintage", dataset="bcrp_departments")
    assert v is not None and _date.fromisoformat(v.value)
    assert (v.window["start"], v.window["end"]) == ("2005-01-01", "2022-12-01")
    assert f.value("unregistered.share.{year}", year="2019") < 0.001
    assert f.value("unregistered.share.{year}", year="2021") > 0.03
    # METHODOLOGY.md §6: excluding it, the 2022 interior share is 69,0 %, not 66,0 %
    assert round(f.value("interior.share_registered"), 3) == 0.690
    assert round(f.value("{region_group}.share", region_group="interior"), 3) == 0.660


def test_records_of_both_definitions_are_listed(warehouse) -> None:  # type: ignore[no-untyped-def]
    """Item 4: the other definition's records are members, not just a count."""
    f = _facts12(warehouse, "2022-11")
    same = f.value("regions.record_same_window.members")
    assert len(same) == f.value("regions.record_same_window.count") == 10
    assert set(f.value("regions.record.members")) < set(same)
